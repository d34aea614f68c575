"""Writes docs/examples/desk_report.{html,xlsx} (internal) and desk_report_public.html from the demo year:

    RENKEI_DATABASE_URL=sqlite+aiosqlite:///var/renkei.db .venv/bin/python scripts/desk_report_example.py

Run after `renkei demo`; the first demo hub's current fiscal year is reported."""

import asyncio
from pathlib import Path

from sqlalchemy import select

from backend.db import make_engine, make_sessions
from backend.demo import HUBS
from backend.fiscal import fiscal_year_of, today_jst
from backend.regions.models import Hub
from backend.reports import desk, desk_documents
from backend.settings import get_settings

OUT = Path(__file__).resolve().parents[1] / "docs" / "examples"


async def main() -> None:
    engine = make_engine(get_settings().database_url)
    OUT.mkdir(parents=True, exist_ok=True)
    async with make_sessions(engine)() as s:
        hub_id = await s.scalar(select(Hub.id).where(Hub.name == next(iter(HUBS.values()))))
        period = desk.Period("fiscal_year", fiscal_year_of(today_jst()))
        internal = await desk.build(s, hub_id=hub_id, period=period, public=False, threshold=10)
        public = await desk.build(s, hub_id=hub_id, period=period, public=True, threshold=10)
    (OUT / "desk_report.html").write_text(desk_documents.render_html(internal), encoding="utf-8")
    (OUT / "desk_report.xlsx").write_bytes(desk_documents.render_xlsx(internal))
    (OUT / "desk_report_public.html").write_text(desk_documents.render_html(public), encoding="utf-8")
    await engine.dispose()
    print(f"wrote {OUT}/desk_report.html, desk_report.xlsx, desk_report_public.html")


if __name__ == "__main__":
    asyncio.run(main())
