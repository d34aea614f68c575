"""The `build_report` job: builds the yearly report, then tells the prefecture's analysts where it is
(a link, never an attachment). Both in the job's one transaction, so a re-run sends nothing twice."""

from sqlalchemy.ext.asyncio import AsyncSession

from backend.jobs.kinds import job
from backend.jobs.runner import settings
from backend.mail import service as mail
from backend.reports import service
from backend.templating import render


async def _report_failed(session: AsyncSession, args: dict) -> None:
    await service.mark_failed(session, report_id=args["report_id"])


@job("build_report", timeout=600, attempts=3, key=lambda a: f"build_report:{a['report_id']}", on_failure=_report_failed)
async def build_report(session: AsyncSession, args: dict) -> None:
    cfg = settings()
    built = await service.build_report(session, report_id=args["report_id"], settings=cfg)
    if built is None:  # already built by an earlier run, or the report is gone
        return
    report, overview = built
    base = f"{cfg.public_url.rstrip('/')}/reports/{report.id}"
    context = {"prefecture": overview.prefecture_name, "label": overview.label,
               "url": f"{base}.html", "csv_url": f"{base}.csv", "xlsx_url": f"{base}.xlsx"}
    subject = f"【連携デスク】{overview.prefecture_name} {overview.label} 集計報告書ができました"
    text, html = render("reports/report_ready.txt.j2", **context), render("reports/report_ready.html.j2", **context)
    # one message per analyst: no analyst learns the others' addresses
    for address in await service.analysts_of(session, report.prefecture_code):
        await mail.queue_message(session, kind="report_ready", recipients=[address], subject=subject, text=text, html=html)
