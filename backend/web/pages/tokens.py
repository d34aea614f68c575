"""Admin: APIトークン for machine clients (the prefecture dashboard, scripts). A token is shown once, in the
response that issued it, and stored only as a hash; revoking one makes /graphql answer 401 to it. Issuing
and revoking go through accounts.service (audited); a client's own account is made with the contract's
CreateUser, whose answer carries the account's first token."""

from fastapi import APIRouter, Depends, Request

from backend.accounts import people
from backend.accounts import service as accounts
from backend.db import transaction
from backend.errors import Forbidden, NotFound, UserInputError, parse_id
from backend.regions import codes
from backend.regions import service as regions
from backend.taxonomy import Role
from backend.web import operations
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer, web_of

router = APIRouter()
CLIENT_FIELDS = ("email", "displayName", "role", "hubId", "prefectureCode")
LISTED = 500
DONE = {"revoked": "APIトークンを失効させました。このトークンを使う接続は、次の要求から拒否されます（401）。"}


async def _page(request: Request, me: Viewer, *, show_all: bool = False, issued: dict | None = None,
                issue_errors: dict | None = None, client_errors: dict | None = None, client_form: dict | None = None,
                user_id: str = "", notice: str | None = None, status: int = 200):
    web = web_of(request)
    try:
        async with web.sessions() as session:
            tokens = await accounts.list_api_tokens(session, actor=me.actor, include_revoked=show_all, limit=LISTED)
            listed = await people.list_people(session, actor=me.actor, settings=web.settings)
            hubs = await regions.list_hubs(session, actor=me.actor)
    except Forbidden:
        raise PageNotFound() from None
    names = codes.prefecture_names()
    hub_names = {hub.id: hub.name for hub, _ in hubs}
    return render(request, "admin/tokens.html", status=status, tokens=tokens, show_all=show_all, issued=issued,
                  issue_errors=issue_errors or {}, client_errors=client_errors or {},
                  client_form=client_form or dict.fromkeys(CLIENT_FIELDS, ""), user_id=user_id, notice=notice,
                  hub_names=hub_names, prefecture_names=names, capped=len(tokens) >= LISTED, listed=LISTED,
                  users=[(p.id, f"{p.display_name}（{p.email}・{p.role.label}）") for p in listed if p.active],
                  roles=[(r.value, r.label) for r in Role if r is not Role.ADMIN],
                  hubs=[(hub.id, f"{names.get(code, code)}　{hub.name}") for hub, code in hubs],
                  prefectures=[(code, f"{code} {name}") for code, name in names.items()])


@router.get("/admin/tokens")
async def tokens_page(request: Request, all: str | None = None, done: str | None = None,
                      me: Viewer = Depends(viewer)):
    return await _page(request, me, show_all=all == "1", notice=DONE.get(done or ""))


@router.post("/admin/tokens/issue")
async def issue(request: Request, me: Viewer = Depends(viewer)):
    form = await request.form()
    raw = str(form.get("userId", "")).strip()
    web = web_of(request)
    try:
        if not raw:
            raise UserInputError(["userId"], "トークンを発行する利用者を選択してください。", "REQUIRED")
        uid = parse_id(raw, ["userId"], "利用者")
        async with transaction(web.sessions) as session:
            row, token = await accounts.issue_api_token(session, actor=me.actor, user_id=uid)
            owner = await accounts.users_by_ids(session, [uid])
    except Forbidden:
        raise PageNotFound() from None
    except UserInputError as e:
        return await _page(request, me, issue_errors={"userId": e.message}, user_id=raw, status=400)
    user = owner[uid]
    return await _page(request, me, issued={"token": token, "id": row.id, "owner": user.display_name,
                                            "email": user.email})


@router.post("/admin/tokens/client")
async def create_client(request: Request, me: Viewer = Depends(viewer)):
    """A machine client's own account (e.g. 県ダッシュボード連携) with its first token, by the contract's CreateUser."""
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in CLIENT_FIELDS}
    if values["role"] not in {r.value for r in Role if r is not Role.ADMIN}:
        return await _page(request, me, client_form=values, status=400,
                           client_errors={"role": "役割を選択してください。"})
    role = Role(values["role"])
    data = await operations.run(request, me, "admin.graphql", "CreateUser", {"input": {
        "email": values["email"], "displayName": values["displayName"], "role": role.name,
        "hubId": values["hubId"] if role in (Role.HUB_MANAGER, Role.COORDINATOR) and values["hubId"] else None,
        "prefectureCode": (values["prefectureCode"] or None) if role is Role.PREFECTURE_ANALYST else None}})
    result = data["createUser"]
    if result["userErrors"]:
        if any(e["code"] == "FORBIDDEN" for e in result["userErrors"]):
            raise PageNotFound()
        errors = {next((p for p in e["field"] if p != "input"), "email"): e["message"] for e in result["userErrors"]}
        return await _page(request, me, client_form=values, client_errors=errors, status=400)
    user = result["user"]
    return await _page(request, me, issued={"token": result["apiToken"], "id": None, "owner": user["displayName"],
                                            "email": user["email"]})


@router.post("/admin/tokens/{token_id}/revoke")
async def revoke(request: Request, token_id: str, me: Viewer = Depends(viewer)):
    web = web_of(request)
    try:
        tid = parse_id(token_id, ["tokenId"], "APIトークン")
        async with transaction(web.sessions) as session:
            await accounts.revoke_api_token(session, actor=me.actor, token_id=tid)
    except (Forbidden, NotFound):
        raise PageNotFound() from None
    return redirect(request, "/admin/tokens?done=revoked")
