"""Report downloads: the same bearer token and scope as the GraphQL query."""

from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from backend.accounts.actor import Actor
from backend.audit import service as audit
from backend.db import transaction
from backend.regions import codes
from backend.reports import service

FORMATS = {"csv": ("text/csv; charset=utf-8", "csv"), "xlsx": (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"), "html": ("text/html; charset=utf-8", "html")}


def router(authenticate) -> APIRouter:
    r = APIRouter()

    @r.get("/reports/{report_id}.{fmt}")
    async def download(report_id: str, fmt: str, request: Request, actor: Actor = Depends(authenticate)) -> Response:
        if fmt not in FORMATS:
            raise HTTPException(404)
        async with transaction(request.app.state.sessions) as session:
            report = await service.visible_report(session, actor=actor, report_id=report_id)
            if report is None or report.status != "ready":
                raise HTTPException(404, "報告書が見つかりません。")
            audit.record(session, actor=actor, operation="report.download", entity_type="prefecture_report",
                         entity_id=report.id, fields=[fmt])
        body = {"csv": report.csv, "xlsx": report.xlsx, "html": (report.html or "").encode()}[fmt]
        media, ext = FORMATS[fmt]
        name = f"{codes.prefecture_names()[report.prefecture_code]}_{report.fiscal_year}年度_集計.{ext}"
        disposition = "inline" if fmt == "html" else "attachment"
        return Response(body, media_type=media, headers={
            "Content-Disposition": f"{disposition}; filename=\"report-{report.id}.{ext}\"; filename*=UTF-8''{quote(name)}"})

    return r
