"""The desk report (相談窓口の実績報告): what a hub's desk did in a month, a quarter or a fiscal year, beside
the same period of the previous year. Counts only — never a consultation's text.

One computation (`collect`: two statements, then plain Python over the rows) gives the exact figures;
`publish` turns them into tables, either internal (exact, for the municipality that runs the desk) or public
(the prefecture's small-cell rule from `reports/suppression.py`). How each figure is counted:
docs/desk_report.md."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.consultations.models import Action, Consultation
from backend.errors import UserInputError
from backend.fiscal import day_start_utc, fiscal_months, fiscal_year_label, month_key
from backend.regions import codes
from backend.regions.models import Area, AreaMunicipality, Hub
from backend.taxonomies import service as taxonomies
from backend.reports.suppression import Cell, Equation, one_way, suppress
from backend.taxonomy import (CallerRole, CareScene, Channel, ConsultationCategory, OrganizationType, Outcome,
                              ResponseType, members_of)

KINDS = ("month", "quarter", "fiscal_year")
UNCLASSIFIED = "unclassified"
OPEN = "open"                   # not closed yet: its own part of the outcome table


@dataclass(frozen=True)
class Period:
    kind: str                   # month, quarter, fiscal_year
    fiscal_year: int
    index: int = 0              # the month (1–12) or the quarter (1–4); 0 for the fiscal year

    @classmethod
    def parse(cls, kind: str, fiscal_year: int, index: int | None, field_: list[str] | None = None) -> "Period":
        f = field_ or ["period"]
        if kind not in KINDS:
            raise UserInputError(f + ["kind"], "期間は月・四半期・年度のいずれかで指定してください。", "INVALID")
        if not 2015 <= fiscal_year <= 2100:
            raise UserInputError(f + ["fiscalYear"], "年度が範囲外です。", "OUT_OF_RANGE")
        if kind == "month" and not (index and 1 <= index <= 12):
            raise UserInputError(f + ["index"], "月は1〜12で指定してください。", "OUT_OF_RANGE")
        if kind == "quarter" and not (index and 1 <= index <= 4):
            raise UserInputError(f + ["index"], "四半期は1〜4で指定してください。", "OUT_OF_RANGE")
        return cls(kind, fiscal_year, 0 if kind == "fiscal_year" else int(index or 0))

    @property
    def months(self) -> list[str]:
        """The period's months, "2025-04" …, in order."""
        months = fiscal_months(self.fiscal_year)
        if self.kind == "month":
            return [m for m in months if int(m[5:]) == self.index]
        if self.kind == "quarter":
            return months[(self.index - 1) * 3: self.index * 3]
        return months

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        first, last = self.months[0], self.months[-1]
        end_year, end_month = int(last[:4]) + (last[5:] == "12"), int(last[5:]) % 12 + 1
        return (day_start_utc(date(int(first[:4]), int(first[5:]), 1)),
                day_start_utc(date(end_year, end_month, 1)))

    def previous_year(self) -> "Period":
        return Period(self.kind, self.fiscal_year - 1, self.index)

    @property
    def label(self) -> str:
        year = fiscal_year_label(self.fiscal_year)
        if self.kind == "fiscal_year":
            return year
        if self.kind == "quarter":
            first, last = self.months[0], self.months[-1]
            return f"{year} 第{self.index}四半期（{int(first[5:])}〜{int(last[5:])}月）"
        m = self.months[0]
        return f"{int(m[:4])}年{int(m[5:])}月（{_reiwa(int(m[:4]))}{int(m[5:])}月）"

    @property
    def slug(self) -> str:
        return {"fiscal_year": f"{self.fiscal_year}", "quarter": f"{self.fiscal_year}-q{self.index}",
                "month": self.months[0]}[self.kind]


def _reiwa(year: int) -> str:
    r = year - 2018
    return f"令和{'元' if r == 1 else r}年"


@dataclass
class Figures:
    """The exact counts of one period (nothing suppressed)."""

    consultations: int = 0                                         # 延べ件数
    persons: int = 0                                               # 実人数
    first: int = 0                                                 # 初回
    continuing: int = 0                                            # 継続
    general: int = 0                                               # 一般相談
    minutes: int = 0
    timed: int = 0                                                 # consultations with minutes recorded
    by: dict[str, Counter] = field(default_factory=dict)           # dimension → value → count
    months: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # month → (延べ, 実人数, minutes)


SINGLE = ("caller_role", "channel", "scene", "outcome", "municipality")   # one answer each: parts add up
MULTI = ("category", "response", "partner")                               # multiple answers: shares


async def collect(session: AsyncSession, *, hub_id: int, period: Period) -> Figures:
    """The period's exact figures: one read of its consultations, one of their actions."""
    start, end = period.bounds
    rows = (await session.execute(
        select(Consultation.id, Consultation.received_at, Consultation.person_id, Consultation.general_inquiry,
               Consultation.continuing, Consultation.caller_role, Consultation.channel, Consultation.primary_scene,
               Consultation.categories_mask, Consultation.status, Consultation.outcome, Consultation.municipality_code)
        .where(Consultation.hub_id == hub_id, Consultation.received_at >= start, Consultation.received_at < end))).all()
    actions = (await session.execute(
        select(Action.consultation_id, Action.type, Action.minutes, Action.partners_mask)
        .join(Consultation, Consultation.id == Action.consultation_id)
        .where(Consultation.hub_id == hub_id, Consultation.received_at >= start, Consultation.received_at < end))).all()
    return tally(rows, actions, period)


def tally(rows, actions, period: Period) -> Figures:
    """Pure: the figures from the rows (the property tests and the benchmark drive it directly)."""
    f = Figures(by={d: Counter() for d in (*SINGLE, *MULTI)})
    minutes: Counter = Counter()
    responses: dict[int, set[str]] = {}
    partners: dict[int, int] = {}
    for cid, kind, spent, mask in actions:
        responses.setdefault(cid, set()).add(kind)
        if mask:
            partners[cid] = partners.get(cid, 0) | mask
        if spent is not None:
            minutes[cid] += spent
    persons: set[int] = set()
    month_rows: dict[str, list] = {m: [] for m in period.months}
    for r in rows:
        f.consultations += 1
        if r.general_inquiry or r.person_id is None:
            f.general += 1
        else:
            persons.add(r.person_id)
            f.continuing += bool(r.continuing)
            f.first += not r.continuing
        f.by["caller_role"][r.caller_role] += 1
        f.by["channel"][r.channel] += 1
        f.by["scene"][r.primary_scene or UNCLASSIFIED] += 1
        f.by["outcome"][r.outcome if r.status == "closed" and r.outcome else OPEN] += 1
        f.by["municipality"][r.municipality_code] += 1
        for c in members_of(ConsultationCategory, r.categories_mask or 0):
            f.by["category"][c.value] += 1
        for kind in responses.get(r.id, ()):
            f.by["response"][kind] += 1
        for o in members_of(OrganizationType, partners.get(r.id, 0)):
            f.by["partner"][o.value] += 1
        if r.id in minutes:
            f.timed += 1
            f.minutes += minutes[r.id]
        month_rows.setdefault(month_key(r.received_at), []).append(r)
    f.persons = len(persons)
    for m, group in month_rows.items():
        if m in period.months:
            f.months[m] = (len(group), len({r.person_id for r in group if r.person_id is not None
                                            and not r.general_inquiry}), sum(minutes.get(r.id, 0) for r in group))
    return f


# --- tables ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    key: str
    label: str
    current: Cell
    previous: Cell
    current_share: float | None = None      # of 延べ件数 (multiple answers: shares add up to more than 1)
    previous_share: float | None = None


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: list[Row]
    multiple: bool = False                  # 複数回答
    unit: str = "件"


@dataclass(frozen=True)
class DeskReport:
    hub_name: str
    period: Period
    public: bool
    threshold: int
    tables: list[Table]

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def previous_label(self) -> str:
        return self.period.previous_year().label

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def _labels(kind: str, area_codes: list[str], seen: set[str], adapted: dict | None = None) -> list[tuple[str, str]]:
    """The values a table lists, with their Japanese labels (every value of the taxonomy, so periods
    compare row by row). An adapted list (categories, responses) gives its own labels and order; its retired
    values are listed only where a count has them."""
    if adapted and kind in adapted:
        return [(t.key, t.label) for t in adapted[kind] if not t.retired or t.key in seen]
    enums = {"caller_role": CallerRole, "channel": Channel, "category": ConsultationCategory,
             "response": ResponseType, "partner": OrganizationType}
    if kind in enums:
        return [(m.value, m.label) for m in enums[kind]]
    if kind == "scene":
        return [(s.value, s.label) for s in CareScene] + [(UNCLASSIFIED, "未分類（場面の記録なし）")]
    if kind == "outcome":
        return [(o.value, o.label) for o in Outcome] + [(OPEN, "対応中（未終結）")]
    # municipalities: the area's, then any other a call came from
    names = []
    for code in [*area_codes, *sorted(seen - set(area_codes))]:
        m = codes.lookup(code)
        names.append((code, m.name if m else code))
    return names


TITLES = {"caller_role": "相談者別", "channel": "相談方法別", "scene": "場面別（主な場面）", "category": "相談内容別",
          "response": "対応内容別", "outcome": "対応結果別", "partner": "連携先別", "municipality": "市町村別"}


def _cells(values: dict, equations: list[Equation], public: bool, k: int) -> dict:
    if not public:
        return {key: Cell.shown(n) for key, n in values.items()}
    return suppress(values, equations, k)


def _system(f: Figures, area_codes: list[str], adapted: dict | None = None) -> tuple[dict, list[Equation]]:
    """Every count of one period as cells, with the equations a reader could use against them."""
    values: dict = {"consultations": f.consultations, "persons": f.persons, "first": f.first,
                    "continuing": f.continuing, "general": f.general, "timed": f.timed}
    equations = [Equation("consultations", ("first", "continuing", "general"))]
    for dim in SINGLE:
        parts = {(dim, v): f.by[dim].get(v, 0) for v, _ in _labels(dim, area_codes, set(f.by[dim]))}
        v, eqs = one_way("consultations", parts, total=f.consultations)
        values.update({key: n for key, n in v.items() if key != "consultations"})
        equations += eqs
    for dim in MULTI:   # multiple answers: no equation ties them to the total, each cell stands alone
        values.update({(dim, v): f.by[dim].get(v, 0) for v, _ in _labels(dim, area_codes, set(f.by[dim]), adapted)})
    values.update({("month", m): n for m, (n, _, _) in f.months.items()})
    values.update({("month_persons", m): p for m, (_, p, _) in f.months.items()})
    equations.append(Equation("consultations", tuple(("month", m) for m in f.months)))
    return values, equations


def publish(current: Figures, previous: Figures, *, hub_name: str, period: Period, area_codes: list[str],
            public: bool, threshold: int, adapted: dict | None = None) -> DeskReport:
    """The tables of both periods; public hides small cells (each period its own system of equations).
    `adapted`: table → the taxonomy terms in force for the period (taxonomies.service.in_force)."""
    seen_all = {d: set(current.by[d]) | set(previous.by[d]) for d in MULTI}
    cur_values, cur_eqs = _system(current, area_codes, _with_seen(adapted, seen_all))
    prev_values, prev_eqs = _system(previous, area_codes, _with_seen(adapted, seen_all))
    cur = _cells(cur_values, cur_eqs, public, threshold)
    prev = _cells(prev_values, prev_eqs, public, threshold)
    zero = Cell.shown(0)

    def share(cells: dict, key, total: Cell) -> float | None:
        c = cells.get(key, zero)
        if c.suppressed or total.suppressed or not total.count:
            return None
        return round(c.count / total.count, 3)

    totals = (cur["consultations"], prev["consultations"])
    summary = Table("summary", "延べ件数と実人数", [
        Row(k, label, cur[k], prev[k]) for k, label in
        [("consultations", "延べ件数（相談件数）"), ("persons", "実人数（相談の対象となった方）"),
         ("first", "うち初回"), ("continuing", "うち継続"), ("general", "うち一般相談（特定の方についてでない相談）")]],
        unit="件・人")
    tables = [summary]
    for dim in ("caller_role", "channel", "scene", "category", "response", "outcome", "partner", "municipality"):
        seen = set(current.by[dim]) | set(previous.by[dim])
        rows = [Row(v, label, cur.get((dim, v), zero), prev.get((dim, v), zero),
                    share(cur, (dim, v), totals[0]), share(prev, (dim, v), totals[1]))
                for v, label in _labels(dim, area_codes, seen, adapted)]
        tables.append(Table(dim, TITLES[dim], rows, multiple=dim in MULTI))
    months = [Row(m, f"{int(m[:4])}年{int(m[5:])}月", cur.get(("month", m), zero),
                  prev.get(("month", f"{int(m[:4]) - 1}{m[4:]}"), zero)) for m in period.months]
    tables.append(Table("month", "月別の延べ件数", months))
    month_persons = [Row(m, f"{int(m[:4])}年{int(m[5:])}月", cur.get(("month_persons", m), zero),
                         prev.get(("month_persons", f"{int(m[:4]) - 1}{m[4:]}"), zero)) for m in period.months]
    tables.append(Table("month_persons", "月別の実人数", month_persons, unit="人"))
    tables.append(_time_table(current, previous, cur, prev, period))
    return DeskReport(hub_name=hub_name, period=period, public=public, threshold=threshold, tables=tables)


def _with_seen(adapted: dict | None, seen: dict) -> dict | None:
    """Both periods list the same rows: a retired value seen in either period is in both systems."""
    if not adapted:
        return None
    return {k: [t for t in terms if not t.retired or t.key in seen.get(k, set())] for k, terms in adapted.items()}


def _time_table(current: Figures, previous: Figures, cur: dict, prev: dict, period: Period) -> Table:
    """Minutes are a workload measure, not a count of people; per consultation needs a shown 延べ件数."""
    def per(f: Figures, cells: dict) -> Cell:
        total = cells["consultations"]
        if total.suppressed or not f.consultations:
            return Cell(None, total.suppressed)
        return Cell.shown(round(f.minutes / f.consultations))
    rows = [Row("minutes", "対応時間の合計（分）", Cell.shown(current.minutes), Cell.shown(previous.minutes)),
            Row("per_consultation", "1件あたりの対応時間（分）", per(current, cur), per(previous, prev)),
            Row("timed", "対応時間の記録がある相談", cur["timed"], prev["timed"])]
    rows += [Row(f"minutes:{m}", f"{int(m[:4])}年{int(m[5:])}月の対応時間（分）", Cell.shown(current.months[m][2]),
                 Cell.shown(previous.months.get(f"{int(m[:4]) - 1}{m[4:]}", (0, 0, 0))[2]))
             for m in period.months] if period.kind != "month" else []
    return Table("time", "対応時間", rows, unit="分")


async def build(session: AsyncSession, *, hub_id: int, period: Period, public: bool, threshold: int) -> DeskReport:
    """Both periods collected once; the caller has checked the actor's scope."""
    hub = await session.get(Hub, hub_id)
    area_codes = list(await session.scalars(select(AreaMunicipality.municipality_code)
                                            .where(AreaMunicipality.area_id == hub.area_id)
                                            .order_by(AreaMunicipality.municipality_code)))
    current = await collect(session, hub_id=hub_id, period=period)
    previous = await collect(session, hub_id=hub_id, period=period.previous_year())
    prefecture = await session.scalar(select(Area.prefecture_code).where(Area.id == hub.area_id))
    first = period.months[0]
    on = date(int(first[:4]), int(first[5:]), 1)
    adapted = {table: await taxonomies.in_force(session, kind=kind, on=on, prefecture_code=prefecture)
               for table, kind in (("category", "category"), ("response", "response_type"))}
    return publish(current, previous, hub_name=hub.name, period=period, area_codes=area_codes, public=public,
                   threshold=threshold, adapted=adapted)


def both(current: Figures, previous: Figures, **kw) -> tuple[DeskReport, DeskReport]:
    """Internal and public from the same figures (they agree wherever no cell is hidden)."""
    return publish(current, previous, public=False, **kw), publish(current, previous, public=True, **kw)

