"""One regional issue's page (/issues/{id}): its consultations, rename (UpdateRegionalIssue) and moving a
consultation to another issue of the same scene and year or out of it (MoveConsultation). The contract has
no document for one issue with all its members, so the page runs its own through the same schema
(operations.execute): what it shows is exactly what /graphql answers the viewer."""

from fastapi import APIRouter, Depends, Request

from backend.web import operations
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer
from backend.web.pages.hub_board import STATUS_DONE, sparkline
from backend.web.pages.hub_common import ISSUE_CHOICES, field_errors, hub_of

router = APIRouter()
MEMBERS = 100
ISSUE_PAGE = """
query HubIssuePage($id: ID!, $first: Int) {
  regionalIssue(id: $id) {
    id title scene status fiscalYear note consultationCount unresolvedCount keyTerms firstSeenAt lastSeenAt
    trend { month count }
    hub { id }
    consultations(first: $first) { totalCount edges { node { id receivedAt summary status } } }
  }
}
"""
DONE = {"renamed": "課題名を変更しました。", "moved": "相談を移動しました。", "removed": "相談をこの課題から外しました。",
        **{v: m for v, m in (("confirmed", "地域課題を確認済みにしました。"), ("dismissed", "地域課題を対象外にしました。"),
                             ("reopened", "地域課題を候補に戻しました。"))}}
assert set(STATUS_DONE.values()) <= set(DONE)


async def _page(request: Request, me: Viewer, issue_id: str, *, errors: dict | None = None, title: str | None = None,
                notice: str | None = None, status: int = 200):
    hub_of(me)
    if not issue_id.isdigit() or len(issue_id) > 10:
        raise PageNotFound()
    data = await operations.execute(request, me, ISSUE_PAGE, "HubIssuePage", {"id": issue_id, "first": MEMBERS})
    issue = data.get("regionalIssue")
    if issue is None or issue["hub"]["id"] != str(me.actor.hub_id):   # another hub's issue: as if missing
        raise PageNotFound()
    siblings = await operations.execute(request, me, ISSUE_CHOICES, "HubIssueChoices", {
        "hubId": issue["hub"]["id"], "fiscalYear": issue["fiscalYear"], "scene": issue["scene"]})
    others = [e["node"] for e in (siblings.get("hub") or {"regionalIssues": {"edges": []}})["regionalIssues"]["edges"]
              if e["node"]["id"] != issue["id"]]
    return render(request, "hub/issue.html", status=status, issue=issue, spark=sparkline(issue["trend"]),
                  members=[e["node"] for e in issue["consultations"]["edges"]], others=others,
                  errors=errors or {}, title=issue["title"] if title is None else title, notice=notice,
                  back=f"/issues/{issue['id']}")


@router.get("/issues/{issue_id}")
async def issue_page(request: Request, issue_id: str, done: str | None = None, me: Viewer = Depends(viewer)):
    return await _page(request, me, issue_id, notice=DONE.get(done or ""))


@router.post("/issues/{issue_id}/rename")
async def rename(request: Request, issue_id: str, me: Viewer = Depends(viewer)):
    hub_of(me)
    form = await request.form()
    title = str(form.get("title", ""))
    data = await operations.run(request, me, "hub.graphql", "UpdateRegionalIssue",
                                {"input": {"id": issue_id, "title": title}})
    result = data["updateRegionalIssue"]
    if result["userErrors"]:
        errors = field_errors(result["userErrors"])
        if "id" in errors:
            raise PageNotFound()
        return await _page(request, me, issue_id, errors=errors, title=title, status=400)
    return redirect(request, f"/issues/{issue_id}?done=renamed")


@router.post("/issues/{issue_id}/move")
async def move(request: Request, issue_id: str, me: Viewer = Depends(viewer)):
    hub_of(me)
    form = await request.form()
    consultation, target = str(form.get("consultationId", "")), str(form.get("toIssueId", ""))
    data = await operations.run(request, me, "hub.graphql", "MoveConsultation", {"input": {
        "consultationId": consultation, "fromIssueId": issue_id, "toIssueId": target or None}})
    result = data["moveConsultationBetweenIssues"]
    if result["userErrors"]:
        errors = field_errors(result["userErrors"])
        if "fromIssueId" in errors or "consultationId" in errors:
            raise PageNotFound()
        return await _page(request, me, issue_id, errors={f"to-{consultation}": errors.get("toIssueId", "")
                                                          or next(iter(errors.values()))}, status=400)
    return redirect(request, f"/issues/{issue_id}?done={'moved' if target else 'removed'}")
