"""資源検索 and 資源詳細: the directory a coordinator searches during a call, through the contract's
SearchResources and ResourceServiceDetail (what the page shows is what /graphql answers that person), and
the correction report anyone signed in may send from an entry."""

from fastapi import APIRouter, Depends, Request

from backend import policy
from backend.resources.corrections import FIELDS
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer
from backend.web.pages import resources_common as rc

router = APIRouter()
PAGE_SIZE = 30
WHEN = {"now": "今開いている", "tonight": "今夜（18時〜翌6時）", "holiday": "次の祝日"}


def _filter(params, vocab: dict, prefecture: str | None) -> tuple[dict, dict]:
    """The query string as the form shows it and as ResourceSearchFilter takes it."""
    form = {"q": params.get("q", "").strip()[:100], "kind": params.get("kind", ""), "caps": params.getlist("cap"),
            "pops": params.getlist("pop"), "consult": params.get("consult") == "1", "area": params.get("area", "").strip(),
            "chome": params.get("chome", "").strip()[:100], "when": params.get("when", ""),
            "vacancy": params.get("vacancy") == "1"}
    known = set(vocab["labels"])
    form["caps"] = [c for c in form["caps"] if c in known]
    form["pops"] = [c for c in form["pops"] if c in known]
    kinds = {k["value"] for k in vocab["serviceKinds"]}
    calendar = vocab["calendar"]
    holiday = calendar["today"] if calendar["todayIsHoliday"] else calendar["nextHoliday"]
    filt = {"text": form["q"] or None, "kinds": [form["kind"]] if form["kind"] in kinds else None,
            "capabilities": form["caps"] or None, "populations": form["pops"] or None,
            "includeConsult": form["consult"], "municipalityCode": rc.municipality_code(form["area"], prefecture) or None,
            "chome": (form["chome"] or None) if form["area"] else None, "openNow": form["when"] == "now",
            "openTonight": form["when"] == "tonight", "openOn": holiday if form["when"] == "holiday" else None,
            "withVacancy": form["vacancy"]}
    return form, filt


@router.get("/resources")
async def search_page(request: Request, me: Viewer = Depends(viewer)):
    if not policy.reads_directory(me.actor):          # a facility contact keeps one entry: theirs
        raise PageNotFound()
    vocab = await rc.vocabulary(request, me)
    prefecture = await rc.prefecture_of(request, me)
    form, filt = _filter(request.query_params, vocab, prefecture)
    searched = bool(request.query_params)      # 検索する with no condition lists everything, freshest first
    page, error = None, None
    if searched:
        after = request.query_params.get("after") or None
        if form["area"] and not rc.known_municipality(filt["municipalityCode"]):
            error = "市区町村が見つかりません。名前（例：長岡市）か5桁のコードで入力してください。"
        else:
            variables = {"filter": filt, "first": PAGE_SIZE, "after": after, "show": form["caps"] + form["pops"]}
            try:
                page = (await rc.run(request, me, "SearchResources", variables))["resourceSearch"]
            except rc.operations.OperationFailed:
                if after is None:
                    raise
                # a cursor edited by hand (or from an old link): start again from the first page
                page = (await rc.run(request, me, "SearchResources", {**variables, "after": None}))["resourceSearch"]
    context = dict(vocab=vocab, form=form, page=page, searched=searched, error=error, when_options=WHEN,
                   municipalities=rc.municipality_choices(prefecture), desk=policy.verifies_resources(me.actor),
                   query=_without_after(request), holiday=_holiday_label(vocab["calendar"]))
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return render(request, "resources/_results.html", **context)
    return render(request, "resources/search.html", **context)


def _holiday_label(calendar: dict) -> str:
    if calendar["todayIsHoliday"]:
        return f"今日（{calendar['holidayName']}）"
    day = calendar["nextHoliday"]
    return f"{int(day[5:7])}月{int(day[8:10])}日（{calendar['nextHolidayName']}）"


async def detail_context(request: Request, me: Viewer, service_id: str) -> dict:
    data = await rc.run(request, me, "ResourceServiceDetail", {"id": rc.require_id(service_id)})
    if data.get("resourceService") is None:           # missing or out of scope: the same answer, as in the API
        raise PageNotFound()
    s = rc.labelled(data["resourceService"])
    vocab = await rc.vocabulary(request, me)
    desk = policy.verifies_resources(me.actor)
    open_corrections = []
    if desk and s["openCorrections"]:
        found = await rc.run(request, me, "ResourceCorrections", {"status": "OPEN", "first": 100})
        open_corrections = [e["node"] for e in found["resourceCorrections"]["edges"]
                            if e["node"]["service"] and e["node"]["service"]["id"] == s["id"]]
    have = {c["key"]: c for c in s["capabilities"]}
    groups = [{**g, "rows": [have.get(c["key"]) or {"key": c["key"], "label": c["label"], "value": "UNKNOWN",
                                                      "valueLabel": "不明", "sourceLabel": "", "confirmedOn": None,
                                                      "confirmedBy": None, "missing": True}
                             for c in g["items"] if c["key"] in have or not c["appliesTo"]
                             or s["kind"] in c["appliesTo"]]} for g in vocab["groups"]]
    fields = [(k, v) for k, v in FIELD_CHOICES] + [(f"capability:{c['key']}", f"対応項目「{c['label']}」")
                                                   for c in vocab["capabilities"]]
    return dict(s=s, vocab=vocab, groups=groups, desk=desk, open_corrections=open_corrections, fields=fields,
                now=rc.now_local(), correction={"field": "", "note": ""}, correction_errors={}, verify_errors={},
                verify={"calledAt": rc.now_local(), "channel": "PHONE", "contactPerson": "", "note": "", "caps": {}},
                notice=NOTICES.get(request.query_params.get("done", "")))


FIELD_CHOICES = list(FIELDS.items())
NOTICES = {"correction": "訂正の報告を受け付けました。デスクが確認します。", "verified": "確認の記録を保存しました。",
           "created": "資源を登録しました。対応できることはデスクの確認で記録してください。"}


@router.get("/resources/{service_id}")
async def detail_page(request: Request, service_id: str, me: Viewer = Depends(viewer)):
    return render(request, "resources/detail.html", **await detail_context(request, me, service_id))


@router.post("/resources/{service_id}/corrections")
async def report_correction(request: Request, service_id: str, me: Viewer = Depends(viewer)):
    form = await request.form()
    values = {"field": str(form.get("field", "")), "note": str(form.get("note", "")).strip()}
    data = await rc.run(request, me, "ReportResourceCorrection", {"input": {
        "serviceId": rc.require_id(service_id), "field": values["field"], "note": values["note"]}})
    result = data["reportResourceCorrection"]
    if result["userErrors"]:
        if rc.refused(result["userErrors"]):
            raise PageNotFound()
        context = await detail_context(request, me, service_id)
        context.update(correction=values, correction_errors=rc.errors_of(result["userErrors"]))
        return render(request, "resources/detail.html", status=400, **context)
    target = "/my-service" if me.actor.service_id else f"/resources/{service_id}"
    return redirect(request, f"{target}?done=correction")


def _without_after(request: Request) -> str:
    from urllib.parse import urlencode
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "after"])
