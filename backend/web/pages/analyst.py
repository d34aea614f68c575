"""The prefecture analyst's screens: ダッシュボード (the contract's PrefectureOverview, run in-process: every
figure, and every ＊, is what /graphql answers that person) and 報告書 (GeneratePrefectureReport; the list
and its polling read the reports' state through the reports service, which checks the scope).

The page only arranges and formats what the API returned: labels, the rate as a percentage, and the
lengths of the bars. It never adds, subtracts or recounts a figure."""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request

from backend.audit import service as audit
from backend.errors import UserInputError
from backend.fiscal import FIRST_FISCAL_YEAR, fiscal_year_label, fiscal_year_of, today_jst
from backend.regions import codes
from backend.reports import service as reports
from backend.reports.documents import LEGEND
from backend.taxonomy import CareScene, RegionalIssueStatus
from backend.web import operations
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer, web_of

router = APIRouter()
MARK = "＊"
STATUS = {"queued": "作成中", "ready": "完成", "failed": "作成できませんでした"}


def fiscal_years() -> list[tuple[int, str]]:
    """The selector's years, newest first: from the programme's start to the year Japan is in."""
    return [(year, fiscal_year_label(year)) for year in range(fiscal_year_of(today_jst()), FIRST_FISCAL_YEAR - 1, -1)]


def _year(raw: str | None) -> int:
    """The ?year= of a page; anything but a listed year is not a page."""
    if raw is None or raw == "":
        return fiscal_year_of(today_jst())
    if not raw.isdigit() or int(raw) not in dict(fiscal_years()):
        raise PageNotFound()
    return int(raw)


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: its label, the API's count (None when suppressed) and the bar's length."""

    label: str
    count: int | None
    suppressed: bool
    width: int            # 0–100: percent of the largest shown count of the chart (presentation only)


def bars(items: list[tuple[str, dict]]) -> list[Bar]:
    shown = [c["count"] for _, c in items if not c["suppressed"] and c["count"]]
    top = max(shown, default=0)
    return [Bar(label, c["count"], c["suppressed"],
                0 if c["suppressed"] or not top or not c["count"] else max(1, round(100 * c["count"] / top)))
            for label, c in items]


def month_label(month: str) -> str:
    return f"{month[:4]}年{int(month[5:])}月"


def dashboard_view(stats: dict, hubs: list[dict], issues: list[dict]) -> dict[str, Any]:
    """The page's arrangement of the API's answer (the report's tables, in the same order and words)."""
    resolution = stats["resolution"]
    rate = resolution["resolvedRate"]
    median = resolution["medianDaysToClose"]
    return {
        "summary": [("相談件数", stats["total"]), ("終結件数", resolution["closed"]),
                    ("解決率（解決／終結）", {"text": f"{rate:.1%}" if rate is not None else None}),
                    ("未解決（資源不足）", resolution["unresolvedNoResource"]),
                    ("終結までの日数（中央値）", {"text": f"{median:g}日" if median is not None else None})],
        "by_scene": bars([(s["label"], s) for s in stats["byScene"]]),
        "by_month": bars([(month_label(m["month"]), m) for m in stats["byMonth"]]),
        "by_role": bars([(r["label"], r) for r in stats["byCallerRole"]]),
        "by_area": bars([(a["area"]["name"], a["total"]) for a in stats["byArea"]]),
        "scene_labels": [s.label for s in CareScene],
        "area_rows": [{"name": a["area"]["name"], "total": a["total"], "scenes": a["byScene"]}
                      for a in stats["byArea"]],
        "hubs": hubs,
        "issues": [dict(i, scene_label=CareScene(i["scene"].lower()).label,
                        status_label=RegionalIssueStatus(i["status"].lower()).label) for i in issues],
        "has_data": stats["total"]["suppressed"] or bool(stats["total"]["count"]),
    }


@router.get("/dashboard")
async def my_dashboard(request: Request, year: str | None = None, me: Viewer = Depends(viewer)):
    """An analyst's own prefecture; other roles have no prefecture of their own here."""
    if me.actor.prefecture_code is None:
        raise PageNotFound()
    suffix = f"?year={_year(year)}" if year else ""
    return redirect(request, f"/dashboard/{me.actor.prefecture_code}{suffix}")


@router.get("/dashboard/{code}")
async def dashboard(request: Request, code: str, year: str | None = None, me: Viewer = Depends(viewer)):
    fiscal_year = _year(year)
    data = await operations.run(request, me, "prefecture_dashboard.graphql", "PrefectureOverview",
                                {"code": code, "fiscalYear": fiscal_year})
    prefecture = data.get("prefecture")
    if prefecture is None or prefecture["stats"] is None:      # out of scope looks like missing, as in the API
        raise PageNotFound()
    stats = prefecture["stats"]
    return render(request, "analyst/dashboard.html", prefecture=prefecture, stats=stats, year=fiscal_year,
                  years=fiscal_years(), legend=LEGEND.format(k=stats["suppressionThreshold"]), mark=MARK,
                  view=dashboard_view(stats, prefecture["hubActivity"], prefecture["topIssues"]))


# --- 報告書 ------------------------------------------------------------------------------------------

async def _reports_page(request: Request, me: Viewer, *, year: int, errors: dict | None = None,
                        highlight: int | None = None, status: int = 200):
    web = web_of(request)
    code = me.actor.prefecture_code
    if code is None:
        raise PageNotFound()
    async with audit.request_trail(web.sessions, me.actor), web.sessions() as session:
        listed = await reports.list_reports(session, actor=me.actor, prefecture_code=code)
    if listed is None:
        raise PageNotFound()
    return render(request, "analyst/reports.html", status=status, reports=listed, years=fiscal_years(), year=year,
                  errors=errors or {}, highlight=highlight, status_labels=STATUS,
                  prefecture_name=codes.prefecture_names()[code])


@router.get("/reports")
async def reports_page(request: Request, year: str | None = None, ordered: str | None = None,
                       me: Viewer = Depends(viewer)):
    highlight = int(ordered) if ordered and ordered.isdigit() and len(ordered) < 10 else None
    return await _reports_page(request, me, year=_year(year), highlight=highlight)


@router.post("/reports/order")
async def order_report(request: Request, me: Viewer = Depends(viewer)):
    form = await request.form()
    raw = str(form.get("fiscalYear", "")).strip()
    if me.actor.prefecture_code is None:
        raise PageNotFound()
    year = int(raw) if raw.isdigit() and len(raw) == 4 else None
    if year is None:
        error = UserInputError(["fiscalYear"], "年度を選択してください。", "REQUIRED")
        return await _reports_page(request, me, year=fiscal_year_of(today_jst()), status=400,
                                   errors={"fiscalYear": error.message})
    data = await operations.run(request, me, "prefecture_dashboard.graphql", "GeneratePrefectureReport",
                                {"code": me.actor.prefecture_code, "fiscalYear": year})
    result = data["generatePrefectureReport"]
    if result["userErrors"]:
        errors = {e["field"][-1]: e["message"] for e in result["userErrors"]}
        if "prefectureCode" in errors:
            raise PageNotFound()
        shown_year = year if year in dict(fiscal_years()) else fiscal_year_of(today_jst())
        return await _reports_page(request, me, year=shown_year, errors=errors, status=400)
    return redirect(request, f"/reports?year={year}&ordered={result['report']['id']}#report-{result['report']['id']}")


@router.get("/reports/{report_id}/row")
async def report_row(request: Request, report_id: str, ordered: str | None = None, me: Viewer = Depends(viewer)):
    """One row of the list, for htmx polling while the report is being built."""
    if not report_id.isdigit() or len(report_id) > 10:
        raise PageNotFound()
    web = web_of(request)
    async with audit.request_trail(web.sessions, me.actor), web.sessions() as session:   # a refused look is kept
        summary = await reports.report_summary(session, actor=me.actor, report_id=int(report_id))
    if summary is None:
        raise PageNotFound()
    return render(request, "analyst/_report_row.html", r=summary, status_labels=STATUS,
                  highlight=summary.id if ordered == "1" else None)
