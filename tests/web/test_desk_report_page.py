"""実績報告: the hub manager sees the desk report of their own hub (the API's figures), orders the documents
and downloads them with the browser session; another hub's manager, an analyst: nothing of it."""

from backend.fiscal import fiscal_year_of
from tests import clock
from tests.desk.test_desk_report import MARKER, seed
from tests.web.conftest import csrf_of, log_in


async def test_the_manager_reads_orders_and_downloads_the_desk_report(app, client, gql, sessions, world):
    await seed(gql, world)
    await log_in(client, sessions, user_id=world.manager_id, email=world.emails["manager"])
    page = await client.get("/desk-report")
    assert page.status_code == 200
    assert "実績報告" in page.text and "延べ件数（相談件数）" in page.text and "実人数" in page.text
    assert MARKER not in page.text
    assert 'href="/desk-report"' in page.text                      # the navigation item
    public = await client.get("/desk-report?public=1")
    assert "＊" in public.text
    fy = fiscal_year_of(clock.earlier_today())
    q = await client.get(f"/desk-report?kind=quarter&year={fy}&index=2")
    assert "第2四半期" in q.text
    r = await client.post("/desk-report/order", data={"kind": "fiscal_year", "year": str(fy), "index": "",
                                                      "public": "0", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    await app.state.dispatcher.run_pending()
    listed = await client.get(r.headers["location"])
    assert "/desk-reports/" in listed.text
    rid = listed.text.split('href="/desk-reports/')[1].split(".")[0]
    xlsx = await client.get(f"/desk-reports/{rid}.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


async def test_others_get_not_found(client, sessions, world, other_world):
    await log_in(client, sessions, user_id=world.ids["analyst"], email=world.emails["analyst"])
    assert (await client.get("/desk-report")).status_code == 404
    assert (await client.get("/desk-report?kind=decade")).status_code == 404
