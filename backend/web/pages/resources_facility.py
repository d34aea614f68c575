"""自事業所の情報: a facility contact's page for the one entry they keep (MyResourceService): vacancy with
its validity, opening hours, where they go and their own capabilities (事業所申告). The mutations decide
whose entry it is; this page only ever names the entry MyResourceService returned."""

from fastapi import APIRouter, Depends, Request

from backend.web.core import PageNotFound, Viewer, redirect, render, viewer
from backend.web.pages import resources_common as rc

router = APIRouter()
DAYS = ("月", "火", "水", "木", "金", "土", "日", "祝")
SLOTS = 2
NOTICES = {"capacity": "空き状況を更新しました。", "openings": "営業時間を保存しました。", "areas": "対応地域を保存しました。",
           "capabilities": "対応できることを保存しました（事業所申告）。", "correction": "訂正の報告を受け付けました。"}


async def _mine(request: Request, me: Viewer) -> dict:
    data = await rc.run(request, me, "MyResourceService")
    if data.get("myResourceService") is None:         # not a facility contact, or their entry is gone
        raise PageNotFound()
    return data["myResourceService"]


def _hours(s: dict) -> dict:
    grid: dict[str, str] = {}
    used: dict[int, int] = {}
    for o in s["openings"]:
        slot = used.get(o["day"], 0)
        if slot < SLOTS:
            grid[f"opens-{o['day']}-{slot}"], grid[f"closes-{o['day']}-{slot}"] = o["opensAt"], o["closesAt"]
            used[o["day"]] = slot + 1
    return grid


def _areas_text(s: dict) -> str:
    return "\n".join(a["municipality"]["name"] + (f" {a['chome']}" if a["chome"] else "") for a in s["serviceAreas"]
                     if not a["inferred"]) or "\n".join(a["municipality"]["name"] for a in s["serviceAreas"])


async def _page(request: Request, me: Viewer, *, status: int = 200, errors: dict | None = None, section: str = "",
                values: dict | None = None):
    s = await _mine(request, me)
    vocab = await rc.vocabulary(request, me)
    have = {c["key"]: c for c in s["capabilities"]}
    current = next((c for c in s["capacity"]), None)
    form = {"unit": current["unit"] if current else "BED", "available": "", "maximum": current["maximum"] if current and
            current["maximum"] is not None else "", "validUntil": rc.now_local(24), "hours": _hours(s),
            "areas": _areas_text(s)}
    form.update(values or {})
    return render(request, "resources/my_service.html", status=status, s=s, vocab=vocab, have=have, form=form,
                  errors=errors or {}, section=section, days=list(enumerate(DAYS)), slots=list(range(SLOTS)),
                  units=[(u["value"], u["label"]) for u in vocab["capacityUnits"]],
                  notice=NOTICES.get(request.query_params.get("done", "")))


@router.get("/my-service")
async def my_service(request: Request, me: Viewer = Depends(viewer)):
    return await _page(request, me)


async def _result(request: Request, me: Viewer, result: dict, section: str, values: dict, names: dict | None = None):
    if not result["userErrors"]:
        return redirect(request, f"/my-service?done={section}#{section}")
    if rc.refused(result["userErrors"]):
        raise PageNotFound()
    return await _page(request, me, status=400, errors=rc.errors_of(result["userErrors"], names), section=section,
                       values=values)


@router.post("/my-service/capacity")
async def capacity(request: Request, me: Viewer = Depends(viewer)):
    s = await _mine(request, me)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("unit", "available", "maximum", "validUntil")}
    errors = {k: "0以上の整数で入力してください。" for k in ("available", "maximum")
              if values[k] and not values[k].isdigit()}
    if not values["available"]:
        errors["available"] = "空き数を入力してください（空きがないときは0）。"
    if not values["validUntil"]:
        errors["validUntil"] = "いつまで有効かを入力してください。"
    if errors:
        return await _page(request, me, status=400, errors=errors, section="capacity", values=values)
    data = await rc.run(request, me, "UpdateResourceCapacity", {"input": {
        "serviceId": s["id"], "unit": values["unit"], "available": int(values["available"]),
        "maximum": int(values["maximum"]) if values["maximum"] else None, "validUntil": rc.from_local(values["validUntil"])}})
    return await _result(request, me, data["updateResourceCapacity"], "capacity", values)


@router.post("/my-service/openings")
async def openings(request: Request, me: Viewer = Depends(viewer)):
    s = await _mine(request, me)
    form = await request.form()
    grid = {k: str(v).strip() for k, v in form.items() if k.startswith(("opens-", "closes-"))}
    by_hours: dict[tuple[str, str], list[int]] = {}
    for day in range(len(DAYS)):
        for slot in range(SLOTS):
            opens, closes = grid.get(f"opens-{day}-{slot}", ""), grid.get(f"closes-{day}-{slot}", "")
            if opens or closes:
                by_hours.setdefault((opens, closes), []).append(day)
    data = await rc.run(request, me, "SetResourceOpenings", {"input": {"serviceId": s["id"], "openings": [
        {"days": days, "opensAt": a, "closesAt": b} for (a, b), days in by_hours.items()]}})
    return await _result(request, me, data["setResourceOpenings"], "openings", {"hours": grid},
                         {"opensAt": "openings", "closesAt": "openings", "days": "openings"})


@router.post("/my-service/areas")
async def areas(request: Request, me: Viewer = Depends(viewer)):
    s = await _mine(request, me)
    text = str((await request.form()).get("areas", ""))
    rows = []
    prefecture = s["serviceAreas"][0]["municipality"]["code"][:2] if s["serviceAreas"] else None
    for line in text.splitlines():
        parts = line.strip().replace("　", " ").split(None, 1)
        if parts:
            rows.append({"municipalityCode": rc.municipality_code(parts[0], prefecture),
                         "chome": parts[1] if len(parts) > 1 else None})
    if not rows:
        return await _page(request, me, status=400, errors={"areas": "対応地域を1行に1つ入力してください。"},
                           section="areas", values={"areas": text})
    data = await rc.run(request, me, "SetResourceServiceAreas", {"input": {"serviceId": s["id"], "areas": rows}})
    return await _result(request, me, data["setResourceServiceAreas"], "areas", {"areas": text},
                         {"municipalityCode": "areas", "chome": "areas"})


@router.post("/my-service/capabilities")
async def capabilities(request: Request, me: Viewer = Depends(viewer)):
    s = await _mine(request, me)
    form = await request.form()
    caps = [{"key": k[4:], "value": str(v)} for k, v in form.multi_items() if k.startswith("cap-") and v]
    if not caps:
        return await _page(request, me, status=400, errors={"capabilities": "変更する項目を選んでください。"},
                           section="capabilities")
    data = await rc.run(request, me, "ReportOwnCapabilities", {"input": {"serviceId": s["id"], "capabilities": caps}})
    return await _result(request, me, data["reportOwnCapabilities"], "capabilities", {})
