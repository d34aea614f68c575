from dataclasses import dataclass

from backend.taxonomy import Role


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a user (API, CLI) or the system (workers, cron: user_id None)."""

    user_id: int | None
    role: Role
    hub_id: int | None = None
    prefecture_code: str | None = None
    service_id: int | None = None          # FACILITY_CONTACT: the one directory entry they keep
    display_name: str = ""

    @property
    def is_system(self) -> bool:
        return self.user_id is None


SYSTEM = Actor(user_id=None, role=Role.ADMIN, display_name="system")
