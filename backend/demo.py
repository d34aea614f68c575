"""Demo data for the embedded default: 新潟県 with two home-care areas and two hubs, one account of
each role (e-mail, a fresh password, the TOTP key and an API token printed), and a few dozen
consultations written the way desks write them.

The notes are invented for the demo; no real person or case is described."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from backend import demo_year
from backend.accounts import login
from backend.accounts import service as accounts
from backend.accounts.actor import SYSTEM, Actor
from backend.accounts.models import User
from backend.accounts.second_factor import grouped
from backend.consultations import service as consultations
from backend.consultations.domain import Closing, NewAction, NewConsultation, Subject
from backend.db import make_engine, make_sessions, transaction
from backend.regions import service as regions
from backend.regions.models import Area, Hub
from backend.resources import demo as resource_demo
from backend.settings import Settings
from backend.taxonomy import AgeBand, CallerRole, CareLevel, Channel, LivingSituation, Outcome, ResponseType, Role
from backend.taxonomy import ConsultationCategory as Cat

PREFECTURE = "15"
AREAS = {
    "中越在宅医療圏": ["15202", "15208", "15211"],
    "上越在宅医療圏": ["15222", "15216", "15217"],
}
HUBS = {"中越在宅医療圏": "長岡地域在宅医療・介護連携拠点", "上越在宅医療圏": "上越地域在宅医療推進センター"}

NOTES = [
    ("来週退院予定の方、訪問診療を引き受けてくれる医師がまだ決まっていない。病院MSWから相談。", CallerRole.MEDICAL_SOCIAL_WORKER, [Cat.FIND_HOME_PHYSICIAN, Cat.DISCHARGE_COORDINATION]),
    ("退院前カンファの日程が急に決まり、訪問看護とケアマネの都合がつかない。オンライン参加の可否を知りたい。", CallerRole.CARE_MANAGER, [Cat.DISCHARGE_COORDINATION]),
    ("夜間に急に熱が出た時の連絡先が家族に伝わっておらず、119番してしまった。主治医の時間外対応を確認したい。", CallerRole.VISITING_NURSE, [Cat.AFTER_HOURS_SYSTEM]),
    ("休日に往診してくれる先生がいない地域。輪番のような仕組みはあるか。", CallerRole.CARE_MANAGER, [Cat.AFTER_HOURS_SYSTEM]),
    ("がん末期で自宅での看取りを希望。訪問診療医はいるが、夜間の死亡確認に来てもらえるか不安とのこと。", CallerRole.FAMILY, [Cat.DEATH_CERTIFICATION, Cat.PALLIATIVE_SYMPTOM]),
    ("本人の延命治療の意向が救急隊に伝わらず搬送された。ACPの内容を共有する方法を知りたい。", CallerRole.VISITING_NURSE, [Cat.ACP_DECISION_SUPPORT, Cat.EMERGENCY_TRANSPORT_RESUSCITATION]),
    ("認知症の独居の方、受診を拒否しており服薬もできていない。初期集中支援チームにつなぎたい。", CallerRole.COMMUNITY_CENTER_STAFF, [Cat.DEMENTIA_CARE]),
    ("BPSDが強く、ショートステイ先から受け入れを断られた。精神科の相談先を探している。", CallerRole.CARE_MANAGER, [Cat.DEMENTIA_CARE, Cat.FIND_CARE_SERVICE_OR_FACILITY]),
    ("デイサービスで陽性者が出て、訪問系サービスも一時休止になった。代わりの支援をどうするか。", CallerRole.CARE_MANAGER, [Cat.INFECTION_CONTROL]),
    ("施設でインフルエンザのクラスター。協力医療機関が往診に来られず、保健所への相談の仕方を知りたい。", CallerRole.FACILITY_COUNSELOR, [Cat.INFECTION_CONTROL, Cat.FACILITY_COOPERATING_HOSPITAL]),
    ("人工呼吸器を使っている方、台風で停電した場合の電源の確保をどうするか家族が心配している。", CallerRole.VISITING_NURSE, [Cat.DISASTER_PREPAREDNESS, Cat.MEDICAL_PROCEDURE_DEVICE]),
    ("在宅酸素の方の個別避難計画をつくりたいが、福祉避難所で酸素が使えるか分からない。", CallerRole.GOVERNMENT_STAFF, [Cat.DISASTER_PREPAREDNESS]),
    ("訪問歯科に来てもらえる歯科医院を探している。義歯が合わず食事がとれない。", CallerRole.CARE_MANAGER, [Cat.FIND_HOME_DENTAL]),
    ("残薬が多く飲み忘れが続いている。在宅対応できる薬局を紹介してほしい。", CallerRole.VISITING_NURSE, [Cat.FIND_HOME_PHARMACY, Cat.MEDICATION]),
    ("介護者の娘さんが疲れ切っている。レスパイト入院を受けてくれる病院はあるか。", CallerRole.CARE_MANAGER, [Cat.HOSPITAL_BED_OR_RESPITE, Cat.FAMILY_CAREGIVER_BURDEN]),
    ("医療的ケア児の在宅移行。訪問看護と小児科の往診先がなかなか見つからない。", CallerRole.DISCHARGE_SUPPORT_NURSE, [Cat.PEDIATRIC_MEDICAL_CARE, Cat.FIND_VISITING_NURSE_REHAB]),
    ("入院時に在宅での生活状況を病院へ伝える様式が事業所ごとにばらばら。統一した情報提供書はあるか。", CallerRole.CARE_MANAGER, [Cat.ADMISSION_INFORMATION_SHARING, Cat.INFORMATION_SHARING_TOOLS]),
    ("多職種連携の研修会の講師を依頼したい。テーマは在宅での看取り。", CallerRole.PHYSICIAN, [Cat.TRAINING_OR_LECTURE_REQUEST]),
    ("連携ICTの使い方がわからず、病院側の情報が見られない。", CallerRole.VISITING_NURSE, [Cat.INFORMATION_SHARING_TOOLS]),
    ("老健から在宅復帰する方。訪問リハを入れたいが対応できる事業所が少ない。", CallerRole.FACILITY_COUNSELOR, [Cat.FIND_VISITING_NURSE_REHAB, Cat.DISCHARGE_COORDINATION]),
    ("サ高住の入居者が夜間に転倒。協力医療機関に連絡がつかず救急要請になった。", CallerRole.CARE_WORKER, [Cat.FACILITY_COOPERATING_HOSPITAL, Cat.AFTER_HOURS_SYSTEM]),
    ("胃ろうの方の退院調整。受け入れ先の施設が見つからない。", CallerRole.MEDICAL_SOCIAL_WORKER, [Cat.DISCHARGE_COORDINATION, Cat.FIND_CARE_SERVICE_OR_FACILITY]),
    ("特養で看取りをしたいが、配置医が夜間の死亡診断に来られないと言われた。", CallerRole.FACILITY_COUNSELOR, [Cat.DEATH_CERTIFICATION]),
    ("一人暮らしで身寄りがない方の入院時の保証人がいない。成年後見の相談先は。", CallerRole.COMMUNITY_CENTER_STAFF, [Cat.SOCIAL_VULNERABILITY]),
    ("訪問診療の費用について家族から問い合わせ。医療費の負担が心配。", CallerRole.FAMILY, [Cat.INSURANCE_AND_WELFARE_SYSTEMS]),
    ("緩和ケア病棟の空きがなく、自宅で疼痛コントロールを続けることになった。麻薬を扱う薬局を探している。", CallerRole.VISITING_NURSE, [Cat.PALLIATIVE_SYMPTOM, Cat.FIND_HOME_PHARMACY]),
    ("地域の在宅医療資源マップの最新版が欲しい。", CallerRole.CARE_MANAGER, [Cat.RESOURCE_INFORMATION_REQUEST]),
    ("退院後の初回訪問までに指示書が届かず、訪問看護が開始できない。", CallerRole.VISITING_NURSE, [Cat.DISCHARGE_COORDINATION]),
    ("物忘れが進み、火の不始末が心配な高齢者のみ世帯。受診につなげたい。", CallerRole.COMMUNITY_MEMBER, [Cat.DEMENTIA_CARE]),
    ("停電時にたんの吸引器のバッテリーがもつか心配。非常用電源の貸し出しはあるか。", CallerRole.FAMILY, [Cat.DISASTER_PREPAREDNESS]),
    ("主治医と訪問看護の間で情報共有がうまくいかず、指示の変更が伝わっていない。", CallerRole.VISITING_NURSE, [Cat.INTERPROFESSIONAL_COMMUNICATION]),
    ("夜間の急変時に誰に連絡すべきか、ヘルパー事業所としてマニュアルを作りたい。", CallerRole.CARE_WORKER, [Cat.AFTER_HOURS_SYSTEM]),
    ("コロナ陽性の利用者宅への訪問で防護具が足りない。", CallerRole.VISITING_NURSE, [Cat.INFECTION_CONTROL]),
    ("退院前に訪問診療医が決まらず、退院日が延期になった。", CallerRole.DISCHARGE_SUPPORT_NURSE, [Cat.FIND_HOME_PHYSICIAN, Cat.DISCHARGE_COORDINATION]),
    ("人生会議を家族と話し合いたいがどう切り出せばよいか。", CallerRole.FAMILY, [Cat.ACP_DECISION_SUPPORT]),
    ("かかりつけ医が閉院し、通院困難な方の訪問診療先を探している。", CallerRole.CARE_MANAGER, [Cat.FIND_HOME_PHYSICIAN]),
]
OUTCOMES = [Outcome.RESOLVED, Outcome.RESOLVED, Outcome.PARTIALLY_RESOLVED, Outcome.REFERRED, Outcome.UNRESOLVED_NO_RESOURCE]
USERS = [("admin@demo.renkei.jp", "管理者 デモ", Role.ADMIN, None),
         ("analyst@demo.renkei.jp", "県担当 デモ", Role.PREFECTURE_ANALYST, None),
         ("manager@demo.renkei.jp", "拠点管理者 デモ", Role.HUB_MANAGER, 0),
         ("coordinator@demo.renkei.jp", "コーディネーター デモ", Role.COORDINATOR, 0),
         ("coordinator2@demo.renkei.jp", "上越コーディネーター デモ", Role.COORDINATOR, 1)]


async def load(settings: Settings, *, seed: int = 7) -> list[str]:
    """Idempotent for the set-up (areas, hubs, users); consultations are added once. Returns the
    lines to print: per demo account its e-mail, a fresh password, its TOTP key (the same on every run)
    and a fresh API token."""
    rng = random.Random(seed)
    engine = make_engine(settings.database_url)
    sessions = make_sessions(engine)
    lines = ["Log in at " + settings.public_url.rstrip("/") + "/ with an e-mail and password below, then a code from",
             "any authenticator app (Google Authenticator, Microsoft Authenticator, ...) set up with the TOTP key.", ""]
    try:
        async with transaction(sessions) as s:
            hubs = []
            for area_name, codes in AREAS.items():
                area = await s.scalar(select(Area).where(Area.prefecture_code == PREFECTURE, Area.name == area_name))
                if area is None:
                    area = await regions.create_area(s, actor=SYSTEM, prefecture_code=PREFECTURE, name=area_name,
                                                     municipality_codes=codes)
                hub = await s.scalar(select(Hub).where(Hub.area_id == area.id))
                if hub is None:
                    hub = await regions.create_hub(s, actor=SYSTEM, area_id=area.id, name=HUBS[area_name])
                hubs.append(hub)
            actors = {}
            for email, name, role, hub_index in USERS:
                user = await s.scalar(select(User).where(User.email == email))
                if user is None:
                    user, token = await accounts.create_user(
                        s, actor=SYSTEM, email=email, display_name=name, role=role,
                        hub_id=hubs[hub_index].id if hub_index is not None else None,
                        prefecture_code=PREFECTURE if role is Role.PREFECTURE_ANALYST else None)
                else:
                    token = await accounts.issue_token(s, user_id=user.id)
                actors[email] = Actor(user_id=user.id, role=role, hub_id=user.hub_id, prefecture_code=user.prefecture_code)
                password, secret = await login.set_demo_credentials(s, user_id=user.id)
                lines += [f"{role.name:<20} {email}", f"{'':<20} password  {password}",
                          f"{'':<20} TOTP key  {grouped(secret)}", f"{'':<20} API token {token}"]
        async with transaction(sessions) as s:   # the demo area's resource directory (backend/resources/demo.py)
            await resource_demo.load_directory(s, actor=actors["coordinator@demo.renkei.jp"])
            facility_id = await resource_demo.facility_contact(s)   # a FACILITY_CONTACT keeping one demo entry
            password, secret = await login.set_demo_credentials(s, user_id=facility_id)
            lines += [f"{Role.FACILITY_CONTACT.name:<20} {resource_demo.FACILITY_EMAIL}", f"{'':<20} password  {password}",
                      f"{'':<20} TOTP key  {grouped(secret)}"]
        for email, hub_index in (("coordinator@demo.renkei.jp", 0), ("coordinator2@demo.renkei.jp", 1)):
            await _consultations(sessions, actors[email], AREAS[list(AREAS)[hub_index]], rng)
        await resource_demo.load_referrals(sessions, actor=actors["coordinator@demo.renkei.jp"])   # 資源の不足
        # the first hub's year of work: what the board, the dashboard and the desk report show (backend/demo_year.py)
        await demo_year.load_year(sessions, coordinator=actors["coordinator@demo.renkei.jp"],
                                  manager=actors["manager@demo.renkei.jp"], codes=AREAS[list(AREAS)[0]])
    finally:
        await engine.dispose()
    return lines


async def _consultations(sessions, actor: Actor, codes: list[str], rng: random.Random) -> None:
    now = datetime.now(UTC)
    for i, (summary, caller, cats) in enumerate(NOTES):
        received = now - timedelta(days=rng.randint(1, 300), hours=rng.randint(0, 9))
        data = NewConsultation(
            idempotency_key=f"demo-{actor.user_id}-{i}", received_at=received, channel=rng.choice(list(Channel)[:5]),
            caller_role=caller, municipality_code=rng.choice(codes), summary=summary, categories=cats,
            urgency=rng.randint(1, 4),
            subject=Subject(age_band=rng.choice(list(AgeBand)), care_level=rng.choice(list(CareLevel)),
                            living_situation=rng.choice(list(LivingSituation))),
        )
        try:
            async with transaction(sessions) as s:
                row = await consultations.log(s, actor=actor, data=data)
                if rng.random() < 0.8:
                    row = await consultations.record_action(s, actor=actor, data=NewAction(
                        consultation_id=str(row.id), performed_at=received + timedelta(hours=2),
                        type=rng.choice([ResponseType.INFORMATION_PROVISION, ResponseType.RESOURCE_REFERRAL,
                                         ResponseType.LIAISON_COORDINATION]), minutes=rng.choice([10, 20, 30])))
                if rng.random() < 0.6:
                    await consultations.close(s, actor=actor, data=Closing(id=str(row.id), version=row.version,
                                                                           outcome=rng.choice(OUTCOMES)))
        except consultations.AlreadyLogged:
            continue


async def generate_volume(sessions, *, rows: int, fiscal_year: int, seed: int = 11) -> str:
    """Benchmark volume: every prefecture gets areas and hubs, and `rows` consultations are spread over
    them roughly by population (the largest prefectures get the most). Returns the largest prefecture's
    code. Summaries are short stock phrases; nothing here describes a person."""
    from backend.fiscal import fiscal_year_bounds
    from backend.regions import codes
    from backend.taxonomy import CareScene
    from backend.text.normalize import normalize

    rng = random.Random(seed)
    weights = {p.code: 1 for p in codes.load_prefectures()}
    for code, w in {"13": 14, "14": 9, "27": 9, "23": 7.5, "11": 7.3, "12": 6.3, "01": 5.2, "28": 5.4, "40": 5.1}.items():
        weights[code] = w
    largest = max(weights, key=weights.get)
    by_prefecture: dict[str, list[str]] = {}
    for m in codes.load_municipalities():
        by_prefecture.setdefault(m.prefecture_code, []).append(m.code)
    hubs: dict[str, list[tuple[int, str, int]]] = {}
    async with transaction(sessions) as s:
        for code, munis in sorted(by_prefecture.items()):
            hubs[code] = []
            chunk = max(1, len(munis) // 3)
            for i in range(3):
                part = munis[i * chunk:(i + 1) * chunk] or munis[-1:]
                area = await regions.create_area(s, actor=SYSTEM, prefecture_code=code, name=f"第{i + 1}圏域", municipality_codes=part)
                hub = await regions.create_hub(s, actor=SYSTEM, area_id=area.id, name=f"第{i + 1}圏域拠点")
                user, _ = await accounts.create_user(s, actor=SYSTEM, email=f"vol-{code}-{i}@example.jp", display_name="volume",
                                                     role=Role.COORDINATOR, hub_id=hub.id)
                hubs[code].append((hub.id, part[0], user.id))
    start, end = fiscal_year_bounds(fiscal_year)
    span = (end - start).total_seconds()
    total_weight = sum(weights.values())
    scenes = [s.value for s in CareScene]
    roles = [r.value for r in CallerRole]
    outcomes = [None, None, "resolved", "resolved", "partially_resolved", "referred", "unresolved_no_resource"]
    phrases = [n[0][:30] for n in NOTES]
    batch: list[dict] = []
    n = 0
    for code, weight in sorted(weights.items()):
        count = round(rows * weight / total_weight)
        for _ in range(count):
            hub_id, muni, user_id = rng.choice(hubs[code])
            received = start + timedelta(seconds=rng.random() * span * 0.95)
            outcome = rng.choice(outcomes)
            summary = rng.choice(phrases)
            scene = rng.choice(scenes)
            batch.append(dict(hub_id=hub_id, municipality_code=muni, idempotency_key=f"vol-{n}", received_at=received,
                              fiscal_year=fiscal_year, channel="phone", caller_role=rng.choice(roles), summary=summary,
                              search_text=normalize(summary), primary_scene=scene, scenes_mask=1 << scenes.index(scene),
                              scenes_confirmed=True, suggested_scenes=[], categories_mask=0, subject_flags_mask=0,
                              status="closed" if outcome else "in_progress", outcome=outcome,
                              closed_at=received + timedelta(days=rng.randint(0, 40)) if outcome else None, version=1,
                              created_by_id=user_id, assignee_id=user_id, created_at=received, updated_at=received))
            n += 1
            if len(batch) == 10_000:
                async with transaction(sessions) as s:
                    await consultations.insert_many(s, batch)
                batch = []
    if batch:
        async with transaction(sessions) as s:
            await consultations.insert_many(s, batch)
    return largest
