from dataclasses import dataclass

import pytest

from backend.accounts import service as accounts
from backend.accounts.actor import SYSTEM
from backend.db import transaction
from backend.taxonomy import Role
from tests.resources.directory import new_service, tag


@dataclass
class Facility:
    service_id: str
    other_service_id: str
    token: str


@pytest.fixture
async def facility(gql, world, sessions) -> Facility:
    """A facility contact and the one entry they keep (and another entry that is not theirs)."""
    t = tag()
    mine = await new_service(gql, world.coordinator, f"受け持ち{t}", kind="SHORT_STAY")
    other = await new_service(gql, world.coordinator, f"よその施設{t}", kind="SHORT_STAY")
    async with transaction(sessions) as s:
        _, token = await accounts.create_user(s, actor=SYSTEM, email=f"facility-{t}@example.jp", display_name="施設担当",
                                              role=Role.FACILITY_CONTACT, service_id=int(mine))
    return Facility(service_id=mine, other_service_id=other, token=token)
