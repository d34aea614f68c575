"""The navigation of each role: one list per role, in the order a person works. A page not built yet
is listed with `ready=False`: its route answers a placeholder page that says so (pages/placeholders.py).
Adding a page: docs/web.md."""

from dataclasses import dataclass

from backend.taxonomy import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    ready: bool = True


COORDINATOR = [   # マイ案件 first: a desk's day starts with the follow-ups due today
    NavItem("マイ案件", "/consultations"),
    NavItem("受付", "/intake"),
    NavItem("検索", "/search"),
    NavItem("資源検索", "/resources"),
]
HUB_MANAGER = [
    NavItem("マイ案件", "/consultations"),
    NavItem("検索", "/search"),
    NavItem("地域課題ボード", "/issues"),
    NavItem("協議の場", "/meetings"),
    NavItem("メンバー", "/members"),
    NavItem("資源検索", "/resources"),
    NavItem("資源の不足", "/unmet-needs"),
    NavItem("実績報告", "/desk-report"),
]
PREFECTURE_ANALYST = [
    NavItem("ダッシュボード", "/dashboard"),
    NavItem("報告書", "/reports"),
]
ADMIN = [
    NavItem("利用者", "/admin/people"),
    NavItem("圏域・拠点", "/admin/areas"),
    NavItem("APIトークン", "/admin/tokens"),
    NavItem("監査ログ", "/admin/audit"),
    NavItem("資源の名寄せ", "/admin/resources/crosswalk"),
]
FACILITY_CONTACT = [
    NavItem("自事業所の情報", "/my-service"),
]
BY_ROLE = {Role.COORDINATOR: COORDINATOR, Role.HUB_MANAGER: HUB_MANAGER,
           Role.PREFECTURE_ANALYST: PREFECTURE_ANALYST, Role.ADMIN: ADMIN,
           Role.FACILITY_CONTACT: FACILITY_CONTACT}


def for_role(role: Role) -> list[NavItem]:
    return BY_ROLE.get(role, [])


def home_of(role: Role) -> str:
    """Where a person lands after log-in: the first page of their navigation that is built."""
    return next((item.path for item in for_role(role) if item.ready), "/account")


def placeholders() -> dict[str, str]:
    """Path → label of every page listed but not built yet."""
    return {item.path: item.label for items in BY_ROLE.values() for item in items if not item.ready}
