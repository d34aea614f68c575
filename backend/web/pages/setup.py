"""Admin: 圏域・拠点. Areas and hubs are created through the contract's CreateArea and CreateHub run in-process
(the same validation, scope and audit as /graphql); their userErrors appear beside the fields."""

from fastapi import APIRouter, Depends, Request

from backend.errors import Forbidden
from backend.regions import codes
from backend.regions import service as regions
from backend.web import operations
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer, web_of

router = APIRouter()
DONE = {"area": "圏域を作成しました。", "hub": "拠点を作成しました。"}


def _field(path: list[str], prefix: str) -> str:
    """A userError's field path (["input", "municipalityCodes", "3"]) as the form's field name; the two forms
    share the page, so their "name" fields are areaName and hubName."""
    parts = [p for p in path if p != "input"]
    if not parts:
        return "_form"
    return {"name": prefix + "Name", "prefectureCode": "prefecture"}.get(parts[0], parts[0])


def _prefecture(raw: str | None) -> str | None:
    try:
        return codes.parse_prefecture_code(raw) if raw else None
    except codes.InvalidPrefectureCode:
        return None


async def _page(request: Request, me: Viewer, *, prefecture: str | None, area_form: dict | None = None,
                hub_form: dict | None = None, area_errors: dict | None = None, hub_errors: dict | None = None,
                notice: str | None = None, status: int = 200):
    web = web_of(request)
    try:
        async with web.sessions() as session:
            areas = await regions.list_areas(session, actor=me.actor)
    except Forbidden:
        raise PageNotFound() from None
    names = codes.prefecture_names()
    area_form = area_form or {"areaName": "", "municipalityCodes": []}
    return render(request, "admin/areas.html", status=status, areas=areas, prefecture=prefecture,
                  prefecture_name=names.get(prefecture or ""),
                  prefectures=[(code, f"{code} {name}") for code, name in names.items()],
                  municipalities=regions.municipalities_of(prefecture) if prefecture else [],
                  area_form=area_form, hub_form=hub_form or {"areaId": "", "hubName": ""},
                  area_errors=area_errors or {}, hub_errors=hub_errors or {}, notice=notice,
                  area_choices=[(a.id, f"{a.prefecture_name}　{a.name}") for a in areas])


@router.get("/admin/areas")
async def areas_page(request: Request, prefecture: str | None = None, done: str | None = None,
                     me: Viewer = Depends(viewer)):
    return await _page(request, me, prefecture=_prefecture(prefecture), notice=DONE.get(done or ""))


@router.post("/admin/areas")
async def create_area(request: Request, me: Viewer = Depends(viewer)):
    form = await request.form()
    prefecture = str(form.get("prefectureCode", "")).strip()
    values = {"areaName": str(form.get("areaName", "")).strip(),
              "municipalityCodes": [str(v) for v in form.getlist("municipalityCodes")]}
    data = await operations.run(request, me, "admin.graphql", "CreateArea",
                                {"input": {"prefectureCode": prefecture, "name": values["areaName"],
                                           "municipalityCodes": values["municipalityCodes"]}})
    result = data["createArea"]
    if result["userErrors"]:
        errors = {_field(e["field"], "area"): e["message"] for e in result["userErrors"]}
        if any(e["code"] == "FORBIDDEN" for e in result["userErrors"]):
            raise PageNotFound()
        return await _page(request, me, prefecture=_prefecture(prefecture), area_form=values, area_errors=errors,
                           status=400)
    area = result["area"]
    return redirect(request, f"/admin/areas?prefecture={area['prefecture']['code']}&done=area#area-{area['id']}")


@router.post("/admin/hubs")
async def create_hub(request: Request, me: Viewer = Depends(viewer)):
    form = await request.form()
    values = {"areaId": str(form.get("areaId", "")).strip(), "hubName": str(form.get("hubName", "")).strip()}
    if not values["areaId"]:
        return await _page(request, me, prefecture=None, hub_form=values, status=400,
                           hub_errors={"areaId": "圏域を選択してください。"})
    data = await operations.run(request, me, "admin.graphql", "CreateHub",
                                {"input": {"areaId": values["areaId"], "name": values["hubName"]}})
    result = data["createHub"]
    if result["userErrors"]:
        if any(e["code"] == "FORBIDDEN" for e in result["userErrors"]):
            raise PageNotFound()
        return await _page(request, me, prefecture=None, hub_form=values, status=400,
                           hub_errors={_field(e["field"], "hub"): e["message"] for e in result["userErrors"]})
    hub = result["hub"]
    return redirect(request, f"/admin/areas?done=hub#area-{hub['area']['id']}")
