"""Every field a prefecture analyst can query, walked from the exported schema: no count from 1 to 9 and no
exact moment of a consultation comes back, by whatever path the analyst takes, and no word of a note."""

from datetime import datetime

from graphql import (GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, GraphQLSchema, get_named_type,
                     is_leaf_type)
from sqlalchemy import select

from backend.accounts import service as accounts
from backend.api.context import Context
from backend.api.schema import build_schema
from backend.consultations.models import Action, Consultation
from backend.fiscal import JST
from backend.issues.models import RegionalIssue
from backend.jobs.models import Job
from backend.reports.cache import OverviewCache
from backend.reports.models import PrefectureReport
from tests import clock
from tests.helpers import log_input, operation
from tests.meetings.test_meetings import add_members
from tests.reports.test_report import prefecture_world

LOG = operation("coordinator.graphql", "LogConsultation")
CLOSE = operation("coordinator.graphql", "CloseConsultation")
RECORD = operation("coordinator.graphql", "RecordAction")
REQUEST = operation("hub.graphql", "RequestIssueGrouping")
GENERATE = operation("prefecture_dashboard.graphql", "GeneratePrefectureReport")
MARKER = "退院が決まったが在宅医が決まらず困っている（目印ミナミ）"
NOTES = [MARKER, "退院前に訪問診療医が見つからないと病院MSW", "来週退院の方の往診医がまだ決まらない",
         "夜間に熱が出たとき誰に連絡するか決まっていない", "休日に主治医と連絡がつかず訪看も連絡先を知らない"]
# integers that are not counts of consultations (of issues, meetings, years, settings)
NOT_CONSULTATION_COUNTS = {("PrefectureStats", "fiscalYear"), ("PrefectureStats", "suppressionThreshold"),
                           ("RegionalIssue", "fiscalYear"), ("PrefectureReport", "fiscalYear"),
                           ("HubActivity", "meetingsHeld"), ("HubActivity", "issuesConfirmed"),
                           ("HubActivity", "issuesAddressed"), ("RegionalIssueConnection", "totalCount"),
                           ("AgendaItem", "position"), ("Job", "attempts")}
MAX_DEPTH = 7


def _selection(schema: GraphQLSchema, gtype: GraphQLObjectType, depth: int, seen: tuple, args: dict) -> str:
    fields = []
    for name, field in gtype.fields.items():
        named = get_named_type(field.type)
        values = {}
        for arg_name, arg in field.args.items():
            if arg_name in args:
                values[arg_name] = args[arg_name]
            elif isinstance(arg.type, GraphQLNonNull):
                break
        else:
            call = "(" + ", ".join(f"{k}: {v}" for k, v in values.items()) + ")" if values else ""
            if is_leaf_type(named):
                fields.append(name + call)
            elif isinstance(named, GraphQLObjectType) and depth < MAX_DEPTH and seen.count(named.name) < 2:
                inner = _selection(schema, named, depth + 1, (*seen, named.name), args)
                if inner:
                    fields.append(f"{name}{call} {{ {inner} }}")
    return " ".join(fields)


def _walk(value, gtype, parent: str, field: str, out: list) -> None:
    if value is None:
        return
    if isinstance(gtype, GraphQLNonNull):
        gtype = gtype.of_type
    if isinstance(gtype, GraphQLList):
        for item in value:
            _walk(item, gtype.of_type, parent, field, out)
    elif isinstance(gtype, GraphQLObjectType):
        for key, inner in value.items():
            _walk(inner, gtype.fields[key].type, gtype.name, key, out)
    else:
        out.append((parent, field, gtype, value))


async def _seed(gql, app, sessions, world) -> None:
    await add_members(gql, world, ["iin@city.example.jp"])
    ids = []
    for note in NOTES:
        out = await gql(world.coordinator, LOG, {"input": log_input(world.municipality_code, summary=note)})
        ids.append(out["data"]["logConsultation"]["consultation"]["id"])
    await gql(world.coordinator, RECORD, {"input": {"consultationId": ids[0], "performedAt": clock.now().isoformat(),
                                                    "type": "PHYSICIAN_MATCHING", "note": MARKER}})
    await gql(world.coordinator, CLOSE, {"input": {"id": ids[1], "version": 1, "outcome": "UNRESOLVED_NO_RESOURCE"}})
    await gql(world.manager, REQUEST, {"hubId": str(world.hub_id), "fiscalYear": clock.fiscal_year()})
    await gql(world.analyst, GENERATE, {"code": world.prefecture_code, "fiscalYear": clock.fiscal_year()})
    await app.state.dispatcher.run_pending()


async def test_no_path_gives_an_analyst_a_small_count_an_exact_moment_or_a_note(gql, app, sessions, settings):
    world = await prefecture_world(sessions)
    await _seed(gql, app, sessions, world)
    async with sessions() as s:
        issues = list(await s.scalars(select(RegionalIssue.id).where(RegionalIssue.hub_id == world.hub_id)))
        reports = list(await s.scalars(select(PrefectureReport.id).where(
            PrefectureReport.prefecture_code == world.prefecture_code)))
        jobs = list(await s.scalars(select(Job.id).where(Job.hub_id == world.hub_id)))
        consultations = list(await s.scalars(select(Consultation).where(Consultation.hub_id == world.hub_id)))
        actions = list(await s.scalars(select(Action.performed_at).where(
            Action.consultation_id.in_([c.id for c in consultations]))))
        analyst = await accounts.authenticate(s, token=world.analyst)
    assert issues and reports and jobs and len(consultations) == len(NOTES)
    moments = {m for c in consultations for m in (c.received_at, c.closed_at, c.created_at, c.updated_at) if m} | set(actions)

    relaxed = settings.model_copy(update={"max_tokens": 1_000_000, "max_query_depth": 50, "max_aliases": 10_000,
                                          "introspection": True})
    schema = build_schema(relaxed)
    root = schema._schema.query_type
    ids = [*issues, *reports, *jobs, *(c.id for c in consultations), world.hub_id]
    leaves = []
    for candidate in ids:
        args = {"fiscalYear": clock.fiscal_year(), "code": f'"{world.prefecture_code}"', "first": 100,
                "id": f'"{candidate}"'}
        document = "{ " + _selection(schema._schema, root, 1, ("Query",), args) + " }"
        context = Context(settings=relaxed, sessions=app.state.sessions, actor=analyst, dispatch=_nothing,
                          overviews=OverviewCache(0))
        result = await schema.execute(document, context_value=context)
        assert not result.errors, result.errors
        _walk(result.data, root, "Query", "", leaves)

    ints = [(p, f, v) for p, f, t, v in leaves if isinstance(t, GraphQLScalarType) and t.name == "Int"
            and (p, f) not in NOT_CONSULTATION_COUNTS
            and not p.startswith("Resource")]   # the directory's own facts (staleness, vacancy), not consultations
    assert ints, "the walk reached no count: the test would prove nothing"
    assert [(p, f, v) for p, f, v in ints if 0 < v < settings.suppression_threshold] == []
    stamps = [(p, f, datetime.fromisoformat(v)) for p, f, t, v in leaves
              if isinstance(t, GraphQLScalarType) and t.name == "DateTime"]
    assert any(f == "firstSeenAt" for _, f, _ in stamps), "the walk reached no issue dates"
    assert [s for s in stamps if s[2] in moments] == []
    for parent, field, moment in stamps:
        if field in ("firstSeenAt", "lastSeenAt"):
            local = moment.astimezone(JST)
            assert (local.day, local.hour, local.minute, local.second) == (1, 0, 0, 0), (parent, field, moment)
    assert not [v for _, _, _, v in leaves if isinstance(v, str) and "ミナミ" in v]   # the note's own word


async def _nothing() -> None:
    return None
