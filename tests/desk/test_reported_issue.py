"""「地域課題として報告」: a flagged consultation reaches the hub's issue board even when grouping left it out."""

from tests.helpers import log_input
from tests.issues.test_issues import STRAY, board, by_title, group_now, log_all

FLAGGED_TITLE = "コーディネーターが地域課題として報告した相談（場面横断（制度・資源・連携体制全般））"


async def test_a_flagged_stray_call_reaches_the_board_and_an_unflagged_one_does_not(gql, app, world):
    await log_all(gql, world.coordinator, STRAY, scenes=["CROSS_CUTTING"])
    [flagged] = await log_all(gql, world.coordinator, ["研修会の案内の送り先を知りたい"], scenes=["CROSS_CUTTING"],
                              reportAsIssue=True)
    await group_now(gql, app, world)
    issues = by_title(await board(gql, world.manager, world))
    assert FLAGGED_TITLE in issues
    assert issues[FLAGGED_TITLE]["consultationCount"] == 1
    # regrouping again keeps the same issue (its signature), not a second one
    await group_now(gql, app, world)
    titles = [t for t in by_title(await board(gql, world.manager, world)) if t == FLAGGED_TITLE]
    assert titles == [FLAGGED_TITLE]
    assert log_input  # the shared builder is what log_all used
