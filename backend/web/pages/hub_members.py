"""The hub manager's メンバー: the 協議の場 member list (the contract's HubMembers, AddHubMember and
RemoveHubMember run in-process); a packet goes to these people only."""

from fastapi import APIRouter, Depends, Request

from backend.web import operations
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer
from backend.web.pages.hub_common import field_errors, hub_of

router = APIRouter()
DONE = {"added": "委員を追加しました。", "removed": "委員を名簿から外しました。"}


async def _page(request: Request, me: Viewer, *, form: dict | None = None, errors: dict | None = None,
                notice: str | None = None, status: int = 200):
    hub_id = hub_of(me)
    data = await operations.run(request, me, "hub.graphql", "HubMembers", {"hubId": str(hub_id)})
    hub = data.get("hub")
    if hub is None or hub["members"] is None:     # null for anyone but the hub's manager and admins
        raise PageNotFound()
    return render(request, "hub/members.html", status=status, members=hub["members"], errors=errors or {},
                  form=form or {"name": "", "organization": "", "email": ""}, notice=notice)


@router.get("/members")
async def members_page(request: Request, done: str | None = None, me: Viewer = Depends(viewer)):
    return await _page(request, me, notice=DONE.get(done or ""))


@router.post("/members")
async def add_member(request: Request, me: Viewer = Depends(viewer)):
    hub_id = hub_of(me)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("name", "organization", "email")}
    data = await operations.run(request, me, "hub.graphql", "AddHubMember", {"input": {
        "hubId": str(hub_id), "name": values["name"], "organization": values["organization"] or None,
        "email": values["email"]}})
    result = data["addHubMember"]
    if result["userErrors"]:
        errors = field_errors(result["userErrors"])
        if "hubId" in errors:
            raise PageNotFound()
        return await _page(request, me, form=values, errors=errors, status=400)
    return redirect(request, "/members?done=added")


@router.post("/members/{member_id}/remove")
async def remove_member(request: Request, member_id: str, me: Viewer = Depends(viewer)):
    hub_of(me)
    data = await operations.run(request, me, "hub.graphql", "RemoveHubMember", {"id": member_id})
    if data["removeHubMember"]["userErrors"]:     # NOT_FOUND: another hub's member looks like none
        raise PageNotFound()
    return redirect(request, "/members?done=removed")
