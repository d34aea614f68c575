"""マイ案件 and 相談詳細, through the contract's own documents (web/operations.py): what the page shows is
what MyOpenConsultations / ConsultationDetail answer this person through /graphql. The detail's forms
(対応の記録, 編集, 終結) post to pages/consultation_actions.py."""

from fastapi import APIRouter, Depends, Request

from backend.errors import MAX_ID
from backend.fiscal import today_jst
from backend.web import operations
from backend.web.core import PageNotFound, Viewer, render, viewer
from backend.web.pages.forms import choices, japan_now_local

router = APIRouter()
PAGE_SIZE = 100   # the API's largest page: a desk's open cases fit on one page, so "due first" holds for all
DONE = {"logged": "相談を受け付けました。", "action": "対応を記録しました。", "edited": "相談を更新しました。",
        "closed": "相談を終結しました。", "unchanged": "変更はありませんでした。"}
OPEN_STATUSES = [(v, t) for v, t in choices("ConsultationStatus") if v != "CLOSED"]


@router.get("/consultations")
async def my_consultations(request: Request, after: str | None = None, me: Viewer = Depends(viewer)):
    data = await operations.run(request, me, "coordinator.graphql", "MyOpenConsultations",
                                {"first": PAGE_SIZE, "after": after or None})
    page = data["consultations"]
    today = today_jst().isoformat()
    rows = [dict(edge["node"], due=bool(edge["node"]["followUpOn"] and edge["node"]["followUpOn"] <= today))
            for edge in page["edges"]]
    rows.sort(key=lambda r: (0, r["followUpOn"]) if r["due"] else (1, ""))   # stable: newest first otherwise
    return render(request, "consultations/mine.html", rows=rows, total=page["totalCount"], page_size=PAGE_SIZE,
                  due_count=sum(r["due"] for r in rows),
                  next_cursor=page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None)


def checked_id(consultation_id: str) -> str:
    if not consultation_id.isdigit() or not 0 < int(consultation_id) <= MAX_ID:
        raise PageNotFound()
    return consultation_id


async def load(request: Request, me: Viewer, consultation_id: str) -> dict:
    data = await operations.run(request, me, "coordinator.graphql", "ConsultationDetail",
                                {"id": checked_id(consultation_id)})
    if data.get("consultation") is None:   # missing or out of scope: the same answer, as in the API
        raise PageNotFound()
    return data["consultation"]


def edit_values(c: dict) -> dict:
    return {"version": str(c["version"]), "status": c["status"] if c["status"] != "CLOSED" else "IN_PROGRESS",
            "scenes": list(c["scenes"]), "confirmScenes": "", "categories": list(c["categories"]),
            "urgency": str(c["urgency"] or ""), "followUpOn": c["followUpOn"] or "", "summary": c["summary"]}


async def detail_page(request: Request, me: Viewer, consultation_id: str, *, status: int = 200,
                      c: dict | None = None, errors: dict | None = None, forms: dict | None = None,
                      stale=None, open_panel: str | None = None, done: str | None = None):
    """The detail with its three forms; a refused form comes back with its values and messages."""
    c = c or await load(request, me, consultation_id)
    forms = forms or {}
    return render(
        request, "consultations/detail.html", status=status, c=c, errors=errors or {}, stale=stale,
        open_panel=open_panel, done=DONE.get(done or ""),
        action_form=forms.get("action") or {"type": "", "note": "", "minutes": "", "performedAt": japan_now_local()},
        edit_form=forms.get("edit") or edit_values(c),
        close_form=forms.get("close") or {"version": str(c["version"]), "outcome": "", "closeNote": ""},
        response_types=choices("ResponseType"), outcomes=choices("Outcome"), statuses=OPEN_STATUSES,
        scene_choices=choices("CareScene"), category_choices=choices("ConsultationCategory"),
        urgencies=[("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")])


@router.get("/consultations/{consultation_id}")
async def consultation_detail(request: Request, consultation_id: str, done: str | None = None,
                              me: Viewer = Depends(viewer)):
    return await detail_page(request, me, consultation_id, done=done)
