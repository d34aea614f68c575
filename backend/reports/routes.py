"""Report downloads: the same bearer token and scope as the GraphQL query; out of scope is 404."""

from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from backend.accounts.actor import Actor
from backend.db import transaction
from backend.regions import codes
from backend.reports import desk_service, evidence, service

FORMATS = {  # extension → (content type, disposition)
    "csv": ("text/csv; charset=utf-8", "attachment"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment"),
    "html": ("text/html; charset=utf-8", "inline"),
}


def content_disposition(kind: str, filename: str, fallback: str) -> str:
    """RFC 6266 with an RFC 5987 UTF-8 name, and an ASCII name for clients that cannot read it."""
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def router(authenticate) -> APIRouter:
    r = APIRouter()

    @r.get("/reports/{report_id}.{fmt}")
    async def download(report_id: str, fmt: str, request: Request, actor: Actor = Depends(authenticate)) -> Response:
        if fmt not in FORMATS:
            raise HTTPException(404, "報告書が見つかりません。")
        async with transaction(request.app.state.sessions) as session:  # the download's audit row commits here
            report = await service.report_for_download(session, actor=actor, report_id=report_id)
            if report is None:
                raise HTTPException(404, "報告書が見つかりません。")
        body = {"csv": report.csv, "xlsx": report.xlsx, "html": (report.html or "").encode("utf-8")}[fmt]
        media, kind = FORMATS[fmt]
        name = f"{codes.prefecture_names()[report.prefecture_code]}_{report.fiscal_year}年度_相談集計.{fmt}"
        headers = {"Content-Disposition": content_disposition(kind, name, f"report-{report.id}.{fmt}"),
                   "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
        if fmt == "html":  # a self-contained document: nothing to load, nothing to run
            headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        return Response(body, media_type=media, headers=headers)

    @r.get("/desk-reports/{report_id}.{fmt}")
    async def desk_download(report_id: str, fmt: str, request: Request,
                            actor: Actor = Depends(authenticate)) -> Response:
        if fmt not in FORMATS:
            raise HTTPException(404, "実績報告が見つかりません。")
        async with transaction(request.app.state.sessions) as session:
            row = await desk_service.for_download(session, actor=actor, report_id=report_id)
            if row is None:
                raise HTTPException(404, "実績報告が見つかりません。")
        body = {"csv": row.csv, "xlsx": row.xlsx, "html": (row.html or "").encode("utf-8")}[fmt]
        media, kind = FORMATS[fmt]
        version = "公表用" if row.public else "内部用"
        name = f"相談窓口実績報告_{desk_service.period_of(row).slug}_{version}.{fmt}"
        headers = {"Content-Disposition": content_disposition(kind, name, f"desk-report-{row.id}.{fmt}"),
                   "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
        if fmt == "html":
            headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        return Response(body, media_type=media, headers=headers)

    @r.get("/desk-evidence/{fiscal_year}.{fmt}")
    async def desk_evidence(fiscal_year: str, fmt: str, request: Request,
                            actor: Actor = Depends(authenticate)) -> Response:
        """Evidence of sharing for the caller's own hub, one fiscal year (CSV or XLSX)."""
        if fmt not in ("csv", "xlsx") or not fiscal_year.isdigit() or len(fiscal_year) != 4 or actor.hub_id is None:
            raise HTTPException(404, "共有の記録が見つかりません。")
        async with transaction(request.app.state.sessions) as session:
            body = await evidence.document(session, actor=actor, hub_id=actor.hub_id, fiscal_year=int(fiscal_year),
                                           fmt=fmt)
        if body is None:
            raise HTTPException(404, "共有の記録が見つかりません。")
        media, kind = FORMATS[fmt]
        headers = {"Content-Disposition": content_disposition(kind, f"共有の記録_{fiscal_year}年度.{fmt}",
                                                              f"sharing-{fiscal_year}.{fmt}"),
                   "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
        return Response(body, media_type=media, headers=headers)

    return r
