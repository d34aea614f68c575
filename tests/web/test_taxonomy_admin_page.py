"""分類の管理: an admin renames a category for a prefecture from a date; the desk report then uses it;
a mistake is shown on the page and changes nothing; other roles get 404."""

from sqlalchemy import func, select

from backend.taxonomies.models import TaxonomyVersion
from tests.web.conftest import csrf_of, log_in


def form_of(html: str) -> dict:
    import re
    data = {"csrf_token": csrf_of(html), "kind": "category", "pref": "24", "validFrom": "2026-04-01"}
    keys = re.findall(r'<input type="hidden" name="key" value="([a-z_]+)">', html)
    labels = dict(re.findall(r'name="(label-\d+)" value="([^"]*)"', html))
    orders = dict(re.findall(r'name="(order-\d+)" value="([^"]*)"', html))
    return data, keys, labels, orders


def as_form(pairs: list) -> dict:
    out: dict = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return {k: v[0] if len(v) == 1 and k != "key" else v for k, v in out.items()}


async def test_an_admin_publishes_a_new_version(client, sessions, world):
    await log_in(client, sessions, user_id=world.ids["admin"], email=world.emails["admin"])
    page = await client.get("/admin/taxonomies?kind=category&pref=24")
    assert page.status_code == 200 and "在宅医（訪問診療・往診）の紹介" in page.text
    data, keys, labels, orders = form_of(page.text)
    body = [(k, v) for k, v in data.items()] + [("key", k) for k in keys] + list(labels.items()) + list(orders.items())
    body = [(k, "在宅医・往診医の紹介" if k == "label-0" else v) for k, v in body]
    for i in range(len(keys)):
        body.append((f"scene-{i}", "daily_care"))
    async with sessions() as s:
        before = await s.scalar(select(func.count()).select_from(TaxonomyVersion))
    r = await client.post("/admin/taxonomies", data=as_form(body))
    assert r.status_code == 303, r.text
    again = await client.get(r.headers["location"])
    assert "在宅医・往診医の紹介" in again.text and "2026-04-01 から" in again.text
    bad = await client.post("/admin/taxonomies", data=as_form([(k, v) for k, v in body if k != "key" or v != keys[0]]))
    assert bad.status_code == 400 and "削除できません" in bad.text
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(TaxonomyVersion)) == before + 1


async def test_others_get_not_found(client, sessions, world):
    await log_in(client, sessions, user_id=world.manager_id, email=world.emails["manager"])
    assert (await client.get("/admin/taxonomies")).status_code == 404
