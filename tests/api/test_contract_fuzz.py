"""Every argument of every contract operation, thrown arbitrary strings, dates, integers, ids and cursors
(hypothesis): the answer is never a 5xx, never an unexpected error, and a refused request writes nothing."""

import base64
import json
from pathlib import Path

import pytest
from graphql import (GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, OperationDefinitionNode,
                     build_schema, parse, type_from_ast)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from backend.audit.models import AuditEvent
from backend.consultations.models import Action, Consultation
from backend.issues.models import RegionalIssue
from backend.jobs.models import Job
from backend.meetings.models import HubMeeting, HubMember
from backend.reports.models import PrefectureReport
from tests import clock
from tests.helpers import OPERATIONS, log_input, operation

SCHEMA = build_schema((OPERATIONS.parent / "schema.graphql").read_text(encoding="utf-8"))
WRITTEN = (Consultation, Action, AuditEvent, Job, HubMeeting, HubMember, RegionalIssue, PrefectureReport)
CLIENT = {"coordinator.graphql": "coordinator", "hub.graphql": "manager", "admin.graphql": "admin",
          "prefecture_dashboard.graphql": "analyst", "resources.graphql": "coordinator",
          "desk_report.graphql": "manager"}
# resources.graphql serves several screens: each operation as the role whose screen sends it
CLIENT_OF_OPERATION = {**dict.fromkeys(["ResourceCrosswalk", "ConfirmResourceMatch", "SplitResourceMatch",
                                        "ResourceUnmatched", "PlaceUnmatchedResourceRow", "ResourceSources"], "admin"),
                       "PrefectureUnmetNeeds": "analyst", "HubUnmetNeeds": "manager", "RaiseUnmetNeed": "manager"}

NASTY = ["", " ", "\x00", "a\x00b", "\ud800", "\udfff本", "\r\nBcc: x@example.com", "\u2028", "\x1b[31m", "🙂" * 50,
         "あ" * 2001, "' OR 1=1 --", "%", "_", "\\", "=HYPERLINK(\"http://x\")", "null", "0", "-1", "9" * 30]
DATES = ["0001-01-01", "9999-12-31", "2025-02-30", "2025-13-01", "2015-03-31", "2015-04-01", "20250601", "2025-6-1",
         "昨日", "2025-06-01T10:00:00+09:00"]
MOMENTS = ["0001-01-01T00:00:00+09:00", "9999-12-31T23:59:59-09:00", "2025-06-01T10:00:00", "2025-06-01T10:00:00Z",
           "2025-06-01T25:00:00+09:00", "2014-12-31T00:00:00+09:00", "nope"]
INTS = [0, -1, 1, 100, 101, 9999, 2**31 - 1, -(2**31), 2015, 2025]


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode()


CURSORS = [_cursor(t) for t in ("2025-06-01T10:00:00|1", "2025-06-01T10:00:00+09:00|99999999999999999999",
                                "0001-01-01T00:00:00+00:00|1", "9999-12-31T00:00:00+00:00|1", "issue|999999999999",
                                "issue|-1", "|", "a|b|c")] + ["!!!", "", "\ud800"]


VALID_TEXT = {"summary": "退院前の訪問診療医が見つからないと病院MSWから", "note": "在支診2件に打診", "title": "在宅医の確保",
              "name": "佐藤 花子", "organization": "医師会", "email": "iin@city.example.jp", "text": "退院",
              "displayName": "相談員", "municipalityCode": "15202", "municipalityCodes": "15202"}
VALID_INT = {"first": 10, "urgency": 2, "minutes": 15, "version": 1}


def _valid(gtype, name: str, real: dict) -> st.SearchStrategy:
    """A value the API should accept (ids that exist, codes in scope, sensible text)."""
    inner = gtype.of_type if isinstance(gtype, GraphQLNonNull) else gtype
    if isinstance(inner, GraphQLList):
        return st.lists(_valid(inner.of_type, name, real), min_size=1, max_size=2)
    if isinstance(inner, GraphQLInputObjectType):
        return _input_object(inner, real)
    if isinstance(inner, GraphQLEnumType):
        return st.sampled_from(list(inner.values))
    scalar = inner.name
    if scalar == "Int":
        return st.sampled_from([v for v in real.get(name, []) if isinstance(v, int)] or [VALID_INT.get(name, 1)])
    if scalar == "Boolean":
        return st.booleans()
    if scalar == "Date":
        return st.sampled_from([clock.today().isoformat(), clock.tomorrow().isoformat()])
    if scalar == "DateTime":
        return st.just(clock.earlier_today().isoformat())
    if name == "idempotencyKey":
        return st.uuids().map(str)
    if name in real:
        return st.sampled_from([str(v) for v in real[name]])
    return st.just(VALID_TEXT.get(name, "テスト"))


def _nasty(gtype, name: str, real: dict) -> st.SearchStrategy:
    """What breaks naive code: control characters, lone surrogates, calendar edges, huge numbers, forged
    cursors, wrong types of id."""
    inner = gtype.of_type if isinstance(gtype, GraphQLNonNull) else gtype
    if isinstance(inner, GraphQLList):
        return st.lists(_any(inner.of_type, name, real), max_size=3)
    if isinstance(inner, GraphQLInputObjectType):
        return _input_object(inner, real)
    if isinstance(inner, GraphQLEnumType):
        return st.sampled_from(list(inner.values))
    scalar = inner.name
    if scalar == "Int":
        return st.one_of(st.sampled_from(INTS), st.integers(-(2**31), 2**31 - 1))
    if scalar == "Boolean":
        return st.booleans()
    if scalar == "Date":
        return st.one_of(st.sampled_from(DATES), st.dates().map(lambda d: d.isoformat()))
    if scalar == "DateTime":
        return st.one_of(st.sampled_from(MOMENTS), st.datetimes().map(lambda d: d.isoformat()))
    pool = NASTY + (CURSORS if name == "after" else [])
    return st.one_of(st.sampled_from(pool), st.text(max_size=30))


def _any(gtype, name: str, real: dict) -> st.SearchStrategy:
    strategy = st.one_of(_valid(gtype, name, real), _nasty(gtype, name, real))
    return strategy if isinstance(gtype, GraphQLNonNull) else st.one_of(st.none(), strategy)


@st.composite
def _fields(draw, fields: dict, real: dict) -> dict:
    """A valid set of fields with one or two of them made hostile, so a request gets past the checks that
    come before the one under attack."""
    values = {k: draw(_valid(t, k, real)) for k, t in fields.items()
              if isinstance(t, GraphQLNonNull) or draw(st.booleans())}
    for name in draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=2, unique=True)) if fields else []:
        values[name] = draw(_any(fields[name], name, real))
    return values


def _input_object(itype: GraphQLInputObjectType, real: dict) -> st.SearchStrategy:
    return _fields({k: f.type for k, f in itype.fields.items()}, real)


def _operations():
    for path in sorted(Path(OPERATIONS).glob("*.graphql")):
        for definition in parse(path.read_text(encoding="utf-8")).definitions:
            if isinstance(definition, OperationDefinitionNode):
                yield path.name, definition


OPERATION_LIST = list(_operations())


async def _counts(sessions) -> dict:
    """Rows of every table a write touches; a refused attempt on a record out of scope is audited as such
    (`….denied`), which is the one row a refused request writes."""
    async with sessions() as s:
        counts = {m.__tablename__: await s.scalar(select(func.count()).select_from(m)) for m in WRITTEN}
        counts["audit_event"] = await s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.operation.not_like("%.denied")))
    return counts


def _refused(body: dict) -> bool:
    if body.get("errors"):
        return True
    payloads = (body.get("data") or {}).values()
    return any(isinstance(p, dict) and p.get("userErrors") for p in payloads)


@pytest.fixture
async def real(gql, world, far_world):
    """Ids that exist (the world's own and another prefecture's), so generated requests reach deep paths."""
    out = await gql(world.coordinator, operation("coordinator.graphql", "LogConsultation"),
                    {"input": log_input("15202")})
    cid = out["data"]["logConsultation"]["consultation"]["id"]
    return {"id": [cid, world.hub_id], "consultationId": [cid], "hubId": [world.hub_id, far_world.hub_id],
            "code": [world.prefecture_code, "13"], "prefectureCode": [world.prefecture_code],
            "municipalityCode": ["15202", "152021", "152020", "13101"], "municipalityCodes": ["15202"],
            "fiscalYear": [clock.fiscal_year()], "version": [1], "areaId": [world.area_id],
            "email": ["iin@city.example.jp", "not an address"], "recipientEmails": ["iin@city.example.jp"]}


@pytest.mark.parametrize("file, definition", OPERATION_LIST, ids=[d.name.value for _, d in OPERATION_LIST])
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
async def test_arbitrary_arguments_never_break_the_api(http, sessions, world, real, file, definition, data):
    values = data.draw(_fields({v.variable.name.value: type_from_ast(SCHEMA, v.type)
                                for v in definition.variable_definitions or []}, real))
    before = await _counts(sessions)
    # ASCII JSON, so a lone surrogate travels as the \\ud800 escape a client would send
    body = json.dumps({"query": operation(file, definition.name.value), "variables": values})
    client = CLIENT_OF_OPERATION.get(definition.name.value, CLIENT[file])
    r = await http.post("/graphql", content=body, headers={"Authorization": f"Bearer {getattr(world, client)}",
                                                          "Content-Type": "application/json"})
    assert r.status_code < 500, r.text
    body = r.json()
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
    assert "INTERNAL_ERROR" not in codes, body
    if _refused(body):
        assert await _counts(sessions) == before, (values, body)
