"""The dashboard's overview cache: shared by callers, never across scopes, refreshed after its time."""

import httpx

from backend.app import create_app
from tests.conftest import make_world
from tests.helpers import operation

OVERVIEW = operation("prefecture_dashboard.graphql", "PrefectureOverview")


async def test_cached_overview_is_shared_by_analysts_but_never_crosses_scope(settings, sessions):
    from tests.reports.test_dashboard import prefecture_world, seed
    world = await prefecture_world(sessions)
    await seed(sessions, world, {("daily_care", "family"): 12})
    app = create_app(settings.model_copy(update={"dashboard_cache_seconds": 300.0}))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            async def total(token):
                r = await c.post("/graphql", json={"query": OVERVIEW, "variables": {"code": world.prefecture_code, "fiscalYear": 2025}},
                                 headers={"Authorization": f"Bearer {token}"})
                p = r.json()["data"]["prefecture"]
                return p and p["stats"]["total"]["count"]
            before = await total(world.analyst)
            assert before >= 12
            await seed(sessions, world, {("daily_care", "family"): 10})
            assert await total(world.analyst) == before      # served from the cache
            assert await total(world.coordinator) is None     # scope is checked before the cache
            other = await make_world(sessions)
            assert await total(other.analyst) is None
        fresh = create_app(settings)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fresh), base_url="http://t") as c:
            r = await c.post("/graphql", json={"query": OVERVIEW, "variables": {"code": world.prefecture_code, "fiscalYear": 2025}},
                             headers={"Authorization": f"Bearer {world.analyst}"})
            assert r.json()["data"]["prefecture"]["stats"]["total"]["count"] == before + 10
        await fresh.state.engine.dispose()
    finally:
        await app.state.engine.dispose()
