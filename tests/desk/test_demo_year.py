"""The demo year: many consultations over the months, every caller role, continuing and general ones,
actions with minutes and partners, grouped issues, two meetings with sent packets; once; deterministic."""

import random

from sqlalchemy import func, select

from backend import demo_year
from backend.accounts.actor import Actor
from backend.consultations.models import Action, Consultation
from backend.fiscal import fiscal_year_of, today_jst
from backend.meetings.models import HubMeeting
from backend.reports import desk
from backend.taxonomy import CallerRole, Role


def test_notes_are_deterministic_for_a_seed_and_varied():
    a = [demo_year._note(random.Random(5), s)[0] for s in demo_year.TEMPLATES]
    b = [demo_year._note(random.Random(5), s)[0] for s in demo_year.TEMPLATES]
    assert a == b
    rng = random.Random(1)
    notes = {demo_year._note(rng, demo_year.CareScene.DAILY_CARE)[0] for _ in range(200)}
    assert len(notes) > 50


async def test_the_demo_year_fills_the_hub_once(sessions, world):
    coordinator = Actor(user_id=world.coordinator_id, role=Role.COORDINATOR, hub_id=world.hub_id)
    manager = Actor(user_id=world.manager_id, role=Role.HUB_MANAGER, hub_id=world.hub_id)
    added = await demo_year.load_year(sessions, coordinator=coordinator, manager=manager, codes=["15202", "15208"],
                                      count=120)
    assert added == 120
    again = await demo_year.load_year(sessions, coordinator=coordinator, manager=manager, codes=["15202"], count=120)
    assert again == 0
    async with sessions() as s:
        roles = set(await s.scalars(select(Consultation.caller_role).where(Consultation.hub_id == world.hub_id)))
        assert roles == {r.value for r in CallerRole}
        minutes = await s.scalar(select(func.sum(Action.minutes))
                                 .join(Consultation, Consultation.id == Action.consultation_id)
                                 .where(Consultation.hub_id == world.hub_id))
        assert minutes > 0
        sent = list(await s.scalars(select(HubMeeting.status).where(HubMeeting.hub_id == world.hub_id)))
        assert sent == ["sent", "sent"]
        period = desk.Period("fiscal_year", fiscal_year_of(today_jst()))
        report = await desk.build(s, hub_id=world.hub_id, period=period, public=False, threshold=10)
    summary = {r.key: r.current.count for r in report.table("summary").rows}
    assert summary["continuing"] > 0 and summary["general"] > 0 and summary["persons"] < summary["consultations"]
