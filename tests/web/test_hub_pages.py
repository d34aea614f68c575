"""The hub manager's screens over HTTP: the board shows what HubIssueBoard answers the manager, cards are
confirmed, dismissed, renamed, merged and a consultation moved; 再グループ化 is followed until done; a meeting
is scheduled, its packet previewed as mailed, an example dropped, the packet sent and each delivery shown;
members are added and removed with field errors in Japanese; another hub's people find nothing of it."""

import re
from html import unescape

from backend.accounts.actor import Actor
from backend.db import transaction
from backend.issues import service as issues
from backend.jobs.dispatch import Dispatcher
from backend.taxonomy import CareScene, Role
from tests import clock
from tests.helpers import operation
from tests.web.conftest import csrf_of, log_in
from tests.web.hub_world import MEMBERS, hub_data

BOARD = operation("hub.graphql", "HubIssueBoard")
ISSUE = "query($id: ID!) { regionalIssue(id: $id) { id title consultationCount } }"
FY = clock.fiscal_year()


async def _manager(client, sessions, world):
    await log_in(client, sessions, user_id=world.manager_id, email=world.emails["manager"])


async def _post(client, path: str, data: dict, *, page: str = "/issues", headers: dict | None = None):
    token = csrf_of((await client.get(page)).text)
    return await client.post(path, data={"csrf_token": token, **data}, headers=headers or {})


async def _raise(sessions, world, consultation_ids, scene, title) -> int:
    manager = Actor(user_id=world.manager_id, role=Role.HUB_MANAGER, hub_id=world.hub_id)
    async with transaction(sessions) as s:
        issue = await issues.raise_issue(s, actor=manager, hub_id=world.hub_id, fiscal_year=FY, scene=scene, title=title,
                                         signature=f"test:{title}", consultation_ids=consultation_ids)
        return issue.id


def _cards(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<h2 id="issue-\d+-title"><a href="/issues/\d+">([^<]+)</a>', html)]


async def test_the_board_shows_the_apis_issues_with_counts_trend_terms_and_examples(client, sessions, gql, world):
    data = await hub_data(gql, sessions, world)
    api = (await gql(world.manager, BOARD, {"hubId": str(world.hub_id), "fiscalYear": FY}))["data"]["hub"]
    await _manager(client, sessions, world)
    page = await client.get(f"/issues?fy={FY}")
    assert page.status_code == 200 and "<h1>地域課題ボード</h1>" in page.text
    assert 'aria-current="page">地域課題ボード' in page.text
    nodes = [e["node"] for e in api["regionalIssues"]["edges"]]
    assert _cards(page.text) == [n["title"] for n in nodes]
    first = next(n for n in nodes if n["id"] == str(data.first_issue))
    card = page.text.split(f'id="issue-{data.first_issue}"')[1].split("</li>\n")[0]
    assert f'{first["consultationCount"]}<span class="unit">件' in card
    assert "<svg class=\"sparkline\"" in card and "<polyline" in card and "style=" not in card
    examples = re.findall(r'<span class="when">[^<]+</span> ([^<]+)</li>', card)
    assert len(examples) == 3 == len(first["consultations"]["edges"])
    assert [unescape(e) for e in examples] == [c["node"]["summary"][:70] for c in first["consultations"]["edges"]]
    scene = await client.get(f"/issues?fy={FY}&scene=DEMENTIA")
    assert _cards(scene.text) == [] and "この年度・場面の地域課題はまだありません" in scene.text
    assert (await client.get("/issues?fy=1999")).status_code == 404
    assert (await client.get("/issues?scene=NOPE")).status_code == 404


async def test_confirm_dismiss_rename_and_a_title_error_beside_the_field(client, sessions, gql, world):
    data = await hub_data(gql, sessions, world, members=False)
    await _manager(client, sessions, world)
    r = await _post(client, f"/issues/{data.second_issue}/status", {"status": "DISMISSED", "back": f"/issues?fy={FY}"})
    assert r.status_code == 303 and r.headers["location"] == f"/issues?fy={FY}&done=dismissed#issue-{data.second_issue}"
    board = await client.get(r.headers["location"])
    assert "地域課題を対象外にしました。" in board.text
    assert f'id="issue-{data.second_issue}"' in board.text and "対象外</span>" in board.text
    r = await _post(client, f"/issues/{data.first_issue}/rename", {"title": "  "}, page=f"/issues/{data.first_issue}")
    assert r.status_code == 400 and "課題名は1〜200文字で入力してください。" in r.text
    assert 'aria-invalid="true"' in r.text and 'class="field-error" id="f-title-error"' in r.text
    r = await _post(client, f"/issues/{data.first_issue}/rename", {"title": "在宅医の確保（退院時）"},
                    page=f"/issues/{data.first_issue}")
    assert r.status_code == 303
    api = (await gql(world.manager, ISSUE, {"id": str(data.first_issue)}))["data"]["regionalIssue"]
    assert api["title"] == "在宅医の確保（退院時）"
    page = await client.get(r.headers["location"])
    assert "<h1>在宅医の確保（退院時）</h1>" in page.text and "課題名を変更しました。" in page.text


async def test_merging_two_issues_takes_two_steps_and_moving_a_consultation_changes_the_counts(
        client, sessions, gql, world):
    data = await hub_data(gql, sessions, world, members=False)
    await _manager(client, sessions, world)
    one = await _post(client, "/issues/merge", {"fy": str(FY), "ids": [str(data.first_issue)]})
    assert one.status_code == 303 and "error=merge" in one.headers["location"]
    assert "2件以上選んでください" in (await client.get(one.headers["location"])).text
    other_scene = await _raise(sessions, world, data.consultation_ids[:2], CareScene.DEMENTIA, "認知症の受診拒否")
    mixed = await _post(client, "/issues/merge", {"fy": str(FY), "ids": [str(data.first_issue), str(other_scene)],
                                                  "into": str(data.first_issue)})
    assert mixed.status_code == 400 and "統合できるのは同じ拠点・同じ場面・同じ年度の課題だけです。" in mixed.text
    assert 'id="f-into-error"' in mixed.text
    ids = [str(data.first_issue), str(data.second_issue)]
    choose = await _post(client, "/issues/merge", {"fy": str(FY), "ids": ids})
    assert choose.status_code == 200 and "統合先（残す地域課題）" in choose.text
    assert choose.text.count('type="radio" name="into"') == 2
    merged = await _post(client, "/issues/merge", {"fy": str(FY), "ids": ids, "into": str(data.first_issue)})
    assert merged.status_code == 303 and "done=merged" in merged.headers["location"]
    api = (await gql(world.manager, ISSUE, {"id": str(data.first_issue)}))["data"]["regionalIssue"]
    assert api["consultationCount"] == 8
    assert (await gql(world.manager, ISSUE, {"id": str(data.second_issue)}))["data"]["regionalIssue"] is None
    board = await client.get(merged.headers["location"])
    assert "地域課題を統合しました。" in board.text and f'id="issue-{data.second_issue}"' not in board.text

    issue_page = await client.get(f"/issues/{data.first_issue}")
    assert issue_page.status_code == 200 and issue_page.text.count('class="move-form"') == 8
    moved = await _post(client, f"/issues/{data.first_issue}/move",
                        {"consultationId": str(data.consultation_ids[0]), "toIssueId": ""},
                        page=f"/issues/{data.first_issue}")
    assert moved.status_code == 303 and moved.headers["location"].endswith("done=removed")
    api = (await gql(world.manager, ISSUE, {"id": str(data.first_issue)}))["data"]["regionalIssue"]
    assert api["consultationCount"] == 7
    gone = await _post(client, f"/issues/{data.first_issue}/move",
                       {"consultationId": str(data.consultation_ids[0]), "toIssueId": ""}, page=f"/issues/{data.first_issue}")
    assert gone.status_code == 404


async def test_regrouping_is_followed_until_the_job_is_done(client, sessions, gql, world, app):
    await hub_data(gql, sessions, world, members=False)
    await _manager(client, sessions, world)
    r = await _post(client, "/issues/regroup", {"fy": str(FY)})
    assert r.status_code == 303
    job = re.search(r"job=(\d+)", r.headers["location"]).group(1)
    board = await client.get(r.headers["location"])
    assert 'hx-trigger="every 1s"' in board.text and "<progress" in board.text
    polled = await client.get(f"/issues/jobs/{job}?fy={FY}", headers={"hx-request": "true"})
    assert polled.status_code == 200 and "hx-get" in polled.text and "順番待ち" in polled.text
    await app.state.dispatcher.run_pending()
    done = await client.get(f"/issues/jobs/{job}?fy={FY}", headers={"hx-request": "true"})
    assert done.headers["HX-Redirect"] == f"/issues?fy={FY}&done=regrouped"
    assert "再グループ化が完了しました。" in (await client.get(done.headers["HX-Redirect"])).text
    assert (await client.get("/issues/jobs/99999999?fy=2025")).status_code == 404
    early = await _post(client, "/issues/regroup", {"fy": "2015"})
    assert early.status_code == 400 and "2015年度はこの拠点のデータの範囲外です" in early.text


async def test_members_are_added_with_japanese_field_errors_and_removed(client, sessions, world):
    await _manager(client, sessions, world)
    page = await client.get("/members")
    assert page.status_code == 200 and "まだ委員が登録されていません" in page.text
    bad = await _post(client, "/members", {"name": "", "organization": "", "email": "not-an-address"}, page="/members")
    assert bad.status_code == 400 and 'id="f-name-error"' in bad.text and "氏名" in bad.text
    bad = await _post(client, "/members", {"name": "佐藤 花子", "email": "not-an-address"}, page="/members")
    assert bad.status_code == 400
    assert "メールアドレスの形式が正しくありません。" in bad.text and 'id="f-email-error"' in bad.text
    assert 'value="佐藤 花子"' in bad.text and 'value="not-an-address"' in bad.text
    ok = await _post(client, "/members", {"name": "佐藤 花子", "organization": "市医師会", "email": "Hanako@Example.jp"},
                     page="/members")
    assert ok.status_code == 303 and ok.headers["location"] == "/members?done=added"
    listed = await client.get(ok.headers["location"])
    assert "委員を追加しました。" in listed.text and "hanako@example.jp" in listed.text
    dup = await _post(client, "/members", {"name": "別人", "email": "hanako@example.jp"}, page="/members")
    assert dup.status_code == 400 and "このメールアドレスの委員は既に登録されています。" in dup.text
    member_id = re.search(r'id="member-(\d+)"', listed.text).group(1)
    removed = await _post(client, f"/members/{member_id}/remove", {}, page="/members")
    assert removed.status_code == 303
    assert "hanako@example.jp" not in (await client.get("/members")).text


async def test_a_meeting_is_scheduled_previewed_as_mailed_an_example_dropped_and_sent(
        client, sessions, gql, world, app, settings, smtp_server):
    handler, config = smtp_server
    data = await hub_data(gql, sessions, world)
    await _manager(client, sessions, world)
    form = await client.get("/meetings/new")
    assert form.status_code == 200 and form.text.count('name="recipientEmails"') == 2
    bad = await _post(client, "/meetings/new", {"fy": str(FY), "title": "", "heldOn": "2025-06-10",
                                                "recipientEmails": [m[2] for m in MEMBERS]}, page="/meetings/new")
    assert bad.status_code == 400 and "会議名は1〜200文字で入力してください。" in bad.text
    bad = await _post(client, "/meetings/new", {"fy": str(FY), "title": "第1回 推進会議", "heldOn": "2025-06-10",
                                                "recipientEmails": [m[2] for m in MEMBERS]}, page="/meetings/new")
    assert bad.status_code == 400 and "議題にする地域課題を1つ以上指定してください。" in bad.text
    assert 'id="f-issueIds-error"' in bad.text
    held_on = clock.today().isoformat()
    r = await _post(client, "/meetings/new", {"fy": str(FY), "title": "第1回 推進会議", "heldOn": held_on,
                                              "issueIds": [str(data.first_issue)],
                                              "recipientEmails": [m[2] for m in MEMBERS]}, page="/meetings/new")
    assert r.status_code == 303
    meeting_id = re.search(r"/meetings/(\d+)", r.headers["location"]).group(1)
    pending = await client.get(r.headers["location"])
    assert "会議を登録しました。" in pending.text and "作成中" in pending.text and 'hx-trigger="every 2s"' in pending.text
    assert (await client.get(f"/meetings/{meeting_id}/packet")).status_code == 404    # not built yet
    await app.state.dispatcher.run_pending()
    page = await client.get(f"/meetings/{meeting_id}")
    assert '<iframe src="/meetings/' in page.text and 'sandbox="allow-same-origin"' in page.text
    assert "委員2名に資料を送付する" in page.text and page.text.count("この例を資料から外す") == 3
    packet = await client.get(f"/meetings/{meeting_id}/packet")
    api = (await gql(world.manager, operation("hub.graphql", "HubMeetingPacket"), {"id": meeting_id}))["data"]
    assert packet.text == api["hubMeeting"]["packet"]["html"]
    assert "frame-ancestors 'self'" in packet.headers["content-security-policy"]
    assert "script-src" not in packet.headers["content-security-policy"]

    dropped = re.search(r'name="consultationId" value="(\d+)"', page.text).group(1)
    r = await _post(client, f"/meetings/{meeting_id}/drop", {"consultationId": dropped}, page=f"/meetings/{meeting_id}")
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert "例を資料から外し" in page.text and f'name="consultationId" value="{dropped}"' not in page.text

    r = await _post(client, f"/meetings/{meeting_id}/send", {}, page=f"/meetings/{meeting_id}")
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert "送付を受け付けました" in page.text and "未送付" in page.text
    await Dispatcher(settings=settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{config.port}"}),
                     sessions=sessions).run_pending()
    assert sorted(r for e in handler.envelopes for r in e.rcpt_tos) == sorted(m[2] for m in MEMBERS)
    state = await client.get(f"/meetings/{meeting_id}/status", headers={"hx-request": "true"})
    assert state.text.count("送信済み") == 2 and "hx-trigger" not in state.text
    listing = await client.get("/meetings")
    assert "第1回 推進会議" in listing.text and "送付済み" in listing.text
    assert "この例を資料から外す" not in (await client.get(f"/meetings/{meeting_id}")).text


async def test_another_hubs_people_find_nothing_and_the_pages_show_no_more_than_the_api(
        client, sessions, gql, world, other_world, app):
    data = await hub_data(gql, sessions, world)
    api = (await gql(other_world.manager, ISSUE, {"id": str(data.first_issue)}))["data"]["regionalIssue"]
    assert api is None
    await log_in(client, sessions, user_id=other_world.manager_id, email=other_world.emails["manager"])
    board = await client.get(f"/issues?fy={FY}")
    assert board.status_code == 200 and _cards(board.text) == []
    assert "訪問診療医" not in board.text and "夜間の連絡体制" not in board.text
    assert (await client.get(f"/issues/{data.first_issue}")).status_code == 404
    for path, body in [(f"/issues/{data.first_issue}/status", {"status": "DISMISSED"}),
                       (f"/issues/{data.first_issue}/rename", {"title": "乗っ取り"}),
                       (f"/issues/{data.first_issue}/move", {"consultationId": str(data.consultation_ids[0])})]:
        assert (await _post(client, path, body)).status_code == 404, path
    merged = await _post(client, "/issues/merge", {"fy": str(FY), "ids": [str(data.first_issue), str(data.second_issue)],
                                                   "into": str(data.first_issue)})
    assert merged.status_code == 404
    members = await client.get("/members")
    assert MEMBERS[0][2] not in members.text

    # a coordinator of the hub: the API gives them no member list, so the page is not there either
    client.cookies.clear()
    await log_in(client, sessions, user_id=world.coordinator_id, email=world.emails["coordinator"])
    assert (await gql(world.coordinator, operation("hub.graphql", "HubMembers"),
                      {"hubId": str(world.hub_id)}))["data"]["hub"]["members"] is None
    assert (await client.get("/members")).status_code == 404
    client.cookies.clear()
    await log_in(client, sessions, user_id=world.ids["analyst"], email=world.emails["analyst"])
    assert (await client.get("/issues")).status_code == 404
    assert (await client.get("/meetings")).status_code == 404
