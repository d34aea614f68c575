from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend.regions import codes
from backend.regions import models


@strawberry.type
class Prefecture:
    code: str
    name: str

    @classmethod
    def of(cls, code: str) -> Prefecture:
        return cls(code=code, name=codes.prefecture_names()[code])


@strawberry.type
class Municipality:
    code: str
    code6: str
    name: str
    prefecture_code: strawberry.Private[str]

    @strawberry.field
    def prefecture(self) -> Prefecture:
        return Prefecture.of(self.prefecture_code)

    @classmethod
    def of(cls, code: str) -> Municipality:
        m = codes.lookup(code)
        return cls(code=m.code, code6=m.code6, name=m.name, prefecture_code=m.prefecture_code)


@strawberry.type
class Area:
    id: strawberry.ID
    name: str
    prefecture_code: strawberry.Private[str]

    @strawberry.field
    def prefecture(self) -> Prefecture:
        return Prefecture.of(self.prefecture_code)

    @strawberry.field
    async def municipalities(self, info: Info) -> list[Municipality]:
        return [Municipality.of(c) for c in await info.context.loaders.area_municipalities.load(int(self.id))]

    @classmethod
    def of(cls, row: models.Area) -> Area:
        return cls(id=strawberry.ID(str(row.id)), name=row.name, prefecture_code=row.prefecture_code)


@strawberry.type
class Hub:
    id: strawberry.ID
    name: str
    area_id: strawberry.Private[int]

    @strawberry.field
    async def area(self, info: Info) -> Area:
        return Area.of(await info.context.loaders.area.load(self.area_id))

    @classmethod
    def of(cls, row: models.Hub) -> Hub:
        return cls(id=strawberry.ID(str(row.id)), name=row.name, area_id=row.area_id)
