"""Helpers of the analyst's and admin's page tests: a prefecture of the test's own with consultations, and the
tables of a page as a person reads them (text shown on screen: no screen-reader-only text, no drawn bars)."""

import itertools
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from sqlalchemy import select

from backend.consultations import service as consultations
from backend.db import transaction
from backend.fiscal import fiscal_year_of
from backend.regions import codes
from backend.regions.models import Area
from backend.text.normalize import normalize
from tests.conftest import make_world

FY = 2025
SECRET = "山田花子さん（昭和10年1月2日生）の退院調整 090-1234-5678"
# the suite's data is shared by every test of a session: each test takes a prefecture of its own
PREFECTURES = [code for code in codes.prefecture_names() if code not in ("13", "15", "24", "47")]
_seq = itertools.count()


def municipalities(prefecture_code: str) -> list[str]:
    return [m.code for m in codes.load_municipalities() if m.prefecture_code == prefecture_code]


async def unused_prefecture(sessions) -> str:
    async with sessions() as s:
        used = set(await s.scalars(select(Area.prefecture_code).distinct()))
    return next(code for code in reversed(PREFECTURES) if code not in used)


async def prefecture_world(sessions):
    code = await unused_prefecture(sessions)
    return await make_world(sessions, prefecture_code=code, municipality_codes=(municipalities(code)[0],))


async def seed(sessions, world, counts: dict, *, received: datetime | None = None, closed_as: str | None = None):
    """counts: (primary scene or None, caller role) → how many consultations, each with a secret-laden note."""
    received = received or datetime(FY, 6, 15, 3, tzinfo=UTC)
    rows = [dict(hub_id=world.hub_id, municipality_code=world.municipality_code, idempotency_key=f"web-{next(_seq)}",
                 received_at=received, fiscal_year=fiscal_year_of(received), channel="phone", caller_role=role,
                 summary=SECRET, search_text=normalize(SECRET), primary_scene=scene, scenes_mask=0,
                 scenes_confirmed=True, suggested_scenes=[], categories_mask=0, subject_flags_mask=0,
                 status="closed" if closed_as else "received", outcome=closed_as,
                 closed_at=received + timedelta(days=3) if closed_as else None, version=1,
                 created_by_id=world.coordinator_id, assignee_id=world.coordinator_id, created_at=received,
                 updated_at=received)
            for (scene, role), n in counts.items() for _ in range(n)]
    async with transaction(sessions) as s:
        await consultations.insert_many(s, rows)


class _Tables(HTMLParser):
    """Every <table> of a page: its labelling id (aria-labelledby) → rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.kpis: dict[str, str] = {}
        self._table: list[list[str]] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._hidden = 0         # depth inside screen-reader-only or aria-hidden elements
        self._stack: list[bool] = []
        self._dt: list[str] | None = None
        self._dd: list[str] | None = None
        self._last_dt = ""

    VOID = frozenset({"br", "input", "img", "meta", "link", "hr"})

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.VOID:
            return
        hides = "visually-hidden" in (a.get("class") or "").split() or a.get("aria-hidden") == "true"
        self._stack.append(hides)
        self._hidden += hides
        if tag == "table":
            self._table = []
            self.tables[a.get("aria-labelledby") or f"table-{len(self.tables)}"] = self._table
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "dt":
            self._dt = []
        elif tag == "dd":
            self._dd = []

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self._stack:
            self._hidden -= self._stack.pop()
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "dt" and self._dt is not None:
            self._last_dt, self._dt = "".join(self._dt).strip(), None
        elif tag == "dd" and self._dd is not None:
            self.kpis[self._last_dt] = "".join(self._dd).strip()
            self._dd = None

    def handle_data(self, data):
        if self._hidden:
            return
        for sink in (self._cell, self._dt, self._dd):
            if sink is not None:
                sink.append(data)


def tables_of(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


def shown(cell: dict) -> str:
    """How the page must show an API count: the number, or ＊ where the API suppressed it."""
    return "＊" if cell["suppressed"] or cell["count"] is None else f"{cell['count']:,}"
