"""Evidence of sharing: meetings held, packets sent, desk reports generated in the fiscal year, one download,
member names and never their addresses."""

import io
from datetime import timedelta

from openpyxl import load_workbook

from backend.db import transaction, utcnow
from backend.fiscal import fiscal_year_of, today_jst
from backend.meetings.models import HubMeeting, HubMember
from backend.reports.models import DeskReportFile


async def test_the_years_sharing_is_listed_with_names_and_no_addresses(http, sessions, world, other_world):
    fy = fiscal_year_of(today_jst())
    day = today_jst()
    async with transaction(sessions) as s:
        s.add_all([HubMember(hub_id=world.hub_id, name="訪問看護 佐藤", email="sato@example.jp"),
                   HubMember(hub_id=world.hub_id, name="医師会 鈴木", email="suzuki@example.jp")])
        s.add(HubMeeting(hub_id=world.hub_id, title="第1回 協議の場", held_on=day, status="sent",
                         recipient_emails=["sato@example.jp", "suzuki@example.jp"], packet_status="ready",
                         packet_generated_at=utcnow() - timedelta(minutes=1)))
        s.add(DeskReportFile(hub_id=world.hub_id, period_kind="fiscal_year", fiscal_year=fy, period_index=0,
                             public=True, status="ready", generated_at=utcnow(), requested_by_id=world.manager_id))
    headers = {"Authorization": f"Bearer {world.manager}"}
    r = await http.get(f"/desk-evidence/{fy}.csv", headers=headers)
    assert r.status_code == 200
    text = r.content.decode("utf-8-sig")
    for expected in ("協議の場の開催", "資料送付", "実績報告の作成", "訪問看護 佐藤、医師会 鈴木", "公表用"):
        assert expected in text
    assert "@" not in text
    x = await http.get(f"/desk-evidence/{fy}.xlsx", headers=headers)
    ws = load_workbook(io.BytesIO(x.content)).active
    assert all("@" not in str(c.value) for row in ws.iter_rows() for c in row if c.value)
    theirs = await http.get(f"/desk-evidence/{fy}.csv", headers={"Authorization": f"Bearer {other_world.manager}"})
    assert "第1回 協議の場" not in theirs.content.decode("utf-8-sig")
    assert (await http.get(f"/desk-evidence/{fy}.csv",
                           headers={"Authorization": f"Bearer {world.analyst}"})).status_code == 404
