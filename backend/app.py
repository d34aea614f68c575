"""create_app(settings): /graphql (bearer token), /healthz, report downloads (bearer token or a logged-in
browser), and the screens (backend/web)."""

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from backend import runtime, web
from backend.accounts.actor import Actor
from backend.accounts.throttle import LoginThrottle
from backend.api import http
from backend.api.auth import Authenticator, AuthError
from backend.api.context import Context
from backend.api.edge import EdgeMiddleware
from backend.api.schema import build_schema
from backend.db import make_engine, make_sessions
from backend.jobs.dispatch import Dispatcher
from backend.reports import routes as report_routes
from backend.reports.cache import OverviewCache
from backend.resources import routes as resource_routes
from backend.settings import Settings, get_settings
from backend.web.core import LoginRequired, browser_session, requested_path

log = logging.getLogger("renkei.app")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = runtime.configure(settings or get_settings())
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    sessions = make_sessions(engine)
    dispatcher = Dispatcher(settings=settings, sessions=sessions)
    overviews = OverviewCache(settings.dashboard_cache_seconds)
    authenticator = Authenticator(sessions, failures_per_minute=settings.auth_failures_per_minute)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await dispatcher.start()
        yield
        await dispatcher.stop()
        await engine.dispose()

    app = FastAPI(title="Renkei Desk", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings, app.state.engine, app.state.sessions, app.state.dispatcher = settings, engine, sessions, dispatcher

    async def context_for(request: Request) -> Context:
        try:
            actor = await authenticator.actor(request)
        except AuthError as e:
            raise http.RequestError(e.status, e.message, "UNAUTHENTICATED" if e.status == 401 else "TOO_MANY_REQUESTS",
                                    e.headers) from None
        return Context(settings=settings, sessions=sessions, actor=actor, dispatch=dispatcher.nudge, overviews=overviews)

    async def authenticate(request: Request) -> Actor:
        """The plain HTTP routes (downloads): a bearer token, or else a logged-in browser session (the
        links in e-mails). A browser without either is sent to the log-in page and comes back after."""
        if "authorization" not in request.headers:
            found = await browser_session(request)
            if found is not None and found.complete:
                return found.actor
            if "text/html" in request.headers.get("accept", ""):
                raise LoginRequired(requested_path(request))
        try:
            return await authenticator.actor(request)
        except AuthError as e:
            raise HTTPException(e.status, e.message, headers=e.headers) from None

    schema = build_schema(settings)
    app.state.authenticate, app.state.schema = authenticate, schema
    # a plain Starlette route: the endpoint reads the request itself, no dependency injection to pay for
    app.router.add_route("/graphql", http.endpoint(schema, context_for, ide=settings.graphql_ide,
                                                   max_document_bytes=settings.max_document_bytes),
                         methods=["GET", "POST"])
    app.include_router(report_routes.router(authenticate))
    web.mount(app, web.Web(settings=settings, sessions=sessions, schema=schema, throttle=LoginThrottle(settings),
                           context_for=lambda actor: Context(settings=settings, sessions=sessions, actor=actor,
                                                             dispatch=dispatcher.nudge, overviews=overviews)))
    app.include_router(resource_routes.router(authenticate))

    @app.get("/healthz")
    async def healthz():
        try:
            async with sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception as e:
            log.error("health check: database unreachable (%s)", type(e).__name__)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return {"status": "ok"}

    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_request_bytes)
    return app
