from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend import policy
from backend.accounts import models
from backend.api.context import Context
from backend.api.enums import Role
from backend.regions.types import Hub
from backend.reports.types import Prefecture
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
    def email(self, info: Info[Context, None]) -> str | None:
        return self.user_email if policy.sees_email_of(info.context.actor, int(self.id)) else None

    @strawberry.field
    async def hub(self, info: Info[Context, None]) -> Hub | None:
        return Hub.of(await info.context.loaders.hub.load(self.hub_id)) if self.hub_id else None

    @strawberry.field(description="The analyst's prefecture, or the prefecture of the hub's area.")
    async def prefecture(self, info: Info[Context, None]) -> Prefecture | None:
        if self.prefecture_code:
            return Prefecture.of(self.prefecture_code)
        if self.hub_id:
            hub = await info.context.loaders.hub.load(self.hub_id)
            area = await info.context.loaders.area.load(hub.area_id)
            return Prefecture.of(area.prefecture_code)
        return None

    @classmethod
    def of(cls, row: models.User) -> User:
        return cls(id=strawberry.ID(str(row.id)), display_name=row.display_name, role=RoleKey(row.role),
                   user_email=row.email, hub_id=row.hub_id, prefecture_code=row.prefecture_code)
