"""Per-request DataLoaders. Each batch opens its own short session: graphql-core resolves sibling
fields concurrently and one AsyncSession must never serve two of them. Loaders of what only some may
read take the request's actor and leave the scope to the service."""

from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from backend.accounts import service as accounts
from backend.accounts.actor import Actor
from backend.consultations import persons
from backend.consultations import service as consultations
from backend.db import reading
from backend.issues import service as issues
from backend.regions import service as regions
from backend.resources import corrections as resource_corrections
from backend.resources import directory, referrals


def _loader(sessions: async_sessionmaker[AsyncSession],
            fetch: Callable[[AsyncSession, list], Awaitable[dict]], default: Any = None) -> DataLoader:
    async def load(keys: Sequence) -> list:
        async with reading(sessions) as session:
            found = await fetch(session, list(keys))
        return [found.get(k, default) for k in keys]
    return DataLoader(load_fn=load)


class Loaders:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], actor: Actor) -> None:
        self.user = _loader(sessions, accounts.users_by_ids)
        self.actions = _loader(sessions, consultations.actions_for, [])
        self.case_number = _loader(sessions, persons.case_numbers)
        self.hub = _loader(sessions, regions.hubs_by_ids)
        self.area = _loader(sessions, regions.areas_by_ids)
        self.area_municipalities = _loader(sessions, regions.area_municipality_codes, [])
        self.issues_of_consultation = _loader(sessions, issues.issues_for_consultations, [])
        self.issue_consultations = _loader(sessions, partial(issues.issue_consultations, actor=actor), [])
        # the resource directory
        self.resource_service = _loader(sessions, directory.services_by_ids)
        self.resource_organization = _loader(sessions, directory.organizations_by_ids)
        self.resource_phones = _loader(sessions, directory.phones_for, [])
        self.resource_attributes = _loader(sessions, directory.attributes_for, [])
        self.resource_capacities = _loader(sessions, directory.capacities_for, [])
        self.resource_schedules = _loader(sessions, directory.schedules_for, [])
        self.resource_areas = _loader(sessions, directory.areas_for, [])
        self.resource_locations = _loader(sessions, directory.locations_for, [])
        self.resource_contacts = _loader(sessions, directory.contacts_for, [])
        self.resource_identifiers = _loader(sessions, directory.identifiers_for, [])
        self.resource_verifications = _loader(sessions, partial(resource_corrections.verifications_for, actor=actor), [])
        self.resource_open_corrections = _loader(sessions, resource_corrections.open_corrections_for, 0)
        self.action_referrals = _loader(sessions, referrals.referrals_for_actions, [])
