"""Reading the directory: one entry in scope, and the batches the API's loaders ask for. The whole
directory is open to every signed-in role but a facility contact, who sees the one entry they keep."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.errors import NotFound, UserInputError, parse_id
from backend.resources.models import (ResourceAttribute, ResourceCapacity, ResourceContact, ResourceIdentifier,
                                      ResourceLocation, ResourceOrganization, ResourcePhone, ResourceSchedule,
                                      ResourceService, ResourceServiceArea, ResourceServiceAtLocation)

WHAT = "事業所（資源）"


async def exists(session: AsyncSession, *, service_id: int) -> bool:
    return await session.scalar(select(ResourceService.id).where(ResourceService.id == service_id)) is not None


def parse_service_id(raw: object, field: Sequence[str]) -> int:
    return parse_id(raw, field, WHAT)


async def require_visible(session: AsyncSession, *, actor: Actor, service_id: object, field: Sequence[str] = ("id",),
                          for_update: bool = False) -> ResourceService:
    sid = parse_service_id(service_id, field)
    if not policy.sees_resource(actor, sid):
        raise NotFound(field, WHAT)
    stmt = select(ResourceService).where(ResourceService.id == sid)
    if for_update:
        stmt = stmt.with_for_update()
    row = await session.scalar(stmt)
    if row is None:
        raise NotFound(field, WHAT)
    return row


async def get_visible(session: AsyncSession, *, actor: Actor, service_id: object) -> ResourceService | None:
    try:
        return await require_visible(session, actor=actor, service_id=service_id)
    except UserInputError:
        return None


async def services_by_ids(session: AsyncSession, ids: list[int]) -> dict[int, ResourceService]:
    return {s.id: s for s in await session.scalars(select(ResourceService).where(ResourceService.id.in_(ids)))}


async def _grouped(session: AsyncSession, model, ids: list[int], *order) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for row in await session.scalars(select(model).where(model.service_id.in_(ids)).order_by(*order)):
        out[row.service_id].append(row)
    return out


async def phones_for(session: AsyncSession, ids: list[int]) -> dict[int, list[ResourcePhone]]:
    return await _grouped(session, ResourcePhone, ids, ResourcePhone.type.desc(), ResourcePhone.id)


async def attributes_for(session: AsyncSession, ids: list[int]) -> dict[int, list[ResourceAttribute]]:
    return await _grouped(session, ResourceAttribute, ids, ResourceAttribute.id)


async def capacities_for(session: AsyncSession, ids: list[int]) -> dict[int, list[ResourceCapacity]]:
    return await _grouped(session, ResourceCapacity, ids, ResourceCapacity.unit)


async def schedules_for(session: AsyncSession, ids: list[int]) -> dict[int, list[ResourceSchedule]]:
    return await _grouped(session, ResourceSchedule, ids, ResourceSchedule.day, ResourceSchedule.opens_min)


async def areas_for(session: AsyncSession, ids: list[int]) -> dict[int, list[ResourceServiceArea]]:
    return await _grouped(session, ResourceServiceArea, ids, ResourceServiceArea.municipality_code,
                          ResourceServiceArea.chome)


async def contacts_for(session: AsyncSession, ids: list[int]) -> dict[int, list[ResourceContact]]:
    return await _grouped(session, ResourceContact, ids, ResourceContact.id)


async def identifiers_for(session: AsyncSession, ids: list[int]) -> dict[int, list[ResourceIdentifier]]:
    return await _grouped(session, ResourceIdentifier, ids, ResourceIdentifier.id)


async def locations_for(session: AsyncSession, ids: list[int]) -> dict[int, list[ResourceLocation]]:
    rows = await session.execute(
        select(ResourceServiceAtLocation.service_id, ResourceLocation)
        .join(ResourceLocation, ResourceLocation.id == ResourceServiceAtLocation.location_id)
        .where(ResourceServiceAtLocation.service_id.in_(ids)).order_by(ResourceLocation.id))
    out: dict[int, list[ResourceLocation]] = defaultdict(list)
    for service_id, location in rows:
        out[service_id].append(location)
    return out


async def organizations_by_ids(session: AsyncSession, ids: list[int]) -> dict[int, ResourceOrganization]:
    return {o.id: o for o in await session.scalars(select(ResourceOrganization).where(ResourceOrganization.id.in_(ids)))}


def capacity_is_current(row: ResourceCapacity, now: datetime) -> bool:
    """Vacancy counts only until its validity ends: after that it is unknown, never the old number."""
    return row.valid_until > now


@dataclass
class Prefetched:
    """A page's nested rows, loaded with the page in its own session (one statement per kind of row),
    so a search result needs no further round trips whatever the page size."""

    phones: list = field(default_factory=list)
    locations: list = field(default_factory=list)
    schedules: list = field(default_factory=list)
    capacities: list = field(default_factory=list)
    attributes: list = field(default_factory=list)


async def prefetch(session: AsyncSession, ids: list[int]) -> dict[int, Prefetched]:
    out = {i: Prefetched() for i in ids}
    if not ids:
        return out
    for name, fetch in (("phones", phones_for), ("locations", locations_for), ("schedules", schedules_for),
                        ("capacities", capacities_for), ("attributes", attributes_for)):
        for service_id, rows in (await fetch(session, ids)).items():
            setattr(out[service_id], name, rows)
    return out
