"""Admin: people (invite, end sessions, reset the second factor). The services decide who may."""

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
_EMPTY_FORM = {"email": "", "displayName": "", "role": "", "hubId": "", "prefectureCode": ""}


async def _people_page(request: Request, me: Viewer, *, errors: dict | None = None, form: dict | None = None,
                       notice: str | None = None, invite_url: str | None = None, status: int = 200):
    web = web_of(request)
    try:
        async with web.sessions() as session:
            listed = await people.list_people(session, actor=me.actor, settings=web.settings)
            hubs = await regions.list_hubs(session, actor=me.actor)
    except Forbidden:
        raise PageNotFound() from None
    names = codes.prefecture_names()
    return render(request, "admin/people.html", status=status, people=listed, errors=errors or {},
                  form=form or _EMPTY_FORM, notice=notice, invite_url=invite_url,
                  invitation_hours=web.settings.invitation_hours, prefecture_names=names,
                  roles=[(r.value, r.label) for r in Role],
                  hubs=[(hub.id, f"{names.get(code, code)}　{hub.name}") for hub, code in hubs],
                  prefectures=[(code, f"{code} {name}") for code, name in names.items()])


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
                                               display_name=values["displayName"] or None)
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
        "second_factor": "二要素認証をリセットしました。次回のログインで、本人が認証アプリを登録し直します。"}


@router.get("/admin/people")
async def people_page(request: Request, done: str | None = None, me: Viewer = Depends(viewer)):
    return await _people_page(request, me, notice=DONE.get(done or ""))


@router.post("/admin/people/{user_id}/end-sessions")
async def end_sessions(request: Request, user_id: str, me: Viewer = Depends(viewer)):
    await _admin_action(request, me, user_id, login.end_sessions_of)
    return redirect(request, "/admin/people?done=sessions")


@router.post("/admin/people/{user_id}/reset-second-factor")
async def reset_second_factor(request: Request, user_id: str, me: Viewer = Depends(viewer)):
    await _admin_action(request, me, user_id, login.reset_second_factor)
    return redirect(request, "/admin/people?done=second_factor")


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
