"""The demo area's directory: invented services in the demo's two home-care areas (中越, 上越), with
verified capabilities, hours, areas and vacancy, so a newcomer's first search finds something.
Names, numbers and addresses are made up."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.actor import Actor
from backend.db import utcnow
from backend.fiscal import today_jst
from backend.resources import editing, opening
from backend.resources.models import (ResourceCapacity, ResourceLocation, ResourcePhone, ResourceService, ResourceServiceArea, ResourceServiceAtLocation)
from backend.resources.vocabulary import CapabilitySource, CapabilityValue, ServiceKind
from backend.text.normalize import name_key

Y, C, N = CapabilityValue.YES, CapabilityValue.CONSULT, CapabilityValue.NO
WEEKDAYS = [0, 1, 2, 3, 4]
# name, kana, kind, municipality, areas, hours, capabilities, days since confirmed, vacancy (beds)
ENTRIES = [
    ("長岡さくら在宅クリニック（デモ）", "ナガオカサクラザイタククリニック", ServiceKind.CLINIC, "15202", ["15202", "15211"],
     [(WEEKDAYS, "09:00", "18:00"), ([5], "09:00", "12:00")],
     {"home_visit": Y, "house_call": Y, "contact_24h": Y, "night_holiday": Y, "end_of_life": Y, "accepting_new": Y,
      "home_support": Y, "home_support_enhanced": Y, "pain_management": Y, "oxygen_therapy": Y, "terminal_cancer": Y,
      "dementia": Y, "pediatric": N}, 12, None),
    ("訪問看護ステーションあおぞら長岡（デモ）", "ホウモンカンゴステーションアオゾラナガオカ", ServiceKind.VISITING_NURSE, "15202",
     ["15202", "15208"], [(WEEKDAYS, "08:30", "17:30")],
     {"contact_24h": Y, "night_holiday": Y, "end_of_life": Y, "accepting_new": Y, "vn_24h": Y, "vn_special_management": Y,
      "ventilator": Y, "tracheostomy": Y, "suction": Y, "tube_feeding": Y, "pediatric": Y, "intractable_disease": Y}, 5, None),
    ("訪問看護ステーションみどり（デモ）", "ホウモンカンゴステーションミドリ", ServiceKind.VISITING_NURSE, "15211", ["15211"],
     [(WEEKDAYS, "09:00", "17:00")],
     {"contact_24h": Y, "vn_24h": Y, "ventilator": C, "pediatric": N, "psychiatric": Y, "vn_psychiatric": Y,
      "accepting_new": C}, 200, None),
    ("おぢや在宅歯科（デモ）", "オヂヤザイタクシカ", ServiceKind.DENTAL_CLINIC, "15208", ["15208", "15202"],
     [(WEEKDAYS, "09:00", "18:00")], {"home_visit": Y, "dental_home_support": Y, "accepting_new": Y}, 40, None),
    ("ながおか中央薬局（デモ）", "ナガオカチュウオウヤッキョク", ServiceKind.PHARMACY, "15202", ["15202"],
     [(WEEKDAYS, "09:00", "19:00"), ([5], "09:00", "13:00"), ([opening.HOLIDAY], "10:00", "12:00")],
     {"pharmacy_home_visit": Y, "aseptic_compounding": Y, "narcotics": Y, "contact_24h": Y}, 30, None),
    ("ショートステイ信濃川（デモ）", "ショートステイシナノガワ", ServiceKind.SHORT_STAY, "15202", ["15202", "15208", "15211"],
     [(list(range(7)) + [opening.HOLIDAY], "00:00", "24:00")],
     {"dementia": Y, "tube_feeding": C, "suction": C, "accepting_new": Y}, 60, 2),
    ("上越みなと在宅診療所（デモ）", "ジョウエツミナトザイタクシンリョウジョ", ServiceKind.CLINIC, "15222", ["15222", "15217"],
     [(WEEKDAYS, "08:30", "17:30")],
     {"home_visit": Y, "house_call": C, "end_of_life": Y, "home_support": Y, "iv_drip": Y, "central_venous_nutrition": Y,
      "catheter": Y, "pressure_ulcer": Y, "accepting_new": Y}, 20, None),
    ("訪問看護ステーションくびき野（デモ）", "ホウモンカンゴステーションクビキノ", ServiceKind.VISITING_NURSE, "15222",
     ["15222", "15216", "15217"], [(WEEKDAYS, "08:30", "17:30")],
     {"contact_24h": Y, "night_holiday": C, "vn_24h": Y, "vn_enhanced": Y, "stoma": Y, "dialysis": N, "pediatric": C,
      "terminal_cancer": Y, "end_of_life": Y}, 400, None),
    ("糸魚川ヘルパーステーション（デモ）", "イトイガワヘルパーステーション", ServiceKind.HOME_HELP, "15216", ["15216"],
     [(WEEKDAYS + [5], "07:00", "19:00")], {"suction": Y, "dementia": Y, "accepting_new": N}, 90, None),
    ("妙高高原病院（デモ）", "ミョウコウコウゲンビョウイン", ServiceKind.HOSPITAL, "15217", ["15217", "15222"],
     [(WEEKDAYS, "08:30", "17:00")], {"home_support": Y, "night_holiday": Y, "ventilator": Y, "monitoring": Y,
                                       "accepting_new": Y}, 15, 1),
]


async def load_directory(session: AsyncSession, *, actor: Actor) -> int:
    """Adds the demo entries that are missing (idempotent); returns how many it added."""
    have = set(await session.scalars(select(ResourceService.name).where(ResourceService.source == "demo")))
    added = 0
    today, now = today_jst(), utcnow()
    for n, (name, kana, kind, muni, areas, hours, caps, days_ago, beds) in enumerate(ENTRIES, 1):
        if name in have:
            continue
        service = ResourceService(kind=kind.value, name=name, name_kana=kana, search_key=name_key(name, kana),
                                  municipality_code=muni, source="demo", service_type=kind.label)
        session.add(service)
        await session.flush()
        location = ResourceLocation(name=name, address=f"新潟県（デモ住所）{n}番地", municipality_code=muni)
        session.add(location)
        await session.flush()
        session.add(ResourceServiceAtLocation(service_id=service.id, location_id=location.id))
        session.add(ResourcePhone(service_id=service.id, number=f"0258-00-{n:04d}", digits=f"025800{n:04d}"))
        session.add_all(ResourceServiceArea(service_id=service.id, municipality_code=a, chome="") for a in areas)
        session.add_all(editing.schedule_rows(service.id, [editing.OpeningInput(days=d, opens_at=a, closes_at=b)
                                                           for d, a, b in hours], ["demo"]))
        attrs: dict = {}
        for key, value in caps.items():
            editing.apply_capability(service, attrs, key=key, value=value, source=CapabilitySource.DESK_VERIFIED,
                                     confirmed_on=today - timedelta(days=days_ago), confirmed_by_id=actor.user_id,
                                     confirmed_by_label=actor.display_name or "デモ")
        session.add_all(attrs.values())
        editing.refresh_derived(service, list(attrs.values()))
        if beds is not None:
            session.add(ResourceCapacity(service_id=service.id, unit="bed", available=beds, maximum=20, updated=now,
                                         valid_until=now + timedelta(days=7), updated_by_id=actor.user_id))
        added += 1
    await session.flush()
    return added




FACILITY_EMAIL = "facility@demo.renkei.jp"
FACILITY_OF = "ショートステイ信濃川（デモ）"


async def facility_contact(session: AsyncSession) -> int:
    """The demo's facility contact (事業所担当者), keeping the demo short stay's vacancy; returns its user id."""
    from backend.accounts import service as accounts
    from backend.accounts.actor import SYSTEM
    from backend.accounts.models import User
    from backend.taxonomy import Role
    user = await session.scalar(select(User).where(User.email == FACILITY_EMAIL))
    if user is None:
        service_id = await session.scalar(select(ResourceService.id).where(ResourceService.source == "demo",
                                                                            ResourceService.name == FACILITY_OF))
        user, _ = await accounts.create_user(session, actor=SYSTEM, email=FACILITY_EMAIL, display_name="信濃川 施設担当",
                                             role=Role.FACILITY_CONTACT, service_id=service_id)
    return user.id


# Calls where every visiting nurse station contacted declined: the hub's 資源の不足 page has a signal to show.
REFERRAL_CALLS = [
    ("医療的ケア児の在宅移行。人工呼吸器を使う子を受けてくれる訪問看護を探している。", "15202"),
    ("気管切開と人工呼吸器の小児。退院に向けて訪問看護の受け先がない。", "15208"),
    ("人工呼吸器の小児の退院調整。近くの訪問看護ステーションに断られた。", "15202"),
]


async def load_referrals(sessions, *, actor: Actor) -> int:
    """Adds the demo's declined referrals once (the idempotency keys keep a second run from adding more)."""
    from backend.consultations import service as consultations
    from backend.consultations.domain import NewAction, NewConsultation, ReferralItem
    from backend.db import transaction
    from backend.resources.vocabulary import DeclineReason, ReferralOutcome
    from backend.taxonomy import CallerRole, Channel, ResponseType
    from backend.taxonomy import ConsultationCategory as Cat
    async with sessions() as s:
        stations = list(await s.scalars(select(ResourceService.id).where(
            ResourceService.source == "demo", ResourceService.kind == ServiceKind.VISITING_NURSE.value)
            .order_by(ResourceService.id)))
    added = 0
    for i, (summary, municipality) in enumerate(REFERRAL_CALLS):
        received = utcnow() - timedelta(hours=2 * (i + 1))
        try:
            async with transaction(sessions) as s:
                row = await consultations.log(s, actor=actor, data=NewConsultation(
                    idempotency_key=f"demo-referral-{actor.user_id}-{i}", received_at=received, channel=Channel.PHONE,
                    caller_role=CallerRole.DISCHARGE_SUPPORT_NURSE, municipality_code=municipality, summary=summary,
                    categories=[Cat.PEDIATRIC_MEDICAL_CARE, Cat.FIND_VISITING_NURSE_REHAB], urgency=3))
                reasons = [DeclineReason.NO_CHILDREN, DeclineReason.PROCEDURE_UNSUPPORTED, DeclineReason.NO_VACANCY]
                await consultations.record_action(s, actor=actor, data=NewAction(
                    consultation_id=str(row.id), performed_at=received + timedelta(minutes=30),
                    type=ResponseType.RESOURCE_REFERRAL, minutes=40, needed_capabilities=["ventilator", "pediatric"],
                    referrals=[ReferralItem(service_id=str(sid), outcome=ReferralOutcome.DECLINED,
                                            decline_reason=reasons[(i + n) % len(reasons)])
                               for n, sid in enumerate(stations)]))
            added += 1
        except consultations.AlreadyLogged:
            continue
    return added
