"""A demo year for the first demo hub: several hundred consultations over the last twelve months, every
scene, caller role and outcome, continuing cases and general inquiries, actions with minutes and partners,
grouped issues and two meetings with sent packets. Sentences are composed from templates written for the
demo (no real person or case; nothing copied from the development set). Deterministic for a seed.

Written through the services (log, record_action, close, regroup, schedule, send), so the data is what
the screens and the reports would have produced."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from backend.accounts.actor import Actor
from backend.consultations import service as consultations
from backend.consultations.domain import Closing, NewAction, NewConsultation, Subject
from backend.consultations.models import Consultation
from backend.db import transaction
from backend.fiscal import fiscal_year_of, today_jst
from backend.issues import service as issues
from backend.issues.models import RegionalIssue
from backend.meetings import members as hub_members
from backend.meetings import service as meetings
from backend.meetings.models import HubMeeting
from backend.taxonomy import (AgeBand, CallerRole, CareLevel, CareScene, Channel, ConsultationCategory as Cat,
                              LivingSituation, OrganizationType as Org, Outcome, ResponseType)

# scene → (openings, problems, asks, categories, partners); a note is opening + problem + ask
TEMPLATES = {
    CareScene.ADMISSION_DISCHARGE: (
        ["{d}日後に退院予定の方、", "入院中の{age}代の方について、", "急性期病院から在宅へ戻る方、", "転院先が決まらない方、"],
        ["訪問診療の医師がまだ決まらない。", "退院前カンファの日程が合わない。", "在宅酸素の業者手配が間に合わない。",
         "入院時情報提供書の送り先が分からない。", "退院後の訪問看護の指示書が届いていない。"],
        ["地域連携室と調整してほしい。", "受けてくれる診療所を紹介してほしい。", "段取りを相談したい。"],
        [Cat.FIND_HOME_PHYSICIAN, Cat.DISCHARGE_COORDINATION, Cat.ADMISSION_INFORMATION_SHARING],
        [Org.HOSPITAL, Org.HOME_CARE_CLINIC, Org.VISITING_NURSE_STATION]),
    CareScene.DAILY_CARE: (
        ["通院が難しくなった方、", "独居の高齢者、", "胃ろうのある方の家族から、", "ケアマネより、"],
        ["残薬が多く服薬管理ができていない。", "訪問歯科を探しているが見つからない。", "褥瘡が悪化している。",
         "かかりつけ医が閉院し主治医がいなくなった。", "介護負担が大きく家族が疲れている。"],
        ["対応できる事業所を知りたい。", "訪問薬剤管理をお願いできる薬局はあるか。", "レスパイトの選択肢を知りたい。"],
        [Cat.MEDICATION, Cat.FIND_HOME_DENTAL, Cat.FIND_HOME_PHARMACY, Cat.FAMILY_CAREGIVER_BURDEN],
        [Org.PHARMACY, Org.DENTAL_CLINIC, Org.CARE_MANAGEMENT_OFFICE, Org.CLINIC]),
    CareScene.ACUTE_CHANGE: (
        ["夜間に発熱した利用者について、", "休日の急変時、", "訪問看護ステーションから、", "施設職員より、"],
        ["主治医と連絡がつかなかった。", "救急搬送するか迷い家族が119番した。", "後方支援病床の受け入れ先がない。",
         "夜間の連絡体制が決まっていない。"],
        ["輪番や当番医の仕組みを知りたい。", "連絡フローを一緒に作ってほしい。", "協力医療機関を確認したい。"],
        [Cat.AFTER_HOURS_SYSTEM, Cat.EMERGENCY_TRANSPORT_RESUSCITATION, Cat.FACILITY_COOPERATING_HOSPITAL],
        [Org.HOSPITAL, Org.FIRE_DEPARTMENT, Org.HOME_CARE_CLINIC]),
    CareScene.END_OF_LIFE: (
        ["がん末期で自宅療養中の方、", "老衰が進む施設入居者、", "余命が告げられた方の家族から、"],
        ["自宅での看取りを希望しているが往診医がいない。", "麻薬を扱う薬局が近くにない。", "死亡診断の段取りが不安。",
         "人生会議をどう進めればよいか分からない。"],
        ["緩和ケアに対応できる先を紹介してほしい。", "ACPの進め方を助言してほしい。", "看取りの流れを確認したい。"],
        [Cat.PALLIATIVE_SYMPTOM, Cat.ACP_DECISION_SUPPORT, Cat.DEATH_CERTIFICATION],
        [Org.HOME_CARE_CLINIC, Org.PHARMACY, Org.VISITING_NURSE_STATION]),
    CareScene.DEMENTIA: (
        ["物忘れが進んだ高齢者のみ世帯、", "民生委員より、", "地域包括支援センターから、"],
        ["受診を拒否している。", "夜間の徘徊で家族が困っている。", "サービス利用を拒んでいる。", "金銭管理が難しくなった。"],
        ["初期集中支援チームにつなぎたい。", "成年後見の相談先を知りたい。", "かかりつけ医に相談したい。"],
        [Cat.DEMENTIA_CARE, Cat.SOCIAL_VULNERABILITY],
        [Org.COMMUNITY_GENERAL_SUPPORT_CENTER, Org.MUNICIPALITY, Org.CLINIC]),
    CareScene.INFECTION: (
        ["デイサービスで陽性者が出て、", "訪問先でインフルエンザが疑われ、", "施設でノロの集団発生があり、"],
        ["防護具が足りない。", "訪問を続けてよいか判断に迷う。", "保健所への報告の仕方が分からない。"],
        ["感染対策の助言がほしい。", "保健所との調整をお願いしたい。"],
        [Cat.INFECTION_CONTROL],
        [Org.PREFECTURE_OR_HEALTH_CENTER, Org.HOME_CARE_SERVICE_PROVIDER]),
    CareScene.DISASTER: (
        ["人工呼吸器を使う方の家族から、", "台風の接近に備えて、", "地震のあと、"],
        ["停電時のバッテリーが何時間もつか不安。", "福祉避難所の場所が分からない。", "個別避難計画がまだない。"],
        ["電源確保の手段を知りたい。", "避難の段取りを確認したい。"],
        [Cat.DISASTER_PREPAREDNESS, Cat.MEDICAL_PROCEDURE_DEVICE],
        [Org.MUNICIPALITY, Org.VISITING_NURSE_STATION]),
    CareScene.CROSS_CUTTING: (
        ["事業所の管理者から、", "新任のケアマネより、", "市の担当者から、"],
        ["地域の在宅医療資源の一覧が欲しい。", "多職種の研修会を企画したい。", "情報共有ツールの使い方を知りたい。",
         "制度の自己負担について質問があった。"],
        ["資料を送ってほしい。", "講師を紹介してほしい。", "窓口として案内してほしい。"],
        [Cat.RESOURCE_INFORMATION_REQUEST, Cat.TRAINING_OR_LECTURE_REQUEST, Cat.INFORMATION_SHARING_TOOLS,
         Cat.INSURANCE_AND_WELFARE_SYSTEMS],
        [Org.PROFESSIONAL_ASSOCIATION, Org.SOCIAL_WELFARE_COUNCIL, Org.MUNICIPALITY]),
}
SCENE_WEIGHTS = {CareScene.ADMISSION_DISCHARGE: 24, CareScene.DAILY_CARE: 26, CareScene.ACUTE_CHANGE: 14,
                 CareScene.END_OF_LIFE: 12, CareScene.DEMENTIA: 10, CareScene.INFECTION: 4, CareScene.DISASTER: 3,
                 CareScene.CROSS_CUTTING: 7}
OUTCOME_WEIGHTS = {Outcome.RESOLVED: 50, Outcome.PARTIALLY_RESOLVED: 18, Outcome.REFERRED: 14,
                   Outcome.UNRESOLVED_NO_RESOURCE: 9, Outcome.UNRESOLVED_OTHER: 5, Outcome.WITHDRAWN: 4}
RESPONSES = [ResponseType.INFORMATION_PROVISION, ResponseType.RESOURCE_REFERRAL, ResponseType.LIAISON_COORDINATION,
             ResponseType.PHYSICIAN_MATCHING, ResponseType.FOLLOW_UP_CONTACT, ResponseType.LISTENING_ONLY,
             ResponseType.ACCOMPANIED_VISIT, ResponseType.CONFERENCE_SUPPORT, ResponseType.HANDOVER_TO_OTHER_DESK,
             ResponseType.EXPERT_ADVICE, ResponseType.ISSUE_ESCALATION, ResponseType.OTHER]
MEMBERS = [("訪問看護ステーション代表", "市訪問看護連絡会", "demo-member1@example.jp"),
           ("医師会 在宅担当理事", "郡市医師会", "demo-member2@example.jp"),
           ("地域包括支援センター長", "地域包括支援センター", "demo-member3@example.jp")]


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _note(rng: random.Random, scene: CareScene) -> tuple[str, list, list]:
    openings, problems, asks, cats, partners = TEMPLATES[scene]
    text = rng.choice(openings).format(d=rng.randint(2, 14), age=rng.choice([60, 70, 80, 90])) + rng.choice(problems) \
        + rng.choice(asks)
    return text, rng.sample(cats, k=min(len(cats), rng.choice([1, 1, 2]))), partners


async def load_year(sessions, *, coordinator: Actor, manager: Actor, codes: list[str], seed: int = 2026,
                    count: int = 420) -> int:
    """Fills the hub once (a second run adds nothing); returns how many consultations were added."""
    async with sessions() as s:
        have = await s.scalar(select(func.count()).select_from(Consultation).where(
            Consultation.hub_id == coordinator.hub_id, Consultation.idempotency_key.like("year-%")))
    if have:
        return 0
    rng = random.Random(seed)
    now = datetime.now(UTC)
    roles = [r for r in CallerRole]
    earlier: list[int] = []
    added = 0
    for i in range(count):
        received = now - timedelta(days=365 * (1 - (i + rng.random()) / count), hours=rng.randint(0, 8))
        received = min(received, now - timedelta(hours=1))
        general = rng.random() < 0.1
        scene = CareScene.CROSS_CUTTING if general else _pick(rng, SCENE_WEIGHTS)
        summary, cats, partners = _note(rng, scene)
        continues = str(rng.choice(earlier[-60:])) if earlier and not general and rng.random() < 0.3 else None
        data = NewConsultation(
            idempotency_key=f"year-{i}", received_at=received, channel=rng.choice(list(Channel)),
            caller_role=roles[i % len(roles)] if i < len(roles) else rng.choice(roles[:12]),
            municipality_code=rng.choice(codes), summary=summary, categories=cats, primary_scene=scene, scenes=[scene],
            urgency=rng.randint(1, 4), general_inquiry=general or None, continues_consultation_id=continues,
            report_as_issue=True if rng.random() < 0.02 else None,
            subject=None if general else Subject(age_band=rng.choice(list(AgeBand)),
                                                 care_level=rng.choice(list(CareLevel)),
                                                 living_situation=rng.choice(list(LivingSituation))))
        async with transaction(sessions) as s:
            row = await consultations.log(s, actor=coordinator, data=data)
            for k in range(rng.choice([1, 1, 2, 3])):
                row = await consultations.record_action(s, actor=coordinator, data=NewAction(
                    consultation_id=str(row.id), performed_at=min(received + timedelta(hours=2 + 24 * k), now),
                    type=RESPONSES[(i + k) % len(RESPONSES)] if i < 24 else rng.choice(RESPONSES[:6]),
                    minutes=rng.choice([5, 10, 15, 20, 30, 45, 60]),
                    partners=rng.sample(partners, k=rng.choice([0, 1, 1, 2]))))
            if received < now - timedelta(days=7) or rng.random() < 0.3:
                outcome = list(OUTCOME_WEIGHTS)[i % 6] if i < 6 else _pick(rng, OUTCOME_WEIGHTS)
                await consultations.close(s, actor=coordinator, data=Closing(id=str(row.id), version=row.version,
                                                                              outcome=outcome))
        if not general:
            earlier.append(row.id)
        added += 1
    await _issues_and_meetings(sessions, manager=manager, rng=rng)
    return added


async def _issues_and_meetings(sessions, *, manager: Actor, rng: random.Random) -> None:
    hub_id = manager.hub_id
    current = fiscal_year_of(today_jst())
    for fy in sorted({current - 1, current}):
        async with transaction(sessions) as s:
            await issues.regroup(s, hub_id=hub_id, fiscal_year=fy)
    async with transaction(sessions) as s:
        have = {m.email for m in await hub_members.members(s, actor=manager, hub_id=hub_id) or []}
        for name, org, email in MEMBERS:
            if email not in have:
                await hub_members.add(s, actor=manager, hub_id=hub_id, name=name, organization=org, email=email)
    async with sessions() as s:
        top = list(await s.scalars(select(RegionalIssue.id).where(RegionalIssue.hub_id == hub_id)
                                   .order_by(RegionalIssue.consultation_count.desc(), RegionalIssue.id).limit(6)))
        held = await s.scalar(select(func.count()).select_from(HubMeeting).where(HubMeeting.hub_id == hub_id))
    if not top or held:
        return
    for n, (days_ago, agenda) in enumerate([(150, top[:3]), (30, top[3:6] or top[:2])], start=1):
        async with transaction(sessions) as s:
            meeting, _ = await meetings.schedule(s, actor=manager, hub_id=hub_id, title=f"第{n}回 在宅医療・介護連携協議の場",
                                                 held_on=today_jst() - timedelta(days=days_ago), issue_ids=agenda,
                                                 recipient_emails=[e for _, _, e in MEMBERS])
        async with transaction(sessions) as s:
            await meetings.build_packet(s, meeting_id=meeting.id)
            await meetings.send_packet(s, meeting_id=meeting.id)
