"""create_app(settings): /graphql (bearer token), /healthz, report downloads."""

import logging
import uuid
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from strawberry.fastapi import GraphQLRouter

from backend.accounts import service as accounts
from backend.accounts.actor import Actor
from backend.api.context import Context
from backend.api.schema import build_schema
from backend.audit.service import request_id
from backend.db import make_engine, make_sessions
from backend.jobs.dispatch import Dispatcher
from backend.reports import routes as report_routes
from backend.reports.cache import OverviewCache
from backend.settings import Settings, get_settings
from backend.text import scenes
from backend.text import store as text_store

log = logging.getLogger("renkei.app")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    scenes.configure(settings.lexicon_paths)  # a broken lexicon file stops the start, naming file and line
    accounts.token_cache.ttl = settings.token_cache_seconds
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    sessions = make_sessions(engine)
    dispatcher = Dispatcher(settings=settings, sessions=sessions)
    overviews = OverviewCache(settings.dashboard_cache_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await text_store.start(sessions, lexicon_paths=settings.lexicon_paths)  # the scene model all processes share
        await dispatcher.start()
        yield
        await dispatcher.stop()
        await engine.dispose()

    app = FastAPI(title="Renkei Desk", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings, app.state.engine, app.state.sessions, app.state.dispatcher = settings, engine, sessions, dispatcher

    async def authenticate(request: Request) -> Actor:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(401, "認証が必要です（Authorization: Bearer <token>）。",
                                headers={"WWW-Authenticate": "Bearer"})
        actor = accounts.token_cache.get(accounts.hash_token(token.strip()))
        if actor is None:
            async with sessions() as session:
                actor = await accounts.authenticate(session, token=token.strip())
        if actor is None:
            raise HTTPException(401, "トークンが無効です。", headers={"WWW-Authenticate": "Bearer"})
        return actor

    async def context(actor: Actor = Depends(authenticate)) -> Context:
        return Context(settings=settings, sessions=sessions, actor=actor, dispatch=dispatcher.nudge, overviews=overviews)

    app.state.authenticate = authenticate
    router = GraphQLRouter(build_schema(settings), context_getter=context,
                           graphql_ide="graphiql" if settings.graphql_ide else None)
    app.include_router(router, prefix="/graphql")
    app.include_router(report_routes.router(authenticate))

    @app.middleware("http")
    async def limits_and_request_id(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_document_bytes:
            return JSONResponse({"errors": [{"message": "リクエストが大きすぎます。"}]}, status_code=413)
        token = request_id.set(uuid.uuid4().hex[:16])
        try:
            return await call_next(request)
        finally:
            request_id.reset(token)

    @app.get("/healthz")
    async def healthz():
        try:
            async with sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            log.exception("health check: database unreachable")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return {"status": "ok"}

    return app
