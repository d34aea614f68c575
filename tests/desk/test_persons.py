"""Persons and contacts: 継続相談 by an earlier consultation or by a case number, 一般相談, 初回/継続 —
additive fields beside the contract's documents (which keep working unchanged)."""

from datetime import timedelta

from sqlalchemy import inspect, select

from backend.consultations.models import Consultation, Person
from tests import clock
from tests.helpers import log_input, operation

LOG_CONTRACT = operation("coordinator.graphql", "LogConsultation")
FIELDS = "id version caseNumber contactKind generalInquiry reportAsIssue totalMinutes"
LOG = f"""mutation Log($input: LogConsultationInput!) {{
  logConsultation(input: $input) {{ consultation {{ {FIELDS} }} userErrors {{ field code message }} }} }}"""
UPDATE = f"""mutation Up($input: UpdateConsultationInput!) {{
  updateConsultation(input: $input) {{ consultation {{ {FIELDS} }} userErrors {{ field code message }} }} }}"""
RECORD = """mutation Rec($input: RecordActionInput!) {
  recordAction(input: $input) { consultation { totalMinutes actions { minutes partners } }
                                userErrors { field code message } } }"""
BY_NUMBER = """query ByNumber($n: String!) { consultations(filter: {caseNumber: $n}) {
  totalCount edges { node { id contactKind } } } }"""


async def log(gql, token, code="15202", **kw):
    out = (await gql(token, LOG, {"input": log_input(code, **kw)}))["data"]["logConsultation"]
    return out["consultation"], out["userErrors"]


def hours_ago(n: int) -> str:
    return (clock.earlier_today() - timedelta(hours=n)).isoformat()


async def test_an_unlinked_consultation_is_a_new_person_with_a_case_number(gql, world):
    c, errors = await log(gql, world.coordinator)
    assert errors == []
    assert c["contactKind"] == "FIRST" and c["generalInquiry"] is False
    year, number = c["caseNumber"].split("-")
    assert len(year) == 4 and len(number) == 4
    d, _ = await log(gql, world.coordinator)
    assert d["caseNumber"] != c["caseNumber"] and int(d["caseNumber"][5:]) == int(number) + 1


async def test_a_consultation_linked_to_an_earlier_one_is_continuing(gql, world):
    first, _ = await log(gql, world.coordinator, receivedAt=hours_ago(30))
    by_link, errors = await log(gql, world.coordinator, continuesConsultationId=first["id"])
    assert errors == [] and by_link["contactKind"] == "CONTINUING" and by_link["caseNumber"] == first["caseNumber"]
    by_number, _ = await log(gql, world.coordinator, caseNumber=first["caseNumber"].replace("-", "－"))
    assert by_number["contactKind"] == "CONTINUING" and by_number["caseNumber"] == first["caseNumber"]
    listed = (await gql(world.coordinator, BY_NUMBER, {"n": first["caseNumber"]}))["data"]["consultations"]
    assert listed["totalCount"] == 3
    assert sorted(e["node"]["contactKind"] for e in listed["edges"]) == ["CONTINUING", "CONTINUING", "FIRST"]


async def test_a_back_dated_link_becomes_the_first_and_the_earlier_first_continuing(gql, world, sessions):
    later, _ = await log(gql, world.coordinator, receivedAt=hours_ago(1))
    earlier, _ = await log(gql, world.coordinator, receivedAt=hours_ago(50), caseNumber=later["caseNumber"])
    assert earlier["contactKind"] == "FIRST"
    async with sessions() as s:
        assert await s.scalar(select(Consultation.continuing).where(Consultation.id == int(later["id"]))) is True


async def test_a_general_inquiry_has_no_person(gql, world, sessions):
    c, errors = await log(gql, world.coordinator, generalInquiry=True, summary="研修の講師を依頼したい")
    assert errors == [] and c["contactKind"] == "GENERAL" and c["caseNumber"] is None
    _, errors = await log(gql, world.coordinator, continuesConsultationId=c["id"])
    assert errors[0]["code"] == "INCONSISTENT"
    _, errors = await log(gql, world.coordinator, generalInquiry=True, caseNumber="2026-0001")
    assert errors[0]["code"] == "INCONSISTENT"
    async with sessions() as s:
        assert await s.scalar(select(Consultation.person_id).where(Consultation.id == int(c["id"]))) is None


async def test_links_to_another_hub_or_a_wrong_number_look_like_not_found(gql, world, other_world):
    theirs, _ = await log(gql, other_world.coordinator)
    _, errors = await log(gql, world.coordinator, continuesConsultationId=theirs["id"])
    assert errors[0]["code"] == "NOT_FOUND"
    _, errors = await log(gql, world.coordinator, caseNumber=theirs["caseNumber"])
    assert errors[0]["code"] == "NOT_FOUND"
    _, errors = await log(gql, world.coordinator, caseNumber="山田花子")
    assert errors[0]["code"] == "INVALID_FORMAT"


async def test_relinking_by_update_renumbers_both_persons(gql, world):
    a, _ = await log(gql, world.coordinator, receivedAt=hours_ago(40))
    b, _ = await log(gql, world.coordinator, receivedAt=hours_ago(20))
    change = {"id": b["id"], "version": b["version"], "caseNumber": a["caseNumber"]}
    out = (await gql(world.coordinator, UPDATE, {"input": change}))["data"]["updateConsultation"]
    assert out["userErrors"] == [] and out["consultation"]["contactKind"] == "CONTINUING"
    b = out["consultation"]
    out = (await gql(world.coordinator, UPDATE, {"input": {"id": b["id"], "version": b["version"],
                                                            "generalInquiry": True, "reportAsIssue": True}}))
    c = out["data"]["updateConsultation"]["consultation"]
    assert c["contactKind"] == "GENERAL" and c["caseNumber"] is None and c["reportAsIssue"] is True


async def test_actions_carry_partners_and_minutes_are_summed(gql, world):
    c, _ = await log(gql, world.coordinator)
    for minutes, partners in [(15, ["HOME_CARE_CLINIC"]), (None, []), (30, ["HOSPITAL", "VISITING_NURSE_STATION"])]:
        out = (await gql(world.coordinator, RECORD, {"input": {
            "consultationId": c["id"], "performedAt": clock.earlier_today().isoformat(), "type": "LIAISON_COORDINATION",
            "minutes": minutes, "partners": partners}}))["data"]["recordAction"]
        assert out["userErrors"] == []
    assert out["consultation"]["totalMinutes"] == 45
    assert out["consultation"]["actions"][-1]["partners"] == ["HOSPITAL", "VISITING_NURSE_STATION"]


async def test_the_contract_document_still_logs_and_no_identity_is_stored(gql, world):
    out = (await gql(world.coordinator, LOG_CONTRACT, {"input": log_input("15202")}))["data"]["logConsultation"]
    assert out["userErrors"] == []
    columns = {c.key for c in inspect(Person).columns}
    assert columns == {"id", "hub_id", "fiscal_year", "seq", "case_number", "created_at"}
