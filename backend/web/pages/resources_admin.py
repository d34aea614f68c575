"""名寄せの確認 (administrators): the crosswalk of outside identifiers and how each was matched
(ResourceCrosswalk), confirming or splitting a match, and placing the rows an import could not match
(ResourceUnmatched, PlaceUnmatchedResourceRow). The mutations decide who may; refused looks like missing."""

from fastapi import APIRouter, Depends, Request

from backend.resources.vocabulary import IdentifierScheme
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer
from backend.web.pages import resources_common as rc

router = APIRouter()
PAGE = "/admin/resources/crosswalk"
NOTICES = {"confirmed": "照合を確定しました。", "split": "照合を切り離し、別の資源として登録しました。",
           "placed": "未照合の行を資源に結び付けました。"}


async def _page(request: Request, me: Viewer, *, review: bool, errors: dict | None = None, status: int = 200,
                values: dict | None = None):
    from backend import policy
    if not policy.curates_crosswalk(me.actor):
        raise PageNotFound()
    crosswalk = (await rc.run(request, me, "ResourceCrosswalk", {"needsReview": review or None, "first": 100}))
    unmatched = await rc.run(request, me, "ResourceUnmatched", {"first": 100})
    return render(request, "resources/crosswalk.html", status=status, review=review,
                  identifiers=crosswalk["resourceCrosswalk"], unmatched=unmatched["resourceUnmatched"],
                  scheme_labels={m.name: m.label for m in IdentifierScheme}, errors=errors or {},
                  values=values or {}, notice=NOTICES.get(request.query_params.get("done", "")))


@router.get(PAGE)
async def crosswalk(request: Request, all: str = "", me: Viewer = Depends(viewer)):
    return await _page(request, me, review=all != "1")


@router.post(PAGE + "/{identifier_id}/confirm")
async def confirm(request: Request, identifier_id: str, me: Viewer = Depends(viewer)):
    data = await rc.run(request, me, "ConfirmResourceMatch", {"identifierId": rc.require_id(identifier_id)})
    if data["confirmResourceMatch"]["userErrors"]:
        raise PageNotFound()
    return redirect(request, PAGE + "?done=confirmed")


@router.post(PAGE + "/{identifier_id}/split")
async def split(request: Request, identifier_id: str, me: Viewer = Depends(viewer)):
    data = await rc.run(request, me, "SplitResourceMatch", {"identifierId": rc.require_id(identifier_id)})
    result = data["splitResourceMatch"]
    if result["userErrors"]:
        if rc.refused(result["userErrors"]):
            raise PageNotFound()
        return await _page(request, me, review=True, status=400, errors={"_form": result["userErrors"][0]["message"]})
    return redirect(request, f"/resources/{result['service']['id']}?done=split")


@router.post(PAGE + "/unmatched/{unmatched_id}")
async def place(request: Request, unmatched_id: str, me: Viewer = Depends(viewer)):
    service_id = str((await request.form()).get("serviceId", "")).strip()
    field = f"service-{unmatched_id}"
    if not service_id.isdigit():
        return await _page(request, me, review=True, status=400, errors={field: "資源IDを数字で入力してください。"},
                           values={field: service_id})
    data = await rc.run(request, me, "PlaceUnmatchedResourceRow", {"unmatchedId": rc.require_id(unmatched_id),
                                                                   "serviceId": service_id})
    result = data["placeUnmatchedResourceRow"]
    if result["userErrors"]:
        if any(e["code"] == "FORBIDDEN" for e in result["userErrors"]):
            raise PageNotFound()
        return await _page(request, me, review=True, status=400, values={field: service_id},
                           errors={field: result["userErrors"][0]["message"]})
    return redirect(request, PAGE + "?done=placed")
