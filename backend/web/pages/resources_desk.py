"""The desk's directory work: record a call (VerifyResourceService), register an entry the open data lacks
(CreateResourceService), the queue of correction reports (ResourceCorrections, ResolveResourceCorrection)
and the sources with their credits (ResourceSources). The contract's documents decide who may."""

from fastapi import APIRouter, Depends, Request

from backend.web.core import PageNotFound, Viewer, redirect, render, viewer
from backend.web.pages import resources_common as rc
from backend.web.pages.resources import detail_context

router = APIRouter()


@router.post("/resources/{service_id}/verify")
async def verify(request: Request, service_id: str, me: Viewer = Depends(viewer)):
    form = await request.form()
    caps = {k[4:]: str(v) for k, v in form.multi_items() if k.startswith("cap-") and v}
    values = {"calledAt": str(form.get("calledAt", "")), "channel": str(form.get("channel", "PHONE")),
              "contactPerson": str(form.get("contactPerson", "")).strip(), "note": str(form.get("note", "")).strip(),
              "caps": caps}
    data = await rc.run(request, me, "VerifyResourceService", {"input": {
        "serviceId": rc.require_id(service_id), "calledAt": rc.from_local(values["calledAt"]) or None,
        "channel": values["channel"], "contactPerson": values["contactPerson"] or None, "note": values["note"] or None,
        "capabilities": [{"key": k, "value": v} for k, v in caps.items()],
        "resolvesCorrections": [str(v) for v in form.getlist("resolves")]}})
    result = data["verifyResourceService"]
    if result["userErrors"]:
        if rc.refused(result["userErrors"]):
            raise PageNotFound()
        context = await detail_context(request, me, service_id)
        context.update(verify=values, verify_errors=rc.errors_of(result["userErrors"]))
        return render(request, "resources/detail.html", status=400, **context)
    return redirect(request, f"/resources/{service_id}?done=verified#log")


def _new_form(vocab: dict, values: dict, errors: dict) -> dict:
    return dict(vocab=vocab, form=values, errors=errors, kinds=[(k["value"], k["label"]) for k in vocab["serviceKinds"]])


EMPTY = {"name": "", "nameKana": "", "kind": "", "municipality": "", "address": "", "phone": "", "url": "",
         "description": ""}


@router.get("/resources/new")
async def new_page(request: Request, me: Viewer = Depends(viewer)):
    from backend import policy
    if not policy.verifies_resources(me.actor):      # the button is the desk's; the mutation decides anyway
        raise PageNotFound()
    vocab = await rc.vocabulary(request, me)
    return render(request, "resources/new.html", **_new_form(vocab, dict(EMPTY), {}),
                  municipalities=rc.municipality_choices(await rc.prefecture_of(request, me)))


@router.post("/resources/new")
async def create(request: Request, me: Viewer = Depends(viewer)):
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in EMPTY}
    prefecture = await rc.prefecture_of(request, me)
    data = await rc.run(request, me, "CreateResourceService", {"input": {
        "name": values["name"], "kind": values["kind"] or "OTHER_CARE",
        "municipalityCode": rc.municipality_code(values["municipality"], prefecture),
        **{k: values[k] or None for k in ("nameKana", "address", "phone", "url", "description")}}})
    result = data["createResourceService"]
    if result["userErrors"]:
        if any(e["code"] == "FORBIDDEN" for e in result["userErrors"]):
            raise PageNotFound()
        vocab = await rc.vocabulary(request, me)
        errors = rc.errors_of(result["userErrors"], {"municipalityCode": "municipality"})
        return render(request, "resources/new.html", status=400, **_new_form(vocab, values, errors),
                      municipalities=rc.municipality_choices(prefecture))
    return redirect(request, f"/resources/{result['service']['id']}?done=created")


STATUSES = {"OPEN": "未対応", "RESOLVED": "修正済み", "DISMISSED": "対応不要"}


@router.get("/resources/corrections")
async def corrections_page(request: Request, status: str = "OPEN", after: str | None = None,
                           me: Viewer = Depends(viewer)):
    from backend import policy
    if not (policy.verifies_resources(me.actor) or policy.is_admin(me.actor)):
        raise PageNotFound()
    status = status if status in STATUSES else "OPEN"
    data = await rc.run(request, me, "ResourceCorrections", {"status": status, "first": 50, "after": after or None})
    page = data["resourceCorrections"]
    return render(request, "resources/corrections.html", page=page, current=status, statuses=STATUSES,
                  notice="報告を閉じました。" if request.query_params.get("done") else None)


@router.post("/resources/corrections/{correction_id}")
async def resolve(request: Request, correction_id: str, me: Viewer = Depends(viewer)):
    form = await request.form()
    status = str(form.get("status", ""))
    if status not in ("RESOLVED", "DISMISSED"):
        raise PageNotFound()
    data = await rc.run(request, me, "ResolveResourceCorrection", {"id": rc.require_id(correction_id), "status": status})
    if data["resolveResourceCorrection"]["userErrors"]:
        raise PageNotFound()
    return redirect(request, "/resources/corrections?done=1")


@router.get("/resources/sources")
async def sources_page(request: Request, me: Viewer = Depends(viewer)):
    data = await rc.run(request, me, "ResourceSources")
    return render(request, "resources/sources.html", sources=data["resourceSources"])
