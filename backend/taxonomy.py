"""The shared vocabulary of domain.md: enum keys (English) and their Japanese labels.

Keys are the lower-case values stored in the database; GraphQL exposes them upper-case.
"""

import enum


class Labelled(enum.StrEnum):
    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class CareScene(Labelled):
    ADMISSION_DISCHARGE = "admission_discharge", "入退院支援"
    DAILY_CARE = "daily_care", "日常の療養支援"
    ACUTE_CHANGE = "acute_change", "急変時の対応"
    END_OF_LIFE = "end_of_life", "看取り"
    DEMENTIA = "dementia", "認知症の対応"
    INFECTION = "infection", "感染症発生時の対応"
    DISASTER = "disaster", "災害時の対応"
    CROSS_CUTTING = "cross_cutting", "場面横断（制度・資源・連携体制全般）"


SCENE_DESCRIPTIONS = {
    CareScene.ADMISSION_DISCHARGE: "入院時の情報共有、退院調整、退院前カンファレンス、在宅復帰の準備",
    CareScene.DAILY_CARE: "訪問診療・訪問看護・訪問歯科・服薬など、在宅での日常の療養を支える連携",
    CareScene.ACUTE_CHANGE: "急変時・夜間休日の連絡体制、救急搬送、後方支援病床",
    CareScene.END_OF_LIFE: "在宅や施設での看取り、緩和ケア、ACP（人生会議）、死亡診断",
    CareScene.DEMENTIA: "認知症の方の受診・サービス拒否、BPSD、早期対応、権利擁護",
    CareScene.INFECTION: "感染症発生時のサービス継続、感染対策、保健所との連携",
    CareScene.DISASTER: "停電・災害時の医療機器の電源確保、避難、個別避難計画",
    CareScene.CROSS_CUTTING: "制度・費用、地域資源の情報、多職種連携や情報共有の体制全般",
}


class CallerRole(Labelled):
    CARE_MANAGER = "care_manager", "介護支援専門員"
    COMMUNITY_CENTER_STAFF = "community_center_staff", "地域包括支援センター職員"
    PHYSICIAN = "physician", "医師"
    DENTIST = "dentist", "歯科医師"
    DENTAL_HYGIENIST = "dental_hygienist", "歯科衛生士"
    PHARMACIST = "pharmacist", "薬剤師"
    VISITING_NURSE = "visiting_nurse", "訪問看護師"
    HOSPITAL_NURSE = "hospital_nurse", "病院看護師"
    DISCHARGE_SUPPORT_NURSE = "discharge_support_nurse", "入退院支援看護師"
    MEDICAL_SOCIAL_WORKER = "medical_social_worker", "医療ソーシャルワーカー"
    REHAB_THERAPIST = "rehab_therapist", "リハビリ専門職"
    DIETITIAN = "dietitian", "管理栄養士"
    CARE_WORKER = "care_worker", "介護職員・ヘルパー"
    FACILITY_COUNSELOR = "facility_counselor", "施設相談員"
    DISABILITY_SUPPORT_SPECIALIST = "disability_support_specialist", "相談支援専門員"
    GOVERNMENT_STAFF = "government_staff", "行政職員"
    EMERGENCY_SERVICES = "emergency_services", "消防・救急"
    PATIENT = "patient", "本人"
    FAMILY = "family", "家族"
    COMMUNITY_MEMBER = "community_member", "住民・民生委員"
    OTHER = "other", "その他"
    UNKNOWN = "unknown", "不明"


class OrganizationType(Labelled):
    HOSPITAL = "hospital", "病院"
    CLINIC = "clinic", "診療所"
    HOME_CARE_CLINIC = "home_care_clinic", "在宅療養支援診療所"
    DENTAL_CLINIC = "dental_clinic", "歯科診療所"
    PHARMACY = "pharmacy", "薬局"
    VISITING_NURSE_STATION = "visiting_nurse_station", "訪問看護ステーション"
    CARE_MANAGEMENT_OFFICE = "care_management_office", "居宅介護支援事業所"
    COMMUNITY_GENERAL_SUPPORT_CENTER = "community_general_support_center", "地域包括支援センター"
    HOME_CARE_SERVICE_PROVIDER = "home_care_service_provider", "在宅サービス事業所"
    SPECIAL_NURSING_HOME = "special_nursing_home", "特別養護老人ホーム"
    GERIATRIC_HEALTH_FACILITY = "geriatric_health_facility", "介護老人保健施設"
    INTEGRATED_CARE_FACILITY = "integrated_care_facility", "介護医療院"
    NURSING_HOME_FOR_ELDERLY = "nursing_home_for_elderly", "養護・軽費老人ホーム"
    DEMENTIA_GROUP_HOME = "dementia_group_home", "認知症グループホーム"
    RESIDENTIAL_CARE_HOUSING = "residential_care_housing", "有料老人ホーム・サ高住"
    DISABILITY_SERVICE_PROVIDER = "disability_service_provider", "障害福祉サービス事業所"
    MUNICIPALITY = "municipality", "市町村"
    PREFECTURE_OR_HEALTH_CENTER = "prefecture_or_health_center", "都道府県・保健所"
    FIRE_DEPARTMENT = "fire_department", "消防本部"
    PROFESSIONAL_ASSOCIATION = "professional_association", "医師会等"
    SOCIAL_WELFARE_COUNCIL = "social_welfare_council", "社会福祉協議会"
    NONE_INDIVIDUAL = "none_individual", "個人"
    OTHER = "other", "その他"


class Channel(Labelled):
    PHONE = "phone", "電話"
    WALK_IN = "walk_in", "来所"
    OUTREACH_VISIT = "outreach_visit", "訪問"
    FAX = "fax", "FAX"
    EMAIL = "email", "メール"
    WEB_FORM = "web_form", "Webフォーム"
    ICT_PLATFORM = "ict_platform", "連携ICT"
    ONLINE_MEETING = "online_meeting", "オンライン面談"
    AT_MEETING = "at_meeting", "会議の場"
    LETTER = "letter", "文書"
    OTHER = "other", "その他"


S = CareScene
# value, label, typical scene
_CATEGORIES = [
    ("find_home_physician", "在宅医（訪問診療・往診）の紹介", S.DAILY_CARE),
    ("find_specialist_visit", "専門科の往診先", S.DAILY_CARE),
    ("find_home_dental", "訪問歯科", S.DAILY_CARE),
    ("find_home_pharmacy", "在宅対応薬局", S.DAILY_CARE),
    ("find_visiting_nurse_rehab", "訪問看護・訪問リハ", S.DAILY_CARE),
    ("find_care_service_or_facility", "介護サービス・施設", S.DAILY_CARE),
    ("hospital_bed_or_respite", "入院先・レスパイト", S.DAILY_CARE),
    ("discharge_coordination", "退院調整", S.ADMISSION_DISCHARGE),
    ("admission_information_sharing", "入院時情報提供", S.ADMISSION_DISCHARGE),
    ("medical_procedure_device", "医療処置・医療機器", S.DAILY_CARE),
    ("medication", "服薬", S.DAILY_CARE),
    ("palliative_symptom", "緩和ケア", S.END_OF_LIFE),
    ("acp_decision_support", "ACP・意思決定支援", S.END_OF_LIFE),
    ("after_hours_system", "夜間・休日体制", S.ACUTE_CHANGE),
    ("emergency_transport_resuscitation", "救急搬送・蘇生の意思", S.ACUTE_CHANGE),
    ("death_certification", "死亡確認・死亡診断", S.END_OF_LIFE),
    ("facility_cooperating_hospital", "協力医療機関", S.ACUTE_CHANGE),
    ("dementia_care", "認知症・BPSD", S.DEMENTIA),
    ("interprofessional_communication", "多職種連携", S.CROSS_CUTTING),
    ("information_sharing_tools", "情報共有ツール", S.CROSS_CUTTING),
    ("insurance_and_welfare_systems", "制度・費用", S.CROSS_CUTTING),
    ("family_caregiver_burden", "介護負担", S.DAILY_CARE),
    ("social_vulnerability", "独居・困窮・権利擁護", S.CROSS_CUTTING),
    ("pediatric_medical_care", "医療的ケア児", S.DAILY_CARE),
    ("infection_control", "感染対策", S.INFECTION),
    ("disaster_preparedness", "災害への備え", S.DISASTER),
    ("resource_information_request", "資源情報の照会", S.CROSS_CUTTING),
    ("training_or_lecture_request", "研修・講師依頼", S.CROSS_CUTTING),
    ("complaint_or_conflict", "苦情・トラブル", S.CROSS_CUTTING),
    ("other", "その他", S.CROSS_CUTTING),
]
ConsultationCategory = Labelled("ConsultationCategory", {v.upper(): (v, label) for v, label, _ in _CATEGORIES})
CATEGORY_SCENE = {ConsultationCategory(v): scene for v, _, scene in _CATEGORIES}


class ResponseType(Labelled):
    LISTENING_ONLY = "listening_only", "傾聴"
    INFORMATION_PROVISION = "information_provision", "情報提供・助言"
    RESOURCE_REFERRAL = "resource_referral", "関係機関の紹介"
    LIAISON_COORDINATION = "liaison_coordination", "連絡調整"
    PHYSICIAN_MATCHING = "physician_matching", "在宅医マッチング"
    ACCOMPANIED_VISIT = "accompanied_visit", "同行訪問"
    CONFERENCE_SUPPORT = "conference_support", "カンファレンス支援"
    HANDOVER_TO_OTHER_DESK = "handover_to_other_desk", "他窓口への引継ぎ"
    EXPERT_ADVICE = "expert_advice", "専門的助言依頼"
    FOLLOW_UP_CONTACT = "follow_up_contact", "経過確認"
    ISSUE_ESCALATION = "issue_escalation", "協議の場へ課題提起"
    OTHER = "other", "その他"


class ConsultationStatus(Labelled):
    RECEIVED = "received", "受付"
    IN_PROGRESS = "in_progress", "対応中"
    WAITING_EXTERNAL = "waiting_external", "先方回答待ち"
    FOLLOW_UP = "follow_up", "フォロー中"
    CLOSED = "closed", "終結"


class Outcome(Labelled):
    RESOLVED = "resolved", "解決"
    PARTIALLY_RESOLVED = "partially_resolved", "一部解決"
    REFERRED = "referred", "他機関へ引継ぎ"
    UNRESOLVED_NO_RESOURCE = "unresolved_no_resource", "未解決（資源不足）"
    UNRESOLVED_OTHER = "unresolved_other", "未解決（その他）"
    WITHDRAWN = "withdrawn", "取下げ・連絡不通"


UNRESOLVED_OUTCOMES = (Outcome.UNRESOLVED_NO_RESOURCE, Outcome.UNRESOLVED_OTHER)


class AgeBand(Labelled):
    AGE_0_17 = "age_0_17", "0〜17歳"
    AGE_18_39 = "age_18_39", "18〜39歳"
    AGE_40_64 = "age_40_64", "40〜64歳"
    AGE_65_74 = "age_65_74", "65〜74歳"
    AGE_75_84 = "age_75_84", "75〜84歳"
    AGE_85_94 = "age_85_94", "85〜94歳"
    AGE_95_PLUS = "age_95_plus", "95歳以上"
    UNKNOWN = "unknown", "不明"


class CareLevel(Labelled):
    NOT_APPLIED = "not_applied", "未申請"
    APPLYING = "applying", "申請中"
    NOT_ELIGIBLE = "not_eligible", "非該当"
    PROGRAM_ELIGIBLE = "program_eligible", "事業対象者"
    SUPPORT_1 = "support_1", "要支援1"
    SUPPORT_2 = "support_2", "要支援2"
    CARE_1 = "care_1", "要介護1"
    CARE_2 = "care_2", "要介護2"
    CARE_3 = "care_3", "要介護3"
    CARE_4 = "care_4", "要介護4"
    CARE_5 = "care_5", "要介護5"
    UNKNOWN = "unknown", "不明"


class LivingSituation(Labelled):
    ALONE = "alone", "独居"
    ELDERLY_ONLY = "elderly_only", "高齢者のみ世帯"
    WITH_FAMILY = "with_family", "同居家族あり"
    IN_FACILITY = "in_facility", "施設・住まい入居"
    IN_HOSPITAL = "in_hospital", "入院中"
    UNKNOWN = "unknown", "不明"


class SubjectFlag(Labelled):
    MEDICAL_CARE_CHILD = "medical_care_child", "医療的ケア児"
    VENTILATOR = "ventilator", "人工呼吸器"
    HOME_OXYGEN = "home_oxygen", "在宅酸素"
    TERMINAL_CANCER = "terminal_cancer", "がん末期"
    DEMENTIA = "dementia", "認知症"
    INTRACTABLE_DISEASE = "intractable_disease", "難病"
    DISABILITY = "disability", "障害"


class Role(Labelled):
    ADMIN = "admin", "管理者"
    PREFECTURE_ANALYST = "prefecture_analyst", "都道府県担当者"
    HUB_MANAGER = "hub_manager", "拠点管理者"
    COORDINATOR = "coordinator", "コーディネーター"
    FACILITY_CONTACT = "facility_contact", "事業所担当者"


class RegionalIssueStatus(Labelled):
    CANDIDATE = "candidate", "候補"
    CONFIRMED = "confirmed", "確認済み"
    ON_AGENDA = "on_agenda", "協議予定"
    ADDRESSED = "addressed", "対応済み"
    DISMISSED = "dismissed", "対象外"


class ContactKind(Labelled):
    """How a consultation counts in the desk report: 初回 and 継続 are about a person (実人数), 一般相談 is not."""

    FIRST = "first", "初回"
    CONTINUING = "continuing", "継続"
    GENERAL = "general", "一般相談"


REVIEWED_ISSUE_STATUSES = frozenset(s for s in RegionalIssueStatus if s is not RegionalIssueStatus.CANDIDATE)


def mask_of(members) -> int:
    """A set of enum members as a bit mask (bit = position in the enum); filters become `mask & m`."""
    order = {m: i for i, m in enumerate(type(next(iter(members))))} if members else {}
    return sum(1 << order[m] for m in set(members))


def members_of(enum_cls, mask: int) -> list:
    return [m for i, m in enumerate(enum_cls) if mask >> i & 1]
