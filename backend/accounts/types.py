from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend.accounts import models
from backend.api.enums import Role
from backend.regions.types import Hub, Prefecture
from backend.taxonomy import Role as RoleKey


@strawberry.type
class User:
    id: strawberry.ID
    display_name: str
    role: Role
    user_email: strawberry.Private[str]
    hub_id: strawberry.Private[int | None]
    prefecture_code: strawberry.Private[str | None]

    @strawberry.field(description="Visible to the user and to administrators; null for others.")
    def email(self, info: Info) -> str | None:
        actor = info.context.actor
        return self.user_email if actor.role is RoleKey.ADMIN or str(actor.user_id) == self.id else None

    @strawberry.field
    async def hub(self, info: Info) -> Hub | None:
        return Hub.of(await info.context.loaders.hub.load(self.hub_id)) if self.hub_id else None

    @strawberry.field
    def prefecture(self) -> Prefecture | None:
        return Prefecture.of(self.prefecture_code) if self.prefecture_code else None

    @classmethod
    def of(cls, row: models.User) -> User:
        return cls(id=strawberry.ID(str(row.id)), display_name=row.display_name, role=RoleKey(row.role),
                   user_email=row.email, hub_id=row.hub_id, prefecture_code=row.prefecture_code)
