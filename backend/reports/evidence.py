"""Evidence of sharing (「定期的な相談内容等の取りまとめと医療・介護関係者間での共有」): every meeting held,
packet sent and desk report generated in a hub's fiscal year — what, when, to whom. Recipients are named by
the 協議の場 member names; no address ever goes into the export."""

import io
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.accounts.models import User
from backend.audit import service as audit
from backend.fiscal import JST, fiscal_year_bounds, fiscal_year_label, today_jst
from backend.meetings.models import HubMeeting, HubMember
from backend.regions.models import Hub
from backend.reports import spreadsheet
from backend.reports.models import DeskReportFile

HEADER = ["種別", "内容", "日付", "共有先（協議の場のメンバー・作成者）"]


@dataclass(frozen=True)
class Entry:
    kind: str
    what: str
    when: date
    to_whom: str


def _day(moment: datetime | date | None) -> date | None:
    if moment is None:
        return None
    return moment.astimezone(JST).date() if isinstance(moment, datetime) else moment


async def entries(session: AsyncSession, *, actor: Actor, hub_id: int, fiscal_year: int) -> list[Entry] | None:
    """The year's record, by date; None out of scope (the hub's desk only)."""
    if not policy.works_at(actor, hub_id):
        audit.denied("desk_report.read", "hub", hub_id)
        return None
    start, end = fiscal_year_bounds(fiscal_year)
    first, last = _day(start), _day(end)
    members = await session.scalars(select(HubMember).where(HubMember.hub_id == hub_id))
    names = {m.email.lower(): m.name for m in members}
    out: list[Entry] = []
    meetings = await session.scalars(select(HubMeeting).where(HubMeeting.hub_id == hub_id, HubMeeting.held_on >= first,
                                                              HubMeeting.held_on < last).order_by(HubMeeting.held_on))
    for m in meetings:
        people = "、".join(names.get(e.lower(), "（メンバーから外れた方）") for e in m.recipient_emails or []) or "—"
        if m.status == "sent" and m.packet_generated_at:
            out.append(Entry("資料送付", f"{m.title}の資料", _day(m.packet_generated_at), people))
        if m.held_on <= today_jst():
            out.append(Entry("協議の場の開催", m.title, m.held_on, people))
    reports = await session.execute(
        select(DeskReportFile, User.display_name).outerjoin(User, User.id == DeskReportFile.requested_by_id)
        .where(DeskReportFile.hub_id == hub_id, DeskReportFile.status == "ready",
               DeskReportFile.generated_at >= start, DeskReportFile.generated_at < end))
    from backend.reports.desk_service import period_of
    for row, who in reports.all():
        version = "公表用" if row.public else "内部用"
        out.append(Entry("実績報告の作成", f"{period_of(row).label}（{version}）", _day(row.generated_at),
                         f"作成：{who or '—'}"))
    return sorted(out, key=lambda e: (e.when, e.kind))


def _rows(hub_name: str, fiscal_year: int, items: list[Entry]) -> list[list]:
    return [[f"{hub_name} 共有の記録 {fiscal_year_label(fiscal_year)}"], [],
            HEADER, *([e.kind, e.what, f"{e.when.year}年{e.when.month}月{e.when.day}日", e.to_whom] for e in items)]


async def document(session: AsyncSession, *, actor: Actor, hub_id: int, fiscal_year: int, fmt: str) -> bytes | None:
    items = await entries(session, actor=actor, hub_id=hub_id, fiscal_year=fiscal_year)
    if items is None:
        return None
    hub = await session.get(Hub, hub_id)
    rows = _rows(hub.name, fiscal_year, items)
    audit.record(session, actor=actor, operation="desk_report.evidence", entity_type="hub", entity_id=hub_id,
                 fields=["fiscalYear"])
    if fmt == "csv":
        return spreadsheet.csv_bytes(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = "共有の記録"
    for row in rows:
        spreadsheet.append_row(ws, row)
    ws["A1"].font = Font(bold=True)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (18, 50, 18, 60)):
        ws.column_dimensions[letter].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
