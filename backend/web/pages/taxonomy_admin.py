"""分類の管理 (admin): the categories and response types of a prefecture (or the whole deployment) — rename,
reorder, map to a scene, retire, add — published as a new version in force from a date. The service
decides who may (admins) and what is valid; this page shows its answers beside the fields."""

from datetime import date

from fastapi import APIRouter, Depends, Request

from backend.db import transaction
from backend.errors import UserInputError
from backend.fiscal import today_jst
from backend.regions import codes
from backend.taxonomies import service as taxonomies
from backend.taxonomy import CareScene
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer, web_of

router = APIRouter()
KINDS = [("category", "相談内容"), ("response_type", "対応内容")]
NEW_ROWS = 3


def _pref(raw: str | None) -> str | None:
    if not raw:
        return None
    if raw not in codes.prefecture_names():
        raise PageNotFound()
    return raw


async def _page(request: Request, me: Viewer, kind: str, pref: str | None, *, errors: dict | None = None,
                status: int = 200, terms: list | None = None):
    web = web_of(request)
    async with web.sessions() as session:
        found = await taxonomies.overview(session, actor=me.actor, kind=kind, prefecture_code=pref, today=today_jst())
    if found is None:
        raise PageNotFound()
    return render(request, "desk/taxonomy_admin.html", status=status, found=found, kinds=KINDS, kind=kind, pref=pref,
                  prefectures=sorted(codes.prefecture_names().items()), scenes=[(s.value, s.label) for s in CareScene],
                  terms=terms or found.current, new_rows=NEW_ROWS, errors=errors or {}, today=today_jst().isoformat())


@router.get("/admin/taxonomies")
async def page(request: Request, kind: str = "category", pref: str | None = None, me: Viewer = Depends(viewer)):
    if kind not in dict(KINDS):
        raise PageNotFound()
    return await _page(request, me, kind, _pref(pref))


@router.post("/admin/taxonomies")
async def publish(request: Request, me: Viewer = Depends(viewer)):
    form = await request.form()
    kind = str(form.get("kind", ""))
    if kind not in dict(KINDS):
        raise PageNotFound()
    pref = _pref(str(form.get("pref", "")) or None)
    keys = form.getlist("key")
    terms = []
    for i, key in enumerate(keys):
        key = str(key).strip()
        label = str(form.get(f"label-{i}", "")).strip()
        if not key and not label:
            continue   # an unused "add" row
        order = str(form.get(f"order-{i}", "")).strip()
        terms.append(taxonomies.Term(key, label, int(order) if order.isdigit() and len(order) < 5 else 999,
                                     str(form.get(f"scene-{i}", "")), form.get(f"retired-{i}") == "1"))
    errors: dict = {}
    try:
        valid_from = date.fromisoformat(str(form.get("validFrom", "")))
    except ValueError:
        valid_from = None
        errors["validFrom"] = "適用開始日を YYYY-MM-DD で指定してください。"
    if not errors:
        try:
            async with transaction(web_of(request).sessions) as session:
                await taxonomies.publish(session, actor=me.actor, kind=kind, valid_from=valid_from, terms=terms,
                                         prefecture_code=pref)
        except UserInputError as e:
            # a term's mistake names its row in the message; the summary shows it at the top
            errors["_form" if not e.field or e.field[0] == "terms" else e.field[-1]] = e.message
    if errors:
        return await _page(request, me, kind, pref, errors=errors, status=400, terms=terms)
    return redirect(request, f"/admin/taxonomies?kind={kind}" + (f"&pref={pref}" if pref else ""))
