"""Taxonomies a prefecture adapts: new labels, order and values in force from a date, the old labels in
older periods, retired values kept, only an admin, no value ever dropped."""

from datetime import date

import pytest

from backend.accounts.actor import SYSTEM, Actor
from backend.db import transaction
from backend.errors import Forbidden, UserInputError
from backend.fiscal import fiscal_year_of
from backend.reports import desk
from backend.taxonomies import service as taxonomies
from backend.taxonomy import ConsultationCategory, Role
from tests import clock
from tests.desk.test_desk_report import seed



def adapted_terms() -> list[taxonomies.Term]:
    terms = []
    for t in taxonomies.shipped("category"):
        if t.key == "find_home_physician":
            t = taxonomies.Term(t.key, "在宅医・往診医の紹介", 1, t.scene)
        elif t.key == "other":
            t = taxonomies.Term(t.key, t.label, 99, t.scene, retired=True)
        else:
            t = taxonomies.Term(t.key, t.label, t.order + 1, t.scene)
        terms.append(t)
    terms.append(taxonomies.Term("rehabilitation", "リハビリ", 2, "daily_care"))
    return terms


async def test_reports_use_the_labels_in_force_for_their_period(gql, world, sessions):
    await seed(gql, world)
    fy = fiscal_year_of(clock.earlier_today())
    async with transaction(sessions) as s:
        await taxonomies.publish(s, actor=SYSTEM, kind="category", valid_from=date(fy, 4, 1), terms=adapted_terms(),
                                 prefecture_code=world.prefecture_code)
    async with sessions() as s:
        period = desk.Period("fiscal_year", fy)
        now = await desk.build(s, hub_id=world.hub_id, period=period, public=False, threshold=10)
        before = await desk.build(s, hub_id=world.hub_id, period=desk.Period("fiscal_year", fy - 1), public=False,
                                  threshold=10)
    rows = now.table("category").rows
    assert [r.label for r in rows[:2]] == ["在宅医・往診医の紹介", "リハビリ"]
    assert {r.key: r.current.count for r in rows}["find_home_physician"] == 1
    assert "other" not in {r.key for r in rows}                 # retired and unused: not listed
    old = before.table("category").rows
    assert old[0].label == ConsultationCategory.FIND_HOME_PHYSICIAN.label
    assert "rehabilitation" not in {r.key for r in old}


async def test_only_an_admin_adapts_and_nothing_is_dropped(sessions, world):
    terms = adapted_terms()
    async with sessions() as s:
        coordinator = Actor(user_id=world.coordinator_id, role=Role.COORDINATOR, hub_id=world.hub_id)
        with pytest.raises(Forbidden):
            await taxonomies.publish(s, actor=coordinator, kind="category", valid_from=date(2026, 4, 1), terms=terms)
        with pytest.raises(UserInputError) as e:
            await taxonomies.publish(s, actor=SYSTEM, kind="category", valid_from=date(2026, 4, 1), terms=terms[1:])
        assert e.value.code == "RETIRE_NOT_DELETE"
        with pytest.raises(UserInputError):
            await taxonomies.publish(s, actor=SYSTEM, kind="category", valid_from=date(2026, 4, 1),
                                     terms=[*terms, taxonomies.Term("Bad Key", "x", 1, "daily_care")])
        await s.rollback()
