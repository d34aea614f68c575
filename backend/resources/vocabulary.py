"""The directory's fixed vocabularies (English keys stored, Japanese labels shown). The capability
taxonomy itself is data (capabilities.toml), because a prefecture extends it without a release."""

from backend.taxonomy import Labelled


class ServiceKind(Labelled):
    HOSPITAL = "hospital", "病院"
    CLINIC = "clinic", "診療所"
    DENTAL_CLINIC = "dental_clinic", "歯科診療所"
    PHARMACY = "pharmacy", "薬局"
    VISITING_NURSE = "visiting_nurse", "訪問看護"
    HOME_HELP = "home_help", "訪問介護"
    HOME_BATHING = "home_bathing", "訪問入浴介護"
    HOME_REHAB = "home_rehab", "訪問リハビリテーション"
    PERIODIC_VISIT = "periodic_visit", "定期巡回・随時対応型訪問介護看護"
    NIGHT_HOME_HELP = "night_home_help", "夜間対応型訪問介護"
    NURSING_SMALL_MULTI = "nursing_small_multi", "看護小規模多機能型居宅介護"
    SMALL_MULTI = "small_multi", "小規模多機能型居宅介護"
    DAY_CARE = "day_care", "通所介護"
    DAY_REHAB = "day_rehab", "通所リハビリテーション"
    SHORT_STAY = "short_stay", "短期入所生活介護"
    SHORT_STAY_MEDICAL = "short_stay_medical", "短期入所療養介護"
    CARE_MANAGEMENT = "care_management", "居宅介護支援"
    GROUP_HOME = "group_home", "認知症対応型共同生活介護"
    SPECIAL_NURSING_HOME = "special_nursing_home", "介護老人福祉施設"
    GERIATRIC_HEALTH_FACILITY = "geriatric_health_facility", "介護老人保健施設"
    INTEGRATED_CARE_FACILITY = "integrated_care_facility", "介護医療院"
    SPECIFIED_FACILITY = "specified_facility", "特定施設入居者生活介護"
    WELFARE_EQUIPMENT = "welfare_equipment", "福祉用具"
    OTHER_CARE = "other_care", "その他の介護サービス"


MEDICAL_KINDS = frozenset({ServiceKind.HOSPITAL, ServiceKind.CLINIC, ServiceKind.DENTAL_CLINIC, ServiceKind.PHARMACY})

# 介護サービス情報公表's サービスの種類 → kind; the first pattern found in the text wins, so longer names come first
CARE_TYPE_PATTERNS: list[tuple[str, ServiceKind]] = [
    ("看護小規模多機能", ServiceKind.NURSING_SMALL_MULTI),
    ("複合型サービス", ServiceKind.NURSING_SMALL_MULTI),
    ("小規模多機能", ServiceKind.SMALL_MULTI),
    ("定期巡回", ServiceKind.PERIODIC_VISIT),
    ("夜間対応型訪問介護", ServiceKind.NIGHT_HOME_HELP),
    ("訪問看護", ServiceKind.VISITING_NURSE),
    ("訪問入浴", ServiceKind.HOME_BATHING),
    ("訪問リハ", ServiceKind.HOME_REHAB),
    ("訪問介護", ServiceKind.HOME_HELP),
    ("通所リハ", ServiceKind.DAY_REHAB),
    ("通所介護", ServiceKind.DAY_CARE),
    ("短期入所療養介護", ServiceKind.SHORT_STAY_MEDICAL),
    ("短期入所生活介護", ServiceKind.SHORT_STAY),
    ("居宅介護支援", ServiceKind.CARE_MANAGEMENT),
    ("認知症対応型共同生活介護", ServiceKind.GROUP_HOME),
    ("介護老人福祉施設", ServiceKind.SPECIAL_NURSING_HOME),
    ("介護老人保健施設", ServiceKind.GERIATRIC_HEALTH_FACILITY),
    ("介護医療院", ServiceKind.INTEGRATED_CARE_FACILITY),
    ("特定施設入居者生活介護", ServiceKind.SPECIFIED_FACILITY),
    ("福祉用具", ServiceKind.WELFARE_EQUIPMENT),
]


def care_kind(service_type: str) -> ServiceKind:
    for pattern, kind in CARE_TYPE_PATTERNS:
        if pattern in service_type:
            return kind
    return ServiceKind.OTHER_CARE


class CapabilityValue(Labelled):
    YES = "yes", "可"
    CONSULT = "consult", "要相談"
    NO = "no", "不可"
    UNKNOWN = "unknown", "不明"


class CapabilitySource(Labelled):
    NOTIFICATION = "notification", "届出"
    PUBLISHED = "published", "公表"
    SELF_REPORTED = "self_reported", "事業所申告"
    DESK_VERIFIED = "desk_verified", "デスク確認"


class CapacityUnit(Labelled):
    BED = "bed", "床"
    SLOT = "slot", "枠"
    CASE = "case", "件"


class ServiceStatus(Labelled):
    """HSDS service.status."""

    ACTIVE = "active", "運営中"
    INACTIVE = "inactive", "休止中"
    DEFUNCT = "defunct", "廃止"
    TEMPORARILY_CLOSED = "temporarily closed", "一時休業"


class ReferralOutcome(Labelled):
    ACCEPTED = "accepted", "受入れ可"
    DECLINED = "declined", "受入れ不可"


class DeclineReason(Labelled):
    NO_VACANCY = "no_vacancy", "空きなし"
    OUT_OF_AREA = "out_of_area", "対応地域外"
    PROCEDURE_UNSUPPORTED = "procedure_unsupported", "処置に対応不可"
    NO_CHILDREN = "no_children", "小児不可"
    NO_NIGHTS = "no_nights", "夜間不可"
    OTHER = "other", "その他"


class CorrectionStatus(Labelled):
    OPEN = "open", "未対応"
    RESOLVED = "resolved", "修正済み"
    DISMISSED = "dismissed", "対応不要"


class VerificationChannel(Labelled):
    PHONE = "phone", "電話"
    FAX = "fax", "FAX"
    EMAIL = "email", "メール"
    VISIT = "visit", "訪問"
    DOCUMENT = "document", "文書"
    OTHER = "other", "その他"


class MatchMethod(Labelled):
    """How an outside identifier came to point at a directory entry (the crosswalk)."""

    CREATED = "created", "この識別子から作成"
    CODE = "code", "コード一致"
    PHONE = "phone", "電話番号一致"
    NAME_MUNICIPALITY = "name_municipality", "名称＋市町村一致"
    ADMIN = "admin", "管理者が指定"


class Staleness(Labelled):
    FRESH = "fresh", "最近確認"          # confirmed within 90 days
    AGING = "aging", "確認から時間経過"   # within a year
    STALE = "stale", "要再確認"          # more than a year ago
    NEVER = "never", "未確認"


class IdentifierScheme(Labelled):
    KAIGO_OFFICE = "kaigo_office", "介護保険事業所番号"
    NAVII = "navii", "医療情報ネットID"
    MEDICAL_INSTITUTION = "medical_institution", "医療機関コード"
    MANUAL = "manual", "手入力"
