"""Referrals on a consultation (/consultations/{id}/referrals): the services contacted, each accepted or
declined with a reason, recorded as one action through the contract's RecordReferrals; and the hub's
unmet-need signals (/unmet-needs: HubUnmetNeeds, RaiseUnmetNeed). Scope is the API's: a consultation out of
scope answers null, and the page 404."""

from fastapi import APIRouter, Depends, Request

from backend.db import utcnow
from backend.fiscal import fiscal_year_of
from backend.taxonomy import ResponseType
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer
from backend.web.pages import resources_common as rc

router = APIRouter()


async def _consultation(request: Request, me: Viewer, consultation_id: str) -> dict:
    data = await rc.run(request, me, "ConsultationReferrals", {"id": rc.require_id(consultation_id)})
    if data.get("consultation") is None:
        raise PageNotFound()
    return data["consultation"]


async def _page(request: Request, me: Viewer, consultation_id: str, *, q: str, kind: str, status: int = 200,
                errors: dict | None = None, chosen: dict | None = None, values: dict | None = None):
    c = await _consultation(request, me, consultation_id)
    vocab = await rc.vocabulary(request, me)
    results = None
    if q or kind:
        found = await rc.run(request, me, "SearchResources", {"filter": {
            "text": q or None, "kinds": [kind] if kind in {k["value"] for k in vocab["serviceKinds"]} else None},
            "first": 20, "show": []})
        results = [e["node"] for e in found["resourceSearch"]["edges"]]
    done = [{"action": a, "referral": r} for a in c["actions"] for r in a["referrals"]]
    return render(request, "resources/referrals.html", status=status, c=c, vocab=vocab, q=q, kind=kind,
                  results=results, done=done, errors=errors or {}, chosen=chosen or {},
                  values=values or {"performedAt": rc.now_local(), "type": "RESOURCE_REFERRAL", "minutes": "",
                                    "note": "", "needs": []},
                  types=[(t.name, t.label) for t in ResponseType],
                  outcome_labels={o["value"]: o["label"] for o in vocab["referralOutcomes"]},
                  reason_labels={o["value"]: o["label"] for o in vocab["declineReasons"]},
                  notice="紹介の結果を記録しました。" if request.query_params.get("done") else None)


@router.get("/consultations/{consultation_id}/referrals")
async def referrals_page(request: Request, consultation_id: str, q: str = "", kind: str = "",
                         me: Viewer = Depends(viewer)):
    return await _page(request, me, consultation_id, q=q.strip()[:100], kind=kind)


@router.post("/consultations/{consultation_id}/referrals")
async def record(request: Request, consultation_id: str, me: Viewer = Depends(viewer)):
    form = await request.form()
    chosen = {str(sid): {"outcome": str(form.get(f"outcome-{sid}", "")), "reason": str(form.get(f"reason-{sid}", ""))}
              for sid in form.getlist("service")}
    values = {"performedAt": str(form.get("performedAt", "")), "type": str(form.get("type", "RESOURCE_REFERRAL")),
              "minutes": str(form.get("minutes", "")).strip(), "note": str(form.get("note", "")).strip(),
              "needs": [str(n) for n in form.getlist("need")]}
    q, kind = str(form.get("q", "")), str(form.get("kind", ""))
    errors = {}
    if not chosen:
        errors["service"] = "連絡した資源を1つ以上選んでください。"
    errors.update({f"outcome-{sid}": "結果を選んでください。" for sid, v in chosen.items() if not v["outcome"]})
    if values["minutes"] and not values["minutes"].isdigit():
        errors["minutes"] = "所要時間は分単位の整数で入力してください。"
    if errors:
        return await _page(request, me, consultation_id, q=q, kind=kind, status=400, errors=errors, chosen=chosen,
                           values=values)
    data = await rc.run(request, me, "RecordReferrals", {"input": {
        "consultationId": rc.require_id(consultation_id), "performedAt": rc.from_local(values["performedAt"]),
        "type": values["type"], "note": values["note"] or None,
        "minutes": int(values["minutes"]) if values["minutes"] else None, "neededCapabilities": values["needs"] or None,
        "referrals": [{"serviceId": sid, "outcome": v["outcome"],
                       "declineReason": v["reason"] if v["outcome"] == "DECLINED" and v["reason"] else None}
                      for sid, v in chosen.items()]}})
    result = data["recordAction"]
    if result["userErrors"]:
        if rc.refused(result["userErrors"]) and not any("referrals" in e["field"] for e in result["userErrors"]):
            raise PageNotFound()
        return await _page(request, me, consultation_id, q=q, kind=kind, status=400, chosen=chosen, values=values,
                           errors=_errors(result["userErrors"], list(chosen)))
    return redirect(request, f"/consultations/{consultation_id}/referrals?done=1")


def _errors(user_errors: list[dict], ids: list[str]) -> dict[str, str]:
    """userErrors on referrals.N.declineReason shown beside that service's row (reason-ID)."""
    out: dict[str, str] = {}
    for e in user_errors:
        path = [str(p) for p in e["field"] if p != "input"]
        if path[:1] == ["referrals"] and len(path) >= 2 and path[1].isdigit() and int(path[1]) < len(ids):
            part = path[2] if len(path) > 2 else "serviceId"
            key = {"declineReason": "reason", "outcome": "outcome"}.get(part, "s")
            out.setdefault(f"{key}-{ids[int(path[1])]}", e["message"])
        else:
            out.update({k: v for k, v in rc.errors_of([e], {"neededCapabilities": "need"}).items() if k not in out})
    return out


@router.get("/unmet-needs")
async def unmet_needs(request: Request, year: int | None = None, me: Viewer = Depends(viewer)):
    if me.actor.hub_id is None:
        raise PageNotFound()
    fiscal_year = year if year and 2000 <= year <= 2100 else fiscal_year_of(utcnow())
    data = await rc.run(request, me, "HubUnmetNeeds", {"hubId": str(me.actor.hub_id), "fiscalYear": fiscal_year})
    if data.get("hub") is None:
        raise PageNotFound()
    from backend import policy
    vocab = await rc.vocabulary(request, me)
    return render(request, "resources/unmet_needs.html", needs=data["hub"]["unmetNeeds"], fiscal_year=fiscal_year,
                  this_year=fiscal_year_of(utcnow()),
                  labels=vocab["labels"], raises=policy.manages(me.actor, me.actor.hub_id),
                  notice="地域課題として提起しました。地域課題ボードで確認できます。" if request.query_params.get("done") else None,
                  error=request.query_params.get("error"))


@router.post("/unmet-needs/raise")
async def raise_need(request: Request, me: Viewer = Depends(viewer)):
    form = await request.form()
    year = str(form.get("year", ""))
    if me.actor.hub_id is None or not year.isdigit():
        raise PageNotFound()
    data = await rc.run(request, me, "RaiseUnmetNeed", {"hubId": str(me.actor.hub_id), "fiscalYear": int(year),
                                                        "key": str(form.get("key", ""))})
    result = data["raiseUnmetNeed"]
    if result["userErrors"]:
        if rc.refused(result["userErrors"]):
            raise PageNotFound()
        return redirect(request, f"/unmet-needs?year={year}&error=1")
    return redirect(request, f"/unmet-needs?year={year}&done=1")
