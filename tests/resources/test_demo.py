"""The demo holds a directory for its area: a newcomer's first search finds something."""

from backend.db import transaction
from backend.resources import demo
from backend.accounts.actor import Actor
from backend.taxonomy import Role
from tests.resources.directory import names, search


async def test_the_demo_directory_answers_a_first_search_and_loads_once(gql, world, sessions):
    desk = Actor(user_id=world.coordinator_id, role=Role.COORDINATOR, hub_id=world.hub_id, display_name="デモ")
    async with transaction(sessions) as s:
        first = await demo.load_directory(s, actor=desk)
    async with transaction(sessions) as s:
        again = await demo.load_directory(s, actor=desk)
    assert again == 0 and first in (0, len(demo.ENTRIES))
    found = await names(gql, world.coordinator, {"text": "デモ", "municipalityCode": "15202", "capabilities": ["ventilator"],
                                                 "populations": ["pediatric"]})
    assert found == ["訪問看護ステーションあおぞら長岡（デモ）"]
    [shortstay] = await search(gql, world.coordinator, {"text": "信濃川", "withVacancy": True})
    assert shortstay["capacity"][0]["available"] == 2
