"""受付 (intake): a call logged through the contract's LogConsultation, with scene suggestions while the
note is typed. The form carries an idempotency key made when it is rendered, so a double submit or a
retry after a network error returns the consultation first created instead of a second one."""

import secrets

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from backend.consultations import assist
from backend.db import transaction
from backend.errors import NotFound
from backend.taxonomy import CareScene
from backend.web import operations
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer, web_of
from backend.web.pages.forms import (
    FormError,
    choices,
    enum_value,
    enum_values,
    field_errors,
    japan_moment,
    japan_now_local,
    whole_number,
)

router = APIRouter()
TEXT_FIELDS = ("idempotencyKey", "receivedAt", "channel", "callerRole", "callerOrganizationType", "municipalityCode",
               "summary", "urgency", "ageBand", "careLevel", "livingSituation", "followUpOn")
LIST_FIELDS = ("scenes", "categories", "flags")
OPTIONS = {"channels": "Channel", "callerRoles": "CallerRole", "organizationTypes": "OrganizationType",
           "categories": "ConsultationCategory", "ageBands": "AgeBand", "careLevels": "CareLevel",
           "livingSituations": "LivingSituation", "flags": "SubjectFlag"}
URGENCIES = [("1", "1 一般的な問い合わせ"), ("2", "2 情報提供・紹介で対応可"), ("3", "3 専門的・継続的な関与が必要"),
             ("4", "4 緊急対応が必要")]


def _blank_form() -> dict:
    form: dict = {k: "" for k in TEXT_FIELDS} | {k: [] for k in LIST_FIELDS}
    form.update(idempotencyKey=secrets.token_urlsafe(18), receivedAt=japan_now_local(), channel="PHONE")
    return form


def _read(data: FormData) -> dict:
    form: dict = {k: str(data.get(k, "")).strip() if k != "summary" else str(data.get(k, "")) for k in TEXT_FIELDS}
    form.update({k: [str(v) for v in data.getlist(k)] for k in LIST_FIELDS})
    return form


async def desk_area(request: Request, me: Viewer) -> assist.DeskArea:
    """The viewer's hub and its area's municipalities; not a desk: the page does not exist for them."""
    try:
        async with web_of(request).sessions() as session:
            return await assist.desk_area(session, actor=me.actor)
    except NotFound:
        raise PageNotFound() from None


async def _context(request: Request, me: Viewer) -> dict:
    desk = await desk_area(request, me)
    return {"hub_name": desk.hub, "area_name": desk.area,
            "municipalities": [{"code": code, "name": name} for code, name in desk.municipalities]}


async def scene_panel(request: Request, me: Viewer, summary: str, checked: list[str]) -> dict:
    """The suggested scenes of the note (the service the API uses), the ticked ones kept, the rest below."""
    web = web_of(request)
    try:
        async with transaction(web.sessions) as session:
            found = await assist.suggestions(session, actor=me.actor, summary=summary)
    except NotFound:
        raise PageNotFound() from None
    suggested = [dict(s, value=s["scene"].upper()) for s in found]
    shown = {s["value"] for s in suggested}
    ticked = [v for v in checked if v in CareScene.__members__]
    extra_ticked = [v for v in ticked if v not in shown]
    rest = [(m.name, m.label) for m in CareScene if m.name not in shown and m.name not in extra_ticked]
    return {"suggested": suggested, "extra_ticked": extra_ticked, "ticked": ticked, "rest": rest}


async def _page(request: Request, me: Viewer, form: dict, errors: dict | None = None, status: int = 200):
    context = await _context(request, me)
    panel = await scene_panel(request, me, form["summary"], form["scenes"])
    return render(request, "consultations/intake.html", status=status, form=form, errors=errors or {},
                  panel=panel, urgencies=URGENCIES, **context, **{k: choices(v) for k, v in OPTIONS.items()})


@router.get("/intake")
async def intake(request: Request, me: Viewer = Depends(viewer)):
    return await _page(request, me, _blank_form())


@router.post("/intake/suggestions")
async def suggestions(request: Request, me: Viewer = Depends(viewer)):
    """The scene panel for the note typed so far (htmx, debounced). The note travels in the POST body,
    never in a URL, and is not kept."""
    data = await request.form()
    panel = await scene_panel(request, me, str(data.get("summary", "")), [str(v) for v in data.getlist("scenes")])
    return render(request, "consultations/_scene_panel.html", panel=panel)


def municipality_code(typed: str, municipalities: list[dict]) -> str:
    """A code as typed (5 or 6 digits, checked by the service), or the name of one of the hub's
    municipalities as the screen lists them ("長岡市" or "長岡市（15202）")."""
    typed = typed.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if typed.isdigit():
        return typed
    for m in municipalities:
        if typed in (m["name"], f"{m['name']}（{m['code']}）", f"{m['code']} {m['name']}"):
            return m["code"]
    if not typed:
        raise FormError("municipalityCode", "市区町村を入力してください。")
    raise FormError("municipalityCode", "拠点の圏域の市区町村から選んでください（名前か市区町村コード）。")


async def _input(request: Request, me: Viewer, form: dict) -> dict:
    municipalities = (await _context(request, me))["municipalities"]
    subject = {k: v for k, v in {
        "ageBand": enum_value(form["ageBand"], "AgeBand", "ageBand", "年齢層", required=False),
        "careLevel": enum_value(form["careLevel"], "CareLevel", "careLevel", "要介護度", required=False),
        "livingSituation": enum_value(form["livingSituation"], "LivingSituation", "livingSituation", "世帯の状況",
                                      required=False),
        "flags": enum_values(form["flags"], "SubjectFlag", "flags", "対象者の特記事項") or None}.items() if v}
    return {
        "idempotencyKey": form["idempotencyKey"] or secrets.token_urlsafe(18),
        "receivedAt": japan_moment(form["receivedAt"]),
        "channel": enum_value(form["channel"], "Channel", "channel", "相談方法"),
        "callerRole": enum_value(form["callerRole"], "CallerRole", "callerRole", "相談者"),
        "callerOrganizationType": enum_value(form["callerOrganizationType"], "OrganizationType",
                                             "callerOrganizationType", "相談者の所属", required=False),
        "municipalityCode": municipality_code(form["municipalityCode"], municipalities),
        "summary": form["summary"],
        "scenes": enum_values(form["scenes"], "CareScene", "scenes", "場面") or None,
        "categories": enum_values(form["categories"], "ConsultationCategory", "categories", "分類") or None,
        "urgency": whole_number(form["urgency"], "urgency", "緊急度"),
        "subject": subject or None,
        "followUpOn": form["followUpOn"] or None,
    }


@router.post("/intake")
async def log_call(request: Request, me: Viewer = Depends(viewer)):
    form = _read(await request.form())
    try:
        variables = await _input(request, me, form)
    except FormError as e:
        return await _page(request, me, form, {e.field: e.message}, status=400)
    data = await operations.run(request, me, "coordinator.graphql", "LogConsultation", {"input": variables})
    payload = data["logConsultation"]
    if payload["userErrors"]:
        return await _page(request, me, form, field_errors(payload["userErrors"]), status=400)
    return redirect(request, f"/consultations/{payload['consultation']['id']}?done=logged")
