"""Set-up: areas, hubs, users (ADMIN only), and `me`."""

import strawberry
from strawberry.types import Info

from backend.accounts import service as accounts
from backend.accounts.types import User
from backend.api.context import Context
from backend.api.enums import Role
from backend.api.errors import UserError
from backend.api.mutations import mutation
from backend.errors import parse_id
from backend.regions import service as regions
from backend.regions.types import Area, Hub


@strawberry.input
class CreateAreaInput:
    prefecture_code: str
    name: str
    municipality_codes: list[str]


@strawberry.input
class CreateHubInput:
    area_id: strawberry.ID
    name: str


@strawberry.input
class CreateUserInput:
    email: str
    display_name: str
    role: Role
    hub_id: strawberry.ID | None = None
    prefecture_code: str | None = None
    service_id: strawberry.ID | None = strawberry.field(default=None, description="FACILITY_CONTACT: the entry they keep")


@strawberry.type
class AreaPayload:
    area: Area | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class HubPayload:
    hub: Hub | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateUserPayload:
    user: User | None = None
    api_token: str | None = strawberry.field(default=None, description="Shown once; only its hash is stored.")
    user_errors: list[UserError] = strawberry.field(default_factory=list)


_int_id = parse_id


@strawberry.type
class RevokeTokensPayload:
    revoked: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AccountQueries:
    @strawberry.field
    async def me(self, info: Info[Context, None]) -> User:
        async with info.context.read() as session:
            rows = await accounts.users_by_ids(session, [info.context.actor.user_id])
        return User.of(rows[info.context.actor.user_id])


@strawberry.type
class AccountMutations:
    @mutation()
    async def create_area(self, info: Info[Context, None], input: CreateAreaInput) -> AreaPayload:
        async with info.context.transaction() as session:
            area = await regions.create_area(session, actor=info.context.actor, prefecture_code=input.prefecture_code,
                                             name=input.name, municipality_codes=input.municipality_codes)
        return AreaPayload(area=Area.of(area))

    @mutation()
    async def create_hub(self, info: Info[Context, None], input: CreateHubInput) -> HubPayload:
        async with info.context.transaction() as session:
            hub = await regions.create_hub(session, actor=info.context.actor,
                                           area_id=_int_id(input.area_id, ["input", "areaId"], "圏域"), name=input.name)
        return HubPayload(hub=Hub.of(hub))

    @mutation(description="Creates an account; its API token is shown once, here.")
    async def create_user(self, info: Info[Context, None], input: CreateUserInput) -> CreateUserPayload:
        async with info.context.transaction() as session:
            hub_id = _int_id(input.hub_id, ["input", "hubId"], "拠点") if input.hub_id else None
            service_id = _int_id(input.service_id, ["input", "serviceId"], "事業所（資源）") if input.service_id else None
            user, token = await accounts.create_user(
                session, actor=info.context.actor, email=input.email, display_name=input.display_name,
                role=input.role, hub_id=hub_id, prefecture_code=input.prefecture_code, service_id=service_id)
        return CreateUserPayload(user=User.of(user), api_token=token)

    @mutation(description="Revokes every API token of a user (ADMIN).")
    async def revoke_user_tokens(self, info: Info[Context, None], user_id: strawberry.ID) -> RevokeTokensPayload:
        async with info.context.transaction() as session:
            count = await accounts.revoke_tokens(session, actor=info.context.actor,
                                                 user_id=_int_id(user_id, ["userId"], "利用者"))
        return RevokeTokensPayload(revoked=count)
