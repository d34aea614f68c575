from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.actor import SYSTEM
from backend.db import utcnow
from backend.jobs.runner import handler, settings
from backend.mail import service as mail
from backend.regions import codes
from backend.reports import documents, service
from backend.reports.models import PrefectureReport
from backend.templating import render


@handler("build_report", timeout=900)
async def build_report(session: AsyncSession, args: dict) -> None:
    """Builds the three documents from one suppressed overview, then tells the prefecture's analysts
    where to find them (a link, never an attachment)."""
    report = await session.get(PrefectureReport, args["report_id"], with_for_update=True)
    if report.status == "ready":
        return
    cfg = settings()
    overview = await service.overview(session, actor=SYSTEM, prefecture_code=report.prefecture_code,
                                      fiscal_year=report.fiscal_year, threshold=cfg.suppression_threshold)
    top = await service.top_issues(session, actor=SYSTEM, prefecture_code=report.prefecture_code,
                                   fiscal_year=report.fiscal_year, first=10, threshold=cfg.suppression_threshold)
    name = codes.prefecture_names()[report.prefecture_code]
    report.html = documents.render_html(overview, name, top)
    report.csv = documents.render_csv(overview, name, top)
    report.xlsx = documents.render_xlsx(overview, name, top)
    report.status, report.generated_at = "ready", utcnow()
    recipients = await service.analysts_of(session, report.prefecture_code)
    if recipients:
        context = {"prefecture": name, "label": overview.label, "url": f"{cfg.public_url}/reports/{report.id}.html",
                   "csv_url": f"{cfg.public_url}/reports/{report.id}.csv", "xlsx_url": f"{cfg.public_url}/reports/{report.id}.xlsx"}
        for address in recipients:
            await mail.queue_message(session, kind="report_ready", recipients=[address],
                                     subject=f"【連携デスク】{name} {overview.label} 集計報告書ができました",
                                     text=render("reports/report_ready.txt.j2", **context),
                                     html=render("reports/report_ready.html.j2", **context))
