"""Admin: people (invite; a person's role and place, deactivation, sessions, second factor). The services
decide who may and audit what was done."""

from typing import Any

from fastapi import APIRouter, Depends, Request

from backend.accounts import invitations, login, people
from backend.db import transaction
from backend.errors import Forbidden, NotFound, UserInputError, parse_id
from backend.regions import codes
from backend.regions import service as regions
from backend.taxonomy import Role
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer, web_of

router = APIRouter()
_EMPTY_FORM = {"email": "", "displayName": "", "role": "", "hubId": "", "prefectureCode": "", "serviceId": ""}


async def _people_page(request: Request, me: Viewer, *, errors: dict | None = None, form: dict | None = None,
                       notice: str | None = None, invite_url: str | None = None, status: int = 200):
    web = web_of(request)
    try:
        async with web.sessions() as session:
            listed = await people.list_people(session, actor=me.actor, settings=web.settings)
            hubs = await regions.list_hubs(session, actor=me.actor)
    except Forbidden:
        raise PageNotFound() from None
    return render(request, "admin/people.html", status=status, people=listed, errors=errors or {},
                  form=form or _EMPTY_FORM, notice=notice, invite_url=invite_url,
                  invitation_hours=web.settings.invitation_hours, **_choices(hubs))


def _choices(hubs) -> dict:
    """The role, hub and prefecture options of the invitation and placement forms."""
    names = codes.prefecture_names()
    return {"prefecture_names": names, "roles": [(r.value, r.label) for r in Role],
            "hubs": [(hub.id, f"{names.get(code, code)}　{hub.name}") for hub, code in hubs],
            "prefectures": [(code, f"{code} {name}") for code, name in names.items()]}


@router.post("/admin/people/invite")
async def invite(request: Request, me: Viewer = Depends(viewer)):
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in _EMPTY_FORM}
    web = web_of(request)
    try:
        if values["role"] not in {r.value for r in Role}:
            raise UserInputError(["role"], "役割を選択してください。", "REQUIRED")
        hub_id = parse_id(values["hubId"], ["hubId"], "拠点") if values["hubId"] else None
        async with transaction(web.sessions) as session:
            invited = await invitations.invite(session, actor=me.actor, settings=web.settings, email=values["email"],
                                               role=Role(values["role"]), hub_id=hub_id,
                                               prefecture_code=values["prefectureCode"] or None,
                                               display_name=values["displayName"] or None,
                                               service_id=parse_id(values["serviceId"], ["serviceId"], "資源")
                                               if values["serviceId"] else None)
    except Forbidden:
        raise PageNotFound() from None
    except UserInputError as e:
        return await _people_page(request, me, errors={_field(e): e.message}, form=values, status=400)
    return await _people_page(request, me, notice=f"{invited.user.email} に招待メールを送りました。",
                              invite_url=invited.url)


def _field(error: UserInputError) -> str:
    return error.field[-1] if error.field and error.field[-1] != "input" else "email"


async def _admin_action(request: Request, me: Viewer, user_id: str, action) -> Any:
    web = web_of(request)
    try:
        async with transaction(web.sessions) as session:
            return await action(session, actor=me.actor, user_id=parse_id(user_id, ["userId"], "利用者"))
    except (Forbidden, NotFound):
        raise PageNotFound() from None


DONE = {"sessions": "ログイン中のセッションを終了しました。次の操作で、本人にはログイン画面が表示されます。",
        "second_factor": "二要素認証をリセットしました。次回のログインで、本人が認証アプリを登録し直します。",
        "placement": "役割・所属を変更しました。本人の次の操作から反映されます。",
        "deactivated": "利用停止にしました。ログイン中のセッションは終了し、APIトークンは失効しました。",
        "reactivated": "利用を再開しました。本人は今までのパスワードと認証アプリでログインできます。"}


@router.get("/admin/people")
async def people_page(request: Request, done: str | None = None, me: Viewer = Depends(viewer)):
    return await _people_page(request, me, notice=DONE.get(done or ""))


def _back(request: Request, user_id: str, done: str) -> str:
    """Where an action returns: the person's page when it was sent from there, else the list."""
    origin = request.headers.get("hx-current-url") or request.headers.get("referer") or ""
    if f"/admin/people/{user_id}" in origin and user_id.isdigit():
        return f"/admin/people/{user_id}?done={done}"
    return f"/admin/people?done={done}"


@router.post("/admin/people/{user_id}/end-sessions")
async def end_sessions(request: Request, user_id: str, me: Viewer = Depends(viewer)):
    await _admin_action(request, me, user_id, login.end_sessions_of)
    return redirect(request, _back(request, user_id, "sessions"))


@router.post("/admin/people/{user_id}/reset-second-factor")
async def reset_second_factor(request: Request, user_id: str, me: Viewer = Depends(viewer)):
    await _admin_action(request, me, user_id, login.reset_second_factor)
    return redirect(request, _back(request, user_id, "second_factor"))


# --- one person: role and place, deactivation ---------------------------------------------------------

async def _person_page(request: Request, me: Viewer, user_id: str, *, errors: dict | None = None,
                       form: dict | None = None, notice: str | None = None, status: int = 200):
    web = web_of(request)
    try:
        uid = parse_id(user_id, ["userId"], "利用者")
        async with web.sessions() as session:
            person = await people.get_person(session, actor=me.actor, user_id=uid, settings=web.settings)
            hubs = await regions.list_hubs(session, actor=me.actor)
    except (Forbidden, NotFound):
        raise PageNotFound() from None
    form = form or {"role": person.role.value, "hubId": str(person.hub_id or ""),
                    "prefectureCode": person.prefecture_code or ""}
    return render(request, "admin/person.html", status=status, person=person, errors=errors or {}, form=form,
                  notice=notice, is_me=person.id == me.actor.user_id, **_choices(hubs))


@router.get("/admin/people/{user_id}")
async def person_page(request: Request, user_id: str, done: str | None = None, me: Viewer = Depends(viewer)):
    return await _person_page(request, me, user_id, notice=DONE.get(done or ""))


@router.post("/admin/people/{user_id}/placement")
async def change_placement(request: Request, user_id: str, me: Viewer = Depends(viewer)):
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("role", "hubId", "prefectureCode")}
    web = web_of(request)
    try:
        uid = parse_id(user_id, ["userId"], "利用者")
        if values["role"] not in {r.value for r in Role}:
            raise UserInputError(["role"], "役割を選択してください。", "REQUIRED")
        role = Role(values["role"])
        # only the place the role needs is read: a hub left selected when the role became an analyst is ignored
        hub_id = (parse_id(values["hubId"], ["hubId"], "拠点")
                  if values["hubId"] and role in (Role.HUB_MANAGER, Role.COORDINATOR) else None)
        prefecture = values["prefectureCode"] if role is Role.PREFECTURE_ANALYST else None
        async with transaction(web.sessions) as session:
            await people.change_placement(session, actor=me.actor, user_id=uid, role=role, hub_id=hub_id,
                                          prefecture_code=prefecture or None)
    except Forbidden:
        raise PageNotFound() from None
    except UserInputError as e:
        if e.field == ["userId"]:
            raise PageNotFound() from None
        return await _person_page(request, me, user_id, errors={e.field[-1]: e.message}, form=values, status=400)
    return redirect(request, f"/admin/people/{user_id}?done=placement")


async def _lifecycle(request: Request, me: Viewer, user_id: str, action, done: str):
    try:
        await _admin_action(request, me, user_id, action)
    except UserInputError as e:
        return await _person_page(request, me, user_id, errors={"_form": e.message}, status=400)
    return redirect(request, f"/admin/people/{user_id}?done={done}")


@router.post("/admin/people/{user_id}/deactivate")
async def deactivate(request: Request, user_id: str, me: Viewer = Depends(viewer)):
    return await _lifecycle(request, me, user_id, people.deactivate, "deactivated")


@router.post("/admin/people/{user_id}/reactivate")
async def reactivate(request: Request, user_id: str, me: Viewer = Depends(viewer)):
    return await _lifecycle(request, me, user_id, people.reactivate, "reactivated")


@router.post("/admin/people/{user_id}/reinvite")
async def reinvite(request: Request, user_id: str, me: Viewer = Depends(viewer)):
    web = web_of(request)

    async def again(session, *, actor, user_id):
        return await invitations.reinvite(session, actor=actor, settings=web.settings, user_id=user_id)
    try:
        invited = await _admin_action(request, me, user_id, again)
    except UserInputError as e:
        return await _people_page(request, me, errors={"email": e.message}, status=400)
    return await _people_page(request, me, notice=f"{invited.user.email} に招待メールを再送しました。",
                              invite_url=invited.url)
