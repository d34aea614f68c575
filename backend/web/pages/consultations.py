"""マイ案件 and the read-only 相談詳細, through the contract's own documents (web/operations.py): what the
page shows is what MyOpenConsultations / ConsultationDetail answer this person through /graphql."""

from fastapi import APIRouter, Depends, Request

from backend.errors import MAX_ID
from backend.fiscal import today_jst
from backend.web import operations
from backend.web.core import PageNotFound, Viewer, render, viewer

router = APIRouter()
PAGE_SIZE = 100   # the API's largest page: a desk's open cases fit on one page, so "due first" holds for all


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
                  next_cursor=page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None)


@router.get("/consultations/{consultation_id}")
async def consultation_detail(request: Request, consultation_id: str, me: Viewer = Depends(viewer)):
    if not consultation_id.isdigit() or not 0 < int(consultation_id) <= MAX_ID:
        raise PageNotFound()
    data = await operations.run(request, me, "coordinator.graphql", "ConsultationDetail", {"id": consultation_id})
    if data.get("consultation") is None:   # missing or out of scope: the same answer, as in the API
        raise PageNotFound()
    return render(request, "consultations/detail.html", c=data["consultation"])
