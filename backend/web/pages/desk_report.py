"""実績報告: the desk report of the viewer's own hub (the contract's DeskReport, run in-process: every figure
and every ＊ is what /graphql answers that person), and its documents ordered through GenerateDeskReport.
The page formats figures (labels, shares as percentages) and never recounts one."""

from fastapi import APIRouter, Depends, Request

from backend.fiscal import FIRST_FISCAL_YEAR, fiscal_year_label, fiscal_year_of, today_jst
from backend.reports.desk_documents import LEGEND, MULTIPLE
from backend.web import operations
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer

router = APIRouter()
MARK = "＊"
KINDS = [("fiscal_year", "年度"), ("quarter", "四半期"), ("month", "月")]
STATUS = {"queued": "作成中", "ready": "完成", "failed": "作成できませんでした"}


def _years() -> list[tuple[int, str]]:
    return [(y, fiscal_year_label(y)) for y in range(fiscal_year_of(today_jst()), FIRST_FISCAL_YEAR - 1, -1)]


def _choice(kind: str | None, year: str | None, index: str | None) -> dict:
    """The period of the query string; anything not offered is not a page."""
    kind = kind or "fiscal_year"
    if kind not in dict(KINDS):
        raise PageNotFound()
    fy = fiscal_year_of(today_jst()) if not year else (int(year) if year.isdigit() and len(year) == 4 else None)
    if fy is None or fy not in dict(_years()):
        raise PageNotFound()
    limit = {"fiscal_year": 0, "quarter": 4, "month": 12}[kind]
    i = int(index) if index and index.isdigit() and len(index) <= 2 else (1 if limit else None)
    if limit and not 1 <= (i or 0) <= limit:
        raise PageNotFound()
    return {"kind": kind, "fiscalYear": fy, "index": i if limit else None}


def _pct(share: float | None, suppressed: bool) -> str:
    return MARK if share is None and suppressed else ("" if share is None else f"{share:.1%}")


async def _page(request: Request, me: Viewer, period: dict, public: bool, errors: dict | None = None,
                status: int = 200):
    if me.actor.hub_id is None:
        raise PageNotFound()
    data = await operations.run(request, me, "desk_report.graphql", "DeskReport",
                                {"hubId": str(me.actor.hub_id), "period": period, "public": public})
    report = data.get("deskReport")
    if report is None:
        raise PageNotFound()
    return render(request, "desk/report.html", status=status, report=report, files=data["deskReportFiles"],
                  period=period, public=public, kinds=KINDS, years=_years(), months=list(range(1, 13)),
                  mark=MARK, pct=_pct, legend=LEGEND.format(k=report["threshold"]), multiple_note=MULTIPLE,
                  status_labels=STATUS, errors=errors or {})


@router.get("/desk-report")
async def desk_report(request: Request, kind: str | None = None, year: str | None = None, index: str | None = None,
                      public: str | None = None, me: Viewer = Depends(viewer)):
    return await _page(request, me, _choice(kind, year, index), public == "1")


@router.post("/desk-report/order")
async def order(request: Request, me: Viewer = Depends(viewer)):
    form = await request.form()
    period = _choice(str(form.get("kind", "")) or None, str(form.get("year", "")) or None,
                     str(form.get("index", "")) or None)
    public = form.get("public") == "1"
    if me.actor.hub_id is None:
        raise PageNotFound()
    data = await operations.run(request, me, "desk_report.graphql", "GenerateDeskReport",
                                {"hubId": str(me.actor.hub_id), "period": period, "public": public})
    result = data["generateDeskReport"]
    if result["userErrors"]:
        errors = {e["field"][-1]: e["message"] for e in result["userErrors"]}
        if "hubId" in errors:
            raise PageNotFound()
        return await _page(request, me, period, public, errors=errors, status=400)
    query = f"kind={period['kind']}&year={period['fiscalYear']}"
    if period["index"]:
        query += f"&index={period['index']}"
    return redirect(request, f"/desk-report?{query}{'&public=1' if public else ''}#files")
