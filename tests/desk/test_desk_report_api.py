"""The desk report through GraphQL (figures, generated documents) and its downloads; another hub's desk,
an analyst or an admin sees nothing (null, 404)."""

from backend.fiscal import fiscal_year_of
from tests import clock
from tests.desk.test_desk_report import MARKER, seed

FIGURES = """query Desk($hubId: ID!, $period: DeskReportPeriod!, $public: Boolean) {
  deskReport(hubId: $hubId, period: $period, public: $public) { label previousLabel public
    tables { key title multiple rows { key label count suppressed share previousCount } } } }"""
GENERATE = """mutation Gen($hubId: ID!, $period: DeskReportPeriod!, $public: Boolean) {
  generateDeskReport(hubId: $hubId, period: $period, public: $public) {
    report { id status label } job { id } userErrors { field code message } } }"""
FILES = """query Files($hubId: ID!) { deskReportFiles(hubId: $hubId) { id status label htmlUrl csvUrl xlsxUrl } }"""


def period():
    return {"kind": "fiscal_year", "fiscalYear": fiscal_year_of(clock.earlier_today())}


async def test_the_desk_reads_its_figures_and_others_get_null(gql, world, other_world):
    await seed(gql, world)
    data = (await gql(world.manager, FIGURES, {"hubId": str(world.hub_id), "period": period()}))["data"]["deskReport"]
    summary = {r["key"]: r["count"] for r in data["tables"][0]["rows"]}
    assert summary["consultations"] == 5 and summary["persons"] == 2
    public = (await gql(world.coordinator, FIGURES, {"hubId": str(world.hub_id), "period": period(),
                                                     "public": True}))["data"]["deskReport"]
    assert public["tables"][0]["rows"][0]["suppressed"] is True
    for token in (other_world.manager, world.analyst, world.admin):
        out = await gql(token, FIGURES, {"hubId": str(world.hub_id), "period": period()})
        assert out["data"]["deskReport"] is None


async def test_a_bad_period_is_a_user_error(gql, world):
    out = (await gql(world.manager, GENERATE, {"hubId": str(world.hub_id),
                                               "period": {"kind": "quarter", "fiscalYear": 2025, "index": 7}}))
    assert out["data"]["generateDeskReport"]["userErrors"][0]["code"] == "OUT_OF_RANGE"


async def test_generated_documents_download_for_the_desk_only(gql, app, http, world, other_world):
    await seed(gql, world)
    out = (await gql(world.manager, GENERATE, {"hubId": str(world.hub_id), "period": period()}))["data"]
    assert out["generateDeskReport"]["userErrors"] == []
    rid = out["generateDeskReport"]["report"]["id"]
    await app.state.dispatcher.run_pending()
    [listed] = (await gql(world.manager, FILES, {"hubId": str(world.hub_id)}))["data"]["deskReportFiles"]
    assert listed["status"] == "ready" and listed["csvUrl"].endswith(f"/desk-reports/{rid}.csv")
    for fmt in ("html", "csv", "xlsx"):
        r = await http.get(f"/desk-reports/{rid}.{fmt}", headers={"Authorization": f"Bearer {world.manager}"})
        assert r.status_code == 200 and MARKER.encode() not in r.content
        other = await http.get(f"/desk-reports/{rid}.{fmt}", headers={"Authorization": f"Bearer {other_world.manager}"})
        assert other.status_code == 404
    assert "延べ件数" in (await http.get(f"/desk-reports/{rid}.html",
                                        headers={"Authorization": f"Bearer {world.manager}"})).text
    assert (await gql(other_world.manager, FILES, {"hubId": str(world.hub_id)}))["data"]["deskReportFiles"] == []
