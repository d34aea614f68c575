"""The yardstick for the edge benchmark: a bare FastAPI + strawberry app, nothing of ours but the same
bounded parser and validation caches as `backend/api/schema.py`. Whatever `{ __typename }` costs on our
app beyond this app's cost is our edge (authentication, body cap, access log, our HTTP endpoint, the
limits). Served by uvicorn with the same options as `renkei serve`:

    .venv/bin/python -m uvicorn tests.bench.bare_app:app --port 8001 --no-access-log
"""

import strawberry
from fastapi import FastAPI
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.fastapi import GraphQLRouter


@strawberry.type
class Query:
    @strawberry.field
    def ok(self) -> bool:
        return True


schema = strawberry.Schema(query=Query, extensions=[lambda: ParserCache(maxsize=256),
                                                    lambda: ValidationCache(maxsize=256)])
app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
app.include_router(GraphQLRouter(schema, graphql_ide=None), prefix="/graphql")


@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}
