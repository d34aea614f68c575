"""The hub manager's 地域課題ボード: the contract's HubIssueBoard per fiscal year and scene, the cards'
confirm / dismiss (UpdateRegionalIssue), merging several (MergeRegionalIssues) and 再グループ化
(RequestIssueGrouping, then the Job polled by htmx until it is done). All run in-process as the viewer."""

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from backend.fiscal import fiscal_year_label
from backend.web import operations, security
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer
from backend.web.pages.hub_common import (
    ISSUE_CHOICES,
    SCENES,
    field_errors,
    fiscal_years,
    hub_of,
    is_missing,
    scene_of,
    year_of,
)

router = APIRouter()
PAGE = 24   # cards a page: eight rows of three on an office PC; the rest behind 「次の地域課題」
DONE = {"confirmed": "地域課題を確認済みにしました。", "dismissed": "地域課題を対象外にしました。",
        "reopened": "地域課題を候補に戻しました。", "merged": "地域課題を統合しました。",
        "regrouped": "再グループ化が完了しました。"}
STATUS_DONE = {"CONFIRMED": "confirmed", "DISMISSED": "dismissed", "CANDIDATE": "reopened"}
MERGE_ERROR = "統合する地域課題を2件以上選んでください。"
JOB_STATUS = {"queued": "順番待ち", "running": "グループ化しています", "succeeded": "完了", "failed": "失敗しました"}


def board_url(fy: int, scene: str | None, **extra: str) -> str:
    query = {"fy": str(fy), **({"scene": scene} if scene else {}), **extra}
    return "/issues?" + urlencode(query)


def sparkline(trend: list[dict], width: int = 132, height: int = 32) -> dict:
    """The trend's points for an inline SVG polyline (attributes only: the CSP forbids inline styles), and
    the same figures as text for people who cannot see it. Suppressed months (null) are left out."""
    counts = [p["count"] for p in trend]
    shown = [c for c in counts if c is not None]
    top = max(shown, default=0) or 1
    step = width / max(len(counts) - 1, 1)
    points = [(round(i * step, 1), round(height - 2 - (height - 4) * c / top, 1))
              for i, c in enumerate(counts) if c is not None]
    text = "、".join(f"{int(p['month'][5:])}月 {p['count'] if p['count'] is not None else '＊'}件" for p in trend)
    return {"points": " ".join(f"{x},{y}" for x, y in points), "last": points[-1] if points else None,
            "width": width, "height": height, "text": text}


def card(node: dict) -> dict:
    return dict(node, spark=sparkline(node["trend"]),
                examples=[e["node"] for e in node["consultations"]["edges"]])


async def _board(request: Request, me: Viewer, *, year: int, scene_name: str | None, after: str | None = None,
                 job: str | None = None, notice: str | None = None, error: str | None = None, status: int = 200):
    hub_id = hub_of(me)
    data = await operations.run(request, me, "hub.graphql", "HubIssueBoard", {
        "hubId": str(hub_id), "fiscalYear": year, "scene": scene_name, "first": PAGE, "after": after or None})
    hub = data.get("hub")
    if hub is None:
        raise PageNotFound()
    issues = hub["regionalIssues"]
    running = None
    if job and job.isdigit() and len(job) < 12:
        running = (await operations.run(request, me, "hub.graphql", "Job", {"id": job})).get("job")
    return render(request, "hub/board.html", status=status, hub=hub, year=year, scene=scene_name or "",
                  years=fiscal_years(), scenes=SCENES, cards=[card(e["node"]) for e in issues["edges"]],
                  total=issues["totalCount"], page_info=issues["pageInfo"], notice=notice, job=running,
                  job_status=JOB_STATUS, board_url=board_url(year, scene_name), error=error,
                  year_label=fiscal_year_label(year))


@router.get("/issues")
async def board(request: Request, fy: str | None = None, scene: str | None = None, after: str | None = None,
                job: str | None = None, done: str | None = None, error: str | None = None,
                me: Viewer = Depends(viewer)):
    if after is not None and len(after) > 100:
        raise PageNotFound()
    return await _board(request, me, year=year_of(fy), scene_name=scene_of(scene), after=after, job=job,
                        notice=DONE.get(done or ""), error=MERGE_ERROR if error == "merge" else None)


@router.post("/issues/regroup")
async def regroup(request: Request, me: Viewer = Depends(viewer)):
    hub_id = hub_of(me)
    form = await request.form()
    year, scene_name = year_of(str(form.get("fy", ""))), scene_of(str(form.get("scene", "")))
    data = await operations.run(request, me, "hub.graphql", "RequestIssueGrouping",
                                {"hubId": str(hub_id), "fiscalYear": year})
    result = data["requestIssueGrouping"]
    if result["userErrors"]:
        if is_missing(result["userErrors"]):
            raise PageNotFound()
        return await _board(request, me, year=year, scene_name=scene_name, status=400,
                            error=result["userErrors"][0]["message"])
    return redirect(request, board_url(year, scene_name, job=result["job"]["id"]) + "#regroup")


@router.get("/issues/jobs/{job_id}")
async def job_progress(request: Request, job_id: str, fy: str | None = None, scene: str | None = None,
                       me: Viewer = Depends(viewer)):
    """The progress box, polled by htmx every second; once the job is done the whole board reloads."""
    year, scene_name = year_of(fy), scene_of(scene)
    job = (await operations.run(request, me, "hub.graphql", "Job", {"id": job_id})).get("job")
    if job is None:
        raise PageNotFound()
    if job["status"] == "succeeded" and request.headers.get("hx-request"):
        return security.secure_headers(Response(status_code=200, headers={
            "HX-Redirect": board_url(year, scene_name, done="regrouped")}))
    return render(request, "hub/_job.html", job=job, job_status=JOB_STATUS, year=year, scene=scene_name or "",
                  board_url=board_url(year, scene_name))


@router.post("/issues/{issue_id}/status")
async def set_status(request: Request, issue_id: str, me: Viewer = Depends(viewer)):
    hub_of(me)
    form = await request.form()
    status = str(form.get("status", ""))
    if status not in STATUS_DONE:
        raise PageNotFound()
    back = security.safe_next(str(form.get("back", "")), default="/issues")
    data = await operations.run(request, me, "hub.graphql", "UpdateRegionalIssue",
                                {"input": {"id": issue_id, "status": status}})
    if data["updateRegionalIssue"]["userErrors"]:
        raise PageNotFound()
    sep = "&" if "?" in back else "?"
    return redirect(request, f"{back.split('#')[0]}{sep}done={STATUS_DONE[status]}#issue-{issue_id}")


@router.post("/issues/merge")
async def merge(request: Request, me: Viewer = Depends(viewer)):
    """Two steps without script: the chosen cards, then which of them the others go into."""
    hub_id = hub_of(me)
    form = await request.form()
    year, scene_name = year_of(str(form.get("fy", ""))), scene_of(str(form.get("scene", "")))
    ids = list(dict.fromkeys(str(v) for v in form.getlist("ids")))[:50]
    into = str(form.get("into", ""))
    back = board_url(year, scene_name)
    if len(ids) < 2:
        return redirect(request, board_url(year, scene_name, error="merge") + "#board-error")
    if into:
        data = await operations.run(request, me, "hub.graphql", "MergeRegionalIssues",
                                    {"input": {"intoId": into, "fromIds": [i for i in ids if i != into]}})
        result = data["mergeRegionalIssues"]
        if not result["userErrors"]:
            return redirect(request, board_url(year, scene_name, done="merged") + f"#issue-{into}")
        if any(e["code"] == "NOT_FOUND" for e in result["userErrors"]):
            raise PageNotFound()
        errors = {"into": next(iter(field_errors(result["userErrors"]).values()))}
    else:
        errors = {}
    data = await operations.execute(request, me, ISSUE_CHOICES, "HubIssueChoices",
                                    {"hubId": str(hub_id), "fiscalYear": year, "scene": scene_name})
    hub = data.get("hub")
    if hub is None:
        raise PageNotFound()
    chosen = [e["node"] for e in hub["regionalIssues"]["edges"] if e["node"]["id"] in ids]
    if len(chosen) < 2:
        raise PageNotFound()
    return render(request, "hub/merge.html", status=400 if errors else 200, chosen=chosen, errors=errors,
                  year=year, scene=scene_name or "", back=back)
