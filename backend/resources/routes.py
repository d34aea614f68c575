"""The HSDS API's required read-only endpoints under /hsds (`/`, `/services`, `/services/{id}`), and the
directory's downloads, with the same bearer authentication and scope as GraphQL."""

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from backend import policy
from backend.accounts.actor import Actor
from backend.resources import hsds

MAX_PER_PAGE = 100


def router(authenticate) -> APIRouter:
    r = APIRouter(prefix="/hsds")

    def _json(body) -> JSONResponse:
        return JSONResponse(body, headers={"Cache-Control": "private, no-store"})

    @r.get("/")
    async def root(request: Request, actor: Actor = Depends(authenticate)) -> JSONResponse:
        async with request.app.state.sessions() as session:
            sources = await hsds.credits(session)
        return _json({"version": hsds.VERSION, "profile": hsds.PROFILE, "openapi_url": hsds.OPENAPI,
                      "sources": sources})

    @r.get("/services")
    async def services(request: Request, actor: Actor = Depends(authenticate), page: int = Query(1, ge=1),
                       per_page: int = Query(20, ge=1, le=MAX_PER_PAGE), search: str | None = Query(None, max_length=100),
                       taxonomy_term_id: str | None = Query(None, max_length=36),
                       organization_id: str | None = Query(None, max_length=36),
                       modified_after: datetime | None = None) -> JSONResponse:
        if modified_after is not None and modified_after.tzinfo is None:
            raise HTTPException(422, "modified_after にはタイムゾーンを付けてください。")
        async with request.app.state.sessions() as session:
            body = await hsds.page_of_services(session, actor=actor, page=page, per_page=per_page, search=search,
                                               taxonomy_term_id=taxonomy_term_id, organization_id=organization_id,
                                               modified_after=modified_after)
        return _json(body)

    @r.get("/services/{service_id}")
    async def service(service_id: str, request: Request, actor: Actor = Depends(authenticate)) -> JSONResponse:
        async with request.app.state.sessions() as session:
            body = await hsds.service_by_uid(session, actor=actor, uid=service_id[:36])
        if body is None:
            raise HTTPException(404, "事業所（資源）が見つかりません。")
        return _json(body)

    @r.get("/export/{name}")
    async def export(name: str, request: Request, actor: Actor = Depends(authenticate)) -> Response:
        if name not in ("services.json", "datapackage.zip") or not policy.reads_directory(actor):
            raise HTTPException(404, "見つかりません。")
        async with request.app.state.sessions() as session:
            if name == "services.json":
                return Response(await hsds.export_json(session), media_type="application/json",
                                headers={"Cache-Control": "private, no-store"})
            return Response(await hsds.export_datapackage(session), media_type="application/zip",
                            headers={"Content-Disposition": 'attachment; filename="hsds-datapackage.zip"',
                                     "Cache-Control": "private, no-store"})

    return r
