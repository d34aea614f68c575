"""The forms of 相談詳細: 対応の記録 (RecordAction), 編集 (UpdateConsultation, with the version guard) and
終結 (CloseConsultation), each run as the contract's mutation. A stale edit or close is refused by the
service (STALE_VERSION); the page then says who changed the consultation last, when and which fields
(the audit trail's field names, never values), keeps what was typed and offers to reload."""

from fastapi import APIRouter, Depends, Request

from backend.audit.service import request_trail
from backend.consultations import assist
from backend.db import transaction
from backend.errors import NotFound
from backend.web import operations
from backend.web.core import PageNotFound, Viewer, redirect, viewer, web_of
from backend.web.pages.consultations import checked_id, detail_page, load
from backend.web.pages.forms import FormError, enum_value, enum_values, field_errors, japan_moment, whole_number

router = APIRouter()
FIELD_LABELS = {"status": "状況", "scenes": "場面", "primaryScene": "主な場面", "categories": "分類", "urgency": "緊急度",
                "followUpOn": "フォロー予定日", "summary": "相談内容", "assignedToId": "担当", "actions": "対応の記録",
                "outcome": "結果", "closedAt": "終結日時", "note": "終結メモ", "referrals": "紹介先"}
OPERATION_LABELS = {"consultation.log": "受付", "consultation.update": "編集",
                    "consultation.record_action": "対応の記録", "consultation.close": "終結"}


def _texts(data, names) -> dict:
    return {n: str(data.get(n, "")) for n in names}


@router.post("/consultations/{consultation_id}/actions")
async def record_action(request: Request, consultation_id: str, me: Viewer = Depends(viewer)):
    cid = checked_id(consultation_id)
    form = _texts(await request.form(), ("type", "note", "minutes", "performedAt"))
    try:
        variables = {"consultationId": cid, "performedAt": japan_moment(form["performedAt"]),
                     "type": enum_value(form["type"], "ResponseType", "type", "対応の種類"),
                     "note": form["note"].strip() or None, "minutes": whole_number(form["minutes"], "minutes", "所要時間")}
    except FormError as e:
        return await detail_page(request, me, cid, status=400, errors={e.field: e.message}, forms={"action": form},
                                 open_panel="action")
    payload = (await operations.run(request, me, "coordinator.graphql", "RecordAction",
                                    {"input": variables}))["recordAction"]
    if payload["userErrors"]:
        if _missing(payload["userErrors"]):
            raise PageNotFound()
        return await detail_page(request, me, cid, status=400, errors=_as_form(field_errors(payload["userErrors"])),
                                 forms={"action": form}, open_panel="action")
    return redirect(request, f"/consultations/{cid}?done=action#timeline")


def _missing(user_errors: list[dict]) -> bool:
    """NOT_FOUND on the record itself (missing or out of scope) is answered as the 404 page, like a GET."""
    return any(e.get("code") == "NOT_FOUND" and (e.get("field") or [""])[-1] in ("id", "consultationId")
               for e in user_errors)


def _as_form(errors: dict) -> dict:
    """An error on the record itself (closed, already closed) is shown at the top of the form."""
    return {("_form" if k in ("consultationId", "id") else k): v for k, v in errors.items()}


def _edit_form(data) -> dict:
    form = _texts(data, ("version", "status", "urgency", "followUpOn", "summary", "confirmScenes"))
    form.update(scenes=[str(v) for v in data.getlist("scenes")], categories=[str(v) for v in data.getlist("categories")])
    return form


def _changes(form: dict, c: dict) -> dict:
    """Only what the coordinator changed, so the audit names those fields and nothing else."""
    changes: dict = {}
    status = enum_value(form["status"], "ConsultationStatus", "status", "状況")
    if status != c["status"]:
        changes["status"] = status
    scenes = enum_values(form["scenes"], "CareScene", "scenes", "場面")
    if scenes != list(c["scenes"]) or (form["confirmScenes"] and not c["scenesConfirmed"]):
        changes["scenes"] = scenes
    categories = enum_values(form["categories"], "ConsultationCategory", "categories", "分類")
    if sorted(categories) != sorted(c["categories"]):
        changes["categories"] = categories
    urgency = whole_number(form["urgency"], "urgency", "緊急度")
    if urgency != c["urgency"]:
        changes["urgency"] = urgency
    if (form["followUpOn"].strip() or None) != c["followUpOn"]:
        changes["followUpOn"] = form["followUpOn"].strip() or None
    if form["summary"].strip() != c["summary"].strip():
        changes["summary"] = form["summary"]
    return changes


async def _stale(request: Request, me: Viewer, cid: str) -> dict | None:
    """Who wrote the consultation last (the audit trail), for the kind refusal of a stale form."""
    web = web_of(request)
    try:
        async with request_trail(web.sessions, me.actor), transaction(web.sessions) as session:
            change = await assist.last_change(session, actor=me.actor, consultation_id=cid)
    except NotFound:
        raise PageNotFound() from None
    if change is None:
        return {"by": None, "at": None, "what": "", "fields": []}
    return {"by": change.by, "at": change.at, "what": OPERATION_LABELS.get(change.operation, "更新"),
            "fields": [FIELD_LABELS[f] for f in change.fields if f in FIELD_LABELS]}


def _version(form: dict) -> int:
    return int(form["version"]) if form["version"].isdigit() and len(form["version"]) < 10 else 0


@router.post("/consultations/{consultation_id}/edit")
async def edit(request: Request, consultation_id: str, me: Viewer = Depends(viewer)):
    cid = checked_id(consultation_id)
    form = _edit_form(await request.form())
    c = await load(request, me, cid)
    try:
        changes = _changes(form, c)
    except FormError as e:
        return await detail_page(request, me, cid, status=400, c=c, errors={e.field: e.message}, forms={"edit": form},
                                 open_panel="edit")
    if not changes and _version(form) == c["version"]:
        return redirect(request, f"/consultations/{cid}?done=unchanged")
    payload = (await operations.run(request, me, "coordinator.graphql", "UpdateConsultation",
                                    {"input": {"id": cid, "version": _version(form), **changes}}))["updateConsultation"]
    return await _after(request, me, cid, payload, form, "edit", "edited")


@router.post("/consultations/{consultation_id}/close")
async def close(request: Request, consultation_id: str, me: Viewer = Depends(viewer)):
    cid = checked_id(consultation_id)
    form = _texts(await request.form(), ("version", "outcome", "closeNote"))
    try:
        outcome = enum_value(form["outcome"], "Outcome", "outcome", "結果")
    except FormError as e:
        return await detail_page(request, me, cid, status=400, errors={e.field: e.message}, forms={"close": form},
                                 open_panel="close")
    payload = (await operations.run(request, me, "coordinator.graphql", "CloseConsultation", {"input": {
        "id": cid, "version": _version(form), "outcome": outcome, "note": form["closeNote"].strip() or None}}))
    return await _after(request, me, cid, payload["closeConsultation"], form, "close", "closed",
                        renamed={"note": "closeNote"})


async def _after(request: Request, me: Viewer, cid: str, payload: dict, form: dict, panel: str, done: str,
                 renamed: dict | None = None):
    if not payload["userErrors"]:
        return redirect(request, f"/consultations/{cid}?done={done}")
    if _missing(payload["userErrors"]):
        raise PageNotFound()
    errors = {(renamed or {}).get(k, k): v for k, v in _as_form(field_errors(payload["userErrors"])).items()}
    stale = None
    if any(e.get("code") == "STALE_VERSION" for e in payload["userErrors"]):
        stale = await _stale(request, me, cid)
        stale["message"] = errors.pop("version", "")
    return await detail_page(request, me, cid, status=409 if stale else 400, errors=errors, forms={panel: form},
                             stale=stale, open_panel=panel)
