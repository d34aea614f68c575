"""The scene model learns from the desk's own confirmed scenes and is the same in every process."""

import pytest
from sqlalchemy import delete, select

from backend.app import create_app
from backend.consultations.models import Consultation
from backend.db import make_engine, make_sessions, transaction
from backend.jobs import runner, schedules
from backend.jobs.dispatch import Dispatcher
from backend.jobs.models import Job
from backend.text import store
from backend.text.models import TextModel
from tests.helpers import log_input, operation

LOG = operation("coordinator.graphql", "LogConsultation")
UPDATE = operation("coordinator.graphql", "UpdateConsultation")

# a name only this desk uses: the city's transport for evacuating people who need care
LOCAL = ["ひまわり便の利用登録をしたいと家族から", "ひまわり便の対象になるか知りたいとケアマネ", "ひまわり便の申込先はどこかと民生委員"]
LATER = "ひまわり便の予約方法を教えてほしい"


@pytest.fixture
async def models_restored(sessions):
    """Each test leaves the stored versions, the queued learning jobs and this process's model as it found them."""
    async with sessions() as s:
        before = set(await s.scalars(select(TextModel.version)))
    store.use(None)
    yield
    store.use(None)
    async with transaction(sessions) as s:
        await s.execute(delete(TextModel).where(TextModel.version.not_in(before or {""})))
        await s.execute(delete(Job).where(Job.kind.in_(["train", "reclassify"]), Job.status == "queued"))


async def log(gql, token, summary, **kw) -> dict:
    out = (await gql(token, LOG, {"input": log_input("15202", summary=summary, **kw)}))["data"]["logConsultation"]
    assert out["userErrors"] == []
    return out["consultation"]


async def run_queued(sessions, kind: str) -> Job:
    async with sessions() as s:
        job = await s.scalar(select(Job).where(Job.kind == kind, Job.status == "queued").order_by(Job.id.desc()))
    assert job is not None, f"no queued {kind} job"
    assert (await runner.execute(sessions, job.id)).status == "succeeded"
    return job


async def test_a_coordinators_correction_changes_the_next_suggestion_after_train(gql, world, sessions, models_restored):
    before = await log(gql, world.coordinator, LATER)
    assert before["suggestedScenes"][0]["scene"] != "DISASTER" and before["scenesConfirmed"] is False
    for summary in LOCAL:
        c = await log(gql, world.coordinator, summary)
        fixed = (await gql(world.coordinator, UPDATE, {"input": {"id": c["id"], "version": c["version"],
                                                                  "scenes": ["DISASTER"]}}))["data"]["updateConsultation"]
        assert fixed["userErrors"] == [] and fixed["consultation"]["scenesConfirmed"] is True
    base = store.current_model().version

    await schedules.nightly(sessions)
    await run_queued(sessions, "train")
    assert store.current_model().version != base

    after = await log(gql, world.coordinator, LATER)
    top = after["suggestedScenes"][0]
    assert top["scene"] == "DISASTER" and after["primaryScene"] == "DISASTER"
    assert any("ひまわり便" in t for t in top["matchedTerms"])

    # the new version queued `reclassify`: the consultation logged before training is re-scored too
    await run_queued(sessions, "reclassify")
    async with sessions() as s:
        row = await s.get(Consultation, int(before["id"]))
    assert row.suggested_scenes[0]["scene"] == "disaster" and row.primary_scene == "disaster"


async def test_training_again_on_the_same_examples_adds_no_version(world, sessions, models_restored):
    from backend.consultations import service as consultations
    async with transaction(sessions) as s:
        first, new = await consultations.train_classifier(s)
    async with transaction(sessions) as s:
        again, new_again = await consultations.train_classifier(s)
        queued = await s.scalar(select(Job).where(Job.kind == "reclassify", Job.status == "queued",
                                                  Job.key == f"reclassify:{store.suggestion_version()}"))
    assert again == first and not new_again and (queued is not None) == new


async def test_the_model_version_survives_a_restart_and_every_process_shares_it(gql, world, settings, sessions,
                                                                                 models_restored, monkeypatch):
    await log(gql, world.coordinator, LOCAL[0], scenes=["DISASTER"])
    from backend.consultations import service as consultations
    async with transaction(sessions) as s:
        trained, _ = await consultations.train_classifier(s)

    # another process: its own engine, started the way the API and the worker start
    store.use(None)
    other = make_engine(settings.database_url)
    try:
        assert (await store.start(make_sessions(other), lexicon_paths=settings.lexicon_paths)).version == trained
    finally:
        await other.dispose()

    # a restarted API process: create_app's start-up loads the stored version, it trains nothing
    store.use(None)
    monkeypatch.setattr(Dispatcher, "start", lambda self: _nothing())
    monkeypatch.setattr("backend.text.model.train", _must_not_train)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        assert store.current_model().version == trained
        assert store.suggestion_version().startswith(trained[:8])


async def test_a_process_picks_up_a_version_another_process_trained(gql, world, sessions, models_restored):
    await log(gql, world.coordinator, LOCAL[1], scenes=["DISASTER"])
    from backend.consultations import service as consultations
    async with transaction(sessions) as s:
        trained, _ = await consultations.train_classifier(s)
    store.use(None)   # this process still suggests with the base model
    async with sessions() as s:
        assert (await store.refresh(s, force=True)).version == trained


async def _nothing() -> None:
    return None


def _must_not_train(*args, **kwargs):
    raise AssertionError("a restarted process must load the stored model, not train one")
