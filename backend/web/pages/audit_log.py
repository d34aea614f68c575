"""Admin: 監査ログ. Recent audit events, filtered by operation, person and Japan-time days, newest first, a page at
a time; the hash chain's verification loads beside them (it reads the whole trail, so the list never waits
for it). The rows carry operation names, field names and record ids only: there is no free text to show."""

from datetime import date

from fastapi import APIRouter, Depends, Request

from backend.accounts import people
from backend.audit import catalogue, queries
from backend.errors import Forbidden, UserInputError
from backend.fiscal import JST
from backend.taxonomy import Role
from backend.web.core import PageNotFound, Viewer, render, viewer, web_of

router = APIRouter()
PAGE_SIZE = 50
RECORDS_SHOWN = 12       # a list read can name a hundred records: the rest fold away


def _day(raw: str | None, field: str, errors: dict) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = "日付は 2025-06-01 の形式で指定してください。"
        return None


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 12 else None


def when(moment) -> str:
    local = moment.astimezone(JST)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"


def role_label(value: str | None) -> str:
    try:
        return Role(value).label if value else ""
    except ValueError:
        return value or ""


@router.get("/admin/audit")
async def audit_page(request: Request, operation: str | None = None, actor: str | None = None,
                     since: str | None = None, until: str | None = None, before: str | None = None,
                     me: Viewer = Depends(viewer)):
    web = web_of(request)
    errors: dict[str, str] = {}
    where = queries.EventFilter(operation=operation or None, actor_id=_int(actor),
                                since=_day(since, "since", errors), until=_day(until, "until", errors))
    page = queries.EventPage(events=[], next_before=None)
    try:
        async with web.sessions() as session:
            listed = await people.list_people(session, actor=me.actor, settings=web.settings)
            if not errors:
                try:
                    page = await queries.recent(session, actor=me.actor, where=where, before_id=_int(before),
                                                limit=PAGE_SIZE)
                except UserInputError as e:
                    errors[e.field[-1]] = e.message
    except Forbidden:
        raise PageNotFound() from None
    filters = {"operation": operation or "", "actor": actor or "", "since": since or "", "until": until or ""}
    rows = [{"e": e, "at": when(e.at), "operation": catalogue.operation_label(e.operation),
             "entity": catalogue.entity_label(e.entity_type), "role": role_label(e.actor_role),
             "shown": e.record_ids[:RECORDS_SHOWN], "folded": e.record_ids[RECORDS_SHOWN:]} for e in page.events]
    return render(request, "admin/audit.html", rows=rows, filters=filters, errors=errors, page_size=PAGE_SIZE,
                  next_before=page.next_before, paged=bool(before), operation_groups=catalogue.filter_choices(),
                  people=[(p.id, f"{p.display_name}（{p.role.label}）") for p in listed])


@router.get("/admin/audit/chain")
async def chain_status(request: Request, fresh: str | None = None, me: Viewer = Depends(viewer)):
    """The hash chain's verification: a fragment for the audit page (htmx), or a page of its own (which can
    ask for a verification now instead of the last one's verdict)."""
    web = web_of(request)
    try:
        async with web.sessions() as session:
            done = await queries.verify_chain(session, actor=me.actor, fresh=fresh == "1")
    except Forbidden:
        raise PageNotFound() from None
    template = "admin/_chain.html" if request.headers.get("hx-request") else "admin/chain.html"
    return render(request, template, verdict=done.verdict, verified_at=when(done.at))
