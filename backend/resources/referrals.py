"""Referrals close the loop: an action on a consultation names the services contacted, each accepted or
declined with a reason. A consultation whose services of one kind all declined is an unmet need; by
area, kind and the capabilities the patient needed, these are the signals a hub raises as a regional
issue and a prefecture reads (suppressed like every count an analyst sees)."""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.errors import NotFound, UserInputError
from backend.fiscal import fiscal_year_label, fiscal_year_of, require_fiscal_year, today_jst
from backend.regions.models import Area, Hub
from backend.reports.suppression import Cell, suppress
from backend.resources import capabilities as taxonomy
from backend.resources import directory
from backend.resources.models import ResourceReferral
from backend.consultations.domain import ReferralItem
from backend.resources.vocabulary import DeclineReason, ReferralOutcome, ServiceKind
from backend.taxonomy import CareScene

MAX_REFERRALS = 20
# a reason that itself says what was missing
IMPLIED_NEEDS = {DeclineReason.NO_CHILDREN.value: "pediatric", DeclineReason.NO_NIGHTS.value: "night_holiday"}


async def record(session: AsyncSession, *, actor: Actor, consultation_id: int, hub_id: int, fiscal_year: int,
                 action_id: int, items: Sequence[ReferralItem], needs: Sequence[str] | None) -> list[ResourceReferral]:
    """Called by the consultation's own service inside its transaction (the consultation is already in
    the actor's scope and locked)."""
    f = ["input"]
    if not items:
        if needs:
            raise UserInputError(f + ["neededCapabilities"], "必要な対応は連絡した先（referrals）と一緒に記録してください。",
                                 "REQUIRED")
        return []
    if not policy.records_referrals(actor):
        raise NotFound(f + ["consultationId"], "相談")
    if len(items) > MAX_REFERRALS:
        raise UserInputError(f + ["referrals"], f"一度に記録できる連絡先は{MAX_REFERRALS}件までです。", "TOO_MANY")
    wanted = [c.key for c in taxonomy.parse_keys(needs, f + ["neededCapabilities"])]
    area_id = await session.scalar(select(Hub.area_id).where(Hub.id == hub_id))
    rows, seen = [], set()
    for i, item in enumerate(items):
        path = f + ["referrals", str(i)]
        service = await directory.require_visible(session, actor=actor, service_id=item.service_id,
                                                  field=path + ["serviceId"])
        if service.id in seen:
            raise UserInputError(path + ["serviceId"], "同じ連絡先が2回指定されています。", "DUPLICATE")
        seen.add(service.id)
        if item.outcome is ReferralOutcome.DECLINED and item.decline_reason is None:
            raise UserInputError(path + ["declineReason"], "受入れ不可の理由を選んでください。", "REQUIRED")
        if item.outcome is ReferralOutcome.ACCEPTED and item.decline_reason is not None:
            raise UserInputError(path + ["declineReason"], "受入れ可のときは理由を指定しません。", "INCONSISTENT")
        rows.append(ResourceReferral(consultation_id=consultation_id, action_id=action_id, service_id=service.id,
                                     service_kind=service.kind, outcome=item.outcome.value,
                                     decline_reason=item.decline_reason.value if item.decline_reason else None,
                                     needs=wanted, hub_id=hub_id, area_id=area_id, fiscal_year=fiscal_year,
                                     created_by_id=actor.user_id))
    session.add_all(rows)
    await session.flush()
    return rows


async def referrals_for_actions(session: AsyncSession, action_ids: list[int]) -> dict[int, list[ResourceReferral]]:
    out: dict[int, list[ResourceReferral]] = {i: [] for i in action_ids}
    for row in await session.scalars(select(ResourceReferral).where(ResourceReferral.action_id.in_(action_ids))
                                     .order_by(ResourceReferral.id)):
        out[row.action_id].append(row)
    return out


# --- unmet-need signals ----------------------------------------------------------------------------

@dataclass
class Signal:
    key: str
    area_id: int
    area_name: str
    kind: ServiceKind
    needs: list[str]
    fiscal_year: int
    count: Cell
    reasons: dict[str, int]            # decline reason → declines (the hub's desk only; empty for analysts)
    consultation_ids: list[int] = field(default_factory=list)

    @property
    def title(self) -> str:
        labels = [c.label for k in self.needs if (c := taxonomy.taxonomy().get(k))]
        if labels:
            return f"{'・'.join(labels)}を受ける{self.kind.label}がない"
        return f"{self.kind.label}の受入れ先がない"

    @property
    def summary(self) -> str:
        year = "今年度" if self.fiscal_year == fiscal_year_of(today_jst()) else fiscal_year_label(self.fiscal_year)
        count = "件数非表示" if self.count.suppressed else f"{self.count.count}件"
        return f"{self.title}（{self.area_name}、{year}{count}）"

    @property
    def scene(self) -> CareScene:
        if "night_holiday" in self.needs or "contact_24h" in self.needs:
            return CareScene.ACUTE_CHANGE
        if {"end_of_life", "terminal_cancer"} & set(self.needs):
            return CareScene.END_OF_LIFE
        return CareScene.DAILY_CARE


def _in_taxonomy_order(keys) -> list[str]:
    order = {c.key: i for i, c in enumerate(taxonomy.taxonomy().capabilities)}
    return sorted(keys, key=lambda k: (order.get(k, len(order)), k))


def signal_key(area_id: int, kind: str, needs: Sequence[str]) -> str:
    return f"unmet:{area_id}:{kind}:{'+'.join(sorted(needs))}"


async def _signals(session: AsyncSession, *, hub_ids: Sequence[int], fiscal_year: int) -> list[dict]:
    require_fiscal_year(fiscal_year, ["fiscalYear"])
    rows = (await session.execute(
        select(ResourceReferral.consultation_id, ResourceReferral.area_id, ResourceReferral.service_kind,
               ResourceReferral.outcome, ResourceReferral.decline_reason, ResourceReferral.needs)
        .where(ResourceReferral.hub_id.in_(list(hub_ids)), ResourceReferral.fiscal_year == fiscal_year))).all()
    per_case: dict[tuple[int, str], dict] = {}
    for cid, area_id, kind, outcome, reason, needs in rows:
        case = per_case.setdefault((cid, kind), {"area": area_id, "accepted": False, "needs": set(), "reasons": Counter()})
        case["needs"].update(needs or [])
        if outcome == ReferralOutcome.ACCEPTED.value:
            case["accepted"] = True
        elif reason:
            case["reasons"][reason] += 1
            if reason in IMPLIED_NEEDS:
                case["needs"].add(IMPLIED_NEEDS[reason])
    grouped: dict[str, dict] = {}
    for (cid, kind), case in per_case.items():
        if case["accepted"]:
            continue
        needs = _in_taxonomy_order(case["needs"])
        key = signal_key(case["area"], kind, needs)
        g = grouped.setdefault(key, {"area": case["area"], "kind": kind, "needs": needs, "ids": [], "reasons": Counter()})
        g["ids"].append(cid)
        g["reasons"].update(case["reasons"])
    return list(grouped.values())


async def _area_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    return dict((await session.execute(select(Area.id, Area.name).where(Area.id.in_(ids)))).all()) if ids else {}


def _ordered(signals: list[Signal]) -> list[Signal]:
    return sorted(signals, key=lambda s: (-(s.count.count or 0), s.area_id, s.kind.value, s.needs))


async def hub_signals(session: AsyncSession, *, actor: Actor, hub_id: int, fiscal_year: int) -> list[Signal] | None:
    """The hub's own unmet needs, counts as they are: for its desk only (None out of scope)."""
    if not policy.sees_unmet_needs_raw(actor, hub_id):
        return None
    groups = await _signals(session, hub_ids=[hub_id], fiscal_year=fiscal_year)
    names = await _area_names(session, {g["area"] for g in groups})
    return _ordered([Signal(key=signal_key(g["area"], g["kind"], g["needs"]), area_id=g["area"], area_name=names[g["area"]],
                            kind=ServiceKind(g["kind"]), needs=g["needs"], fiscal_year=fiscal_year,
                            count=Cell.shown(len(g["ids"])), reasons=dict(g["reasons"]),
                            consultation_ids=sorted(g["ids"])) for g in groups])


async def prefecture_signals(session: AsyncSession, *, actor: Actor, prefecture_code: str, fiscal_year: int,
                             threshold: int) -> list[Signal] | None:
    """The prefecture's unmet needs by area: titles and counts, a count from 1 to k-1 hidden. No totals
    are published beside them, so no equation could give a hidden count back (a consultation may be in
    several signals, one per kind of service, so the signals do not add up to anything published)."""
    if not policy.reads_prefecture(actor, prefecture_code):
        return None
    hub_ids = list(await session.scalars(select(Hub.id).join(Area, Area.id == Hub.area_id)
                                         .where(Area.prefecture_code == prefecture_code)))
    groups = await _signals(session, hub_ids=hub_ids, fiscal_year=fiscal_year) if hub_ids else []
    names = await _area_names(session, {g["area"] for g in groups})
    keys = {signal_key(g["area"], g["kind"], g["needs"]): g for g in groups}
    cells = suppress({k: len(g["ids"]) for k, g in keys.items()}, [], threshold)
    return _ordered([Signal(key=k, area_id=g["area"], area_name=names[g["area"]], kind=ServiceKind(g["kind"]),
                            needs=g["needs"], fiscal_year=fiscal_year, count=cells[k], reasons={})
                     for k, g in keys.items()])


async def signal_of_hub(session: AsyncSession, *, actor: Actor, hub_id: int, fiscal_year: int, key: str) -> Signal:
    signals = await hub_signals(session, actor=actor, hub_id=hub_id, fiscal_year=fiscal_year)
    found = next((s for s in signals or [] if s.key == key), None)
    if found is None:
        raise NotFound(["key"], "資源不足のシグナル")
    return found


def counts_by_kind(signals: Sequence[Signal]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for s in signals:
        out[s.kind.value] += s.count.count or 0
    return out
