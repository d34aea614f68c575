"""Who may see and do what: every role and scope predicate, in one place (domain.md, "People").

Services call these and nothing else decides scope: the GraphQL resolvers, the screens, the workers and
the CLI all go through the services. Out of scope is answered exactly like not found by the callers."""

from sqlalchemy import ColumnElement, false

from backend.accounts.actor import Actor
from backend.taxonomy import Role

DESK_ROLES = frozenset({Role.COORDINATOR, Role.HUB_MANAGER})


def is_admin(actor: Actor) -> bool:
    return actor.role is Role.ADMIN


def works_at(actor: Actor, hub_id: int | None) -> bool:
    """The hub's desk (coordinators and its manager): its consultations whole, its issues and meetings."""
    return actor.role in DESK_ROLES and actor.hub_id is not None and actor.hub_id == hub_id


def manages(actor: Actor, hub_id: int | None) -> bool:
    """The hub's manager: curates its regional issues, prepares and sends its meeting packets."""
    return actor.role is Role.HUB_MANAGER and actor.hub_id is not None and actor.hub_id == hub_id


def keeps_members(actor: Actor, hub_id: int | None) -> bool:
    """The 協議の場 member list: the hub's manager, and admins who set hubs up."""
    return is_admin(actor) or manages(actor, hub_id)


def reads_prefecture(actor: Actor, prefecture_code: str | None) -> bool:
    """Aggregates, issue titles and reports of a prefecture's hubs: its analysts and admins."""
    return is_admin(actor) or (actor.role is Role.PREFECTURE_ANALYST and prefecture_code is not None
                               and actor.prefecture_code == prefecture_code)


def sees_hub(actor: Actor, hub_id: int, prefecture_code: str | None) -> bool:
    """The hub itself (name, area, issue titles): its desk, its prefecture's analysts, admins."""
    return works_at(actor, hub_id) or reads_prefecture(actor, prefecture_code)


def sees_consultations_of(actor: Actor, hub_id: int | None) -> bool:
    """Consultations (text, subject) stay with the hub's desk; analysts and admins never read them."""
    return works_at(actor, hub_id)


def consultation_scope(actor: Actor, hub_column: ColumnElement) -> ColumnElement[bool]:
    """The WHERE clause of every read of consultations."""
    if actor.role in DESK_ROLES and actor.hub_id is not None:
        return hub_column == actor.hub_id
    return false()


def writes_consultations(actor: Actor) -> bool:
    return actor.role in DESK_ROLES and actor.hub_id is not None


def may_be_assigned(actor: Actor, *, user_role: Role, user_hub_id: int | None, active: bool) -> bool:
    """A consultation is assigned within its hub's desk, to an active account."""
    return active and user_role in DESK_ROLES and user_hub_id is not None and user_hub_id == actor.hub_id


def sees_job(actor: Actor, *, created_by_id: int | None, hub_id: int | None, prefecture_code: str | None) -> bool:
    """A job its starter, its hub's desk or its prefecture's analysts may follow."""
    return (is_admin(actor) or (created_by_id is not None and created_by_id == actor.user_id)
            or works_at(actor, hub_id) or (prefecture_code is not None and reads_prefecture(actor, prefecture_code)))


def sees_email_of(actor: Actor, user_id: int) -> bool:
    """An account's e-mail address: its owner and admins."""
    return is_admin(actor) or actor.user_id == user_id


def administers(actor: Actor) -> bool:
    """Set-up data and accounts: areas, hubs, users, tokens."""
    return is_admin(actor)


# --- the resource directory ----------------------------------------------------------------------

def reads_directory(actor: Actor) -> bool:
    """The whole directory: every signed-in role but a facility contact, who keeps one entry."""
    return actor.role is not Role.FACILITY_CONTACT


def sees_resource(actor: Actor, service_id: int) -> bool:
    return reads_directory(actor) or keeps_resource(actor, service_id)


def keeps_resource(actor: Actor, service_id: int) -> bool:
    """A facility contact's own entry: its vacancy, hours, area and self-reported capabilities."""
    return actor.role is Role.FACILITY_CONTACT and actor.service_id is not None and actor.service_id == service_id


def verifies_resources(actor: Actor) -> bool:
    """A desk confirms capabilities by calling the facility (デスク確認) and resolves corrections."""
    return actor.role in DESK_ROLES and actor.hub_id is not None


def updates_resource(actor: Actor, service_id: int) -> bool:
    """Vacancy, hours and service area: the desk, or the service's own facility contact."""
    return verifies_resources(actor) or keeps_resource(actor, service_id)


def curates_crosswalk(actor: Actor) -> bool:
    """Confirming or splitting matches between outside identifiers and entries; placing unmatched rows."""
    return is_admin(actor)


def records_referrals(actor: Actor) -> bool:
    return writes_consultations(actor)


def sees_unmet_needs_raw(actor: Actor, hub_id: int | None) -> bool:
    """A hub's own desk sees its unmet-need counts as they are; analysts see them suppressed."""
    return works_at(actor, hub_id)
