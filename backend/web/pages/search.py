"""検索: the contract's SearchConsultations with its filters, newest first, paginated with the total. The
form is posted (the words searched for may be a consultation's own words: never in a URL or an access
log); its page buttons carry the cursors of the pages before."""

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from backend.errors import UserInputError
from backend.web import operations
from backend.web.core import Viewer, render, viewer, web_of
from backend.web.operations import OperationFailed
from backend.web.pages.forms import FormError, choices, enum_values
from backend.web.pages.intake import desk_area

router = APIRouter()
PAGE_SIZE = 25
TEXTS = ("text", "receivedFrom", "receivedTo", "assignedToMe", "followUpDue", "after", "trail", "page")
LISTS = ("status", "scenes", "categories", "municipalityCodes")


def _form(data: FormData | None) -> dict:
    if data is None:
        return {k: "" for k in TEXTS} | {k: [] for k in LISTS}
    return {k: str(data.get(k, "")).strip() for k in TEXTS} | {k: [str(v) for v in data.getlist(k) if v] for k in LISTS}


def _filter(form: dict) -> dict:
    return {k: v for k, v in {
        "text": form["text"] or None, "receivedFrom": form["receivedFrom"] or None,
        "receivedTo": form["receivedTo"] or None,
        "status": enum_values(form["status"], "ConsultationStatus", "status", "状況") or None,
        "scenes": enum_values(form["scenes"], "CareScene", "scenes", "場面") or None,
        "categories": enum_values(form["categories"], "ConsultationCategory", "categories", "分類") or None,
        "municipalityCodes": form["municipalityCodes"] or None,
        "assignedToMe": True if form["assignedToMe"] else None,
        "followUpDue": True if form["followUpDue"] else None}.items() if v is not None}


def _paging(form: dict, end_cursor_of_shown: str | None = None) -> tuple[str | None, list[str]]:
    """The cursor of the page to show and those of the pages before it (page buttons), from the form."""
    trail = form["trail"].split(",") if form["trail"] else []   # "-": the first page (no cursor)
    after = form["after"] or None
    if form["page"] == "next" and end_cursor_of_shown:
        trail.append(after or "-")
        after = end_cursor_of_shown
    elif form["page"] == "prev" and trail:
        after = trail.pop()
        after = None if after == "-" else after
    elif form["page"] not in ("next", "prev"):
        after, trail = None, []
    return after, trail


async def _search(request: Request, me: Viewer, variables: dict) -> dict:
    """SearchConsultations as the viewer; a mistake in the filters (a malformed date, a search word too
    long) is the service's UserInputError, shown beside its field like a mutation's userErrors."""
    web = web_of(request)
    context = web.context_for(me.actor)
    async with context.trail():
        result = await web.schema.execute(operations.document("coordinator.graphql", "SearchConsultations"),
                                          variable_values=variables, context_value=context,
                                          operation_name="SearchConsultations")
    if result.errors:
        mistakes = [e.original_error for e in result.errors if isinstance(e.original_error, UserInputError)]
        if mistakes and len(mistakes) == len(result.errors):
            raise FormError(mistakes[0].field[-1] if mistakes[0].field else "text", mistakes[0].message)
        raise OperationFailed("SearchConsultations")
    return (result.data or {})["consultations"]


async def _page(request: Request, me: Viewer, form: dict):
    municipalities = (await desk_area(request, me)).municipalities
    errors: dict = {}
    page = None
    after, trail = _paging(form, form.get("_end"))
    try:
        page = await _search(request, me, {"filter": _filter(form), "first": PAGE_SIZE, "after": after})
    except FormError as e:
        errors = {e.field: e.message}
        after, trail = None, []
    return render(request, "consultations/search.html", status=400 if errors else 200, form=form, errors=errors,
                  page=page, after=after or "", trail=",".join(trail), first_row=len(trail) * PAGE_SIZE + 1,
                  municipalities=municipalities,
                  statuses=choices("ConsultationStatus"), scene_choices=choices("CareScene"),
                  category_choices=choices("ConsultationCategory"))


@router.get("/search")
async def search_page(request: Request, me: Viewer = Depends(viewer)):
    return await _page(request, me, _form(None))


@router.post("/search")
async def search(request: Request, me: Viewer = Depends(viewer)):
    data = await request.form()
    form = _form(data)
    form["_end"] = str(data.get("end", "")) or None
    return await _page(request, me, form)
