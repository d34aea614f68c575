"""The scene model a process uses, kept in the database so that every process — API and workers,
on SQLite and PostgreSQL — uses the same version, and the version survives restarts.

- `load` at process start: the newest stored model of this algorithm; the first process of a
  deployment trains the base model (the shipped notes) and stores it.
- `refresh` on the way: at most once a minute, a process picks up a version another process trained.
- `train`: a new version from the shipped notes and a deployment's confirmed consultations."""

import asyncio
import logging
import time

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import transaction
from backend.text.model import ALGORITHM, Example, SceneModel, base_model, digest, shipped_examples
from backend.text.model import train as train_model
from backend.text.models import TextModel
from backend.text.scenes import configure, default_lexicon

log = logging.getLogger("renkei.text")
REFRESH_SECONDS = 60.0
KEEP_PARAMS = 3           # versions whose arrays are kept (the newest); older rows stay as a record

_current: SceneModel | None = None
_checked_at = 0.0


def current_model() -> SceneModel:
    """The model this process suggests with: the stored one once loaded, else the base model."""
    return _current or base_model()


def use(model: SceneModel | None) -> None:
    """Sets this process's model (None: back to the base model). For start-up and tests."""
    global _current, _checked_at
    _current, _checked_at = model, time.monotonic()


def suggestion_version() -> str:
    """Stamped on each consultation's suggestion: the model and the lexicon in force (a deployment may
    extend the lexicon without retraining), so that `reclassify` knows what is stale."""
    return f"{current_model().version[:8]}{default_lexicon().version[:8]}"


async def _newest(session: AsyncSession) -> TextModel | None:
    return await session.scalar(select(TextModel).where(TextModel.algorithm == ALGORITHM, TextModel.params.is_not(None))
                                .order_by(TextModel.id.desc()).limit(1))


async def _newest_version(session: AsyncSession) -> str | None:
    return await session.scalar(select(TextModel.version).where(
        TextModel.algorithm == ALGORITHM, TextModel.params.is_not(None)).order_by(TextModel.id.desc()).limit(1))


async def _insert(session: AsyncSession, model: SceneModel, training: dict) -> None:
    """Adds a version; a version another process stored first (same digest) is left as it is."""
    values = dict(version=model.version, algorithm=ALGORITHM, lexicon_version=model.meta["lexicon"][:16],
                  training=training, params=model.to_bytes())
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    await session.execute(insert(TextModel).values(**values).on_conflict_do_nothing(index_elements=[TextModel.version]))


async def start(sessions: async_sessionmaker[AsyncSession], *, lexicon_paths=()) -> SceneModel:
    """What a process (API or worker) calls at start: the deployment's lexicon (a broken file stops
    the start, naming file and line), then the shared model."""
    configure(lexicon_paths)
    return await load(sessions)


async def load(sessions: async_sessionmaker[AsyncSession]) -> SceneModel:
    """At process start. The base model is trained (a few seconds) only when nothing is stored yet."""
    async with transaction(sessions) as session:
        row = await _newest(session)
    if row is None:
        model = await asyncio.to_thread(base_model)
        async with transaction(sessions) as session:
            await _insert(session, model, {"shipped": model.meta["examples"], "confirmed": 0})
        async with transaction(sessions) as session:
            row = await _newest(session)
    model = _from_row(row)
    use(model)
    log.info("scene model %s (%s examples)", model.version, model.meta.get("examples"))
    return model


def _from_row(row: TextModel) -> SceneModel:
    if _current is not None and _current.version == row.version:
        return _current
    return SceneModel.from_bytes(row.params)


async def refresh(session: AsyncSession, *, force: bool = False) -> SceneModel:
    """Picks up a newer stored version (trained by another process); one small query a minute."""
    global _checked_at
    if not force and time.monotonic() - _checked_at < REFRESH_SECONDS:
        return current_model()
    _checked_at = time.monotonic()
    version = await _newest_version(session)
    if version is not None and (_current is None or version != _current.version):
        row = await _newest(session)
        if row is not None:
            use(_from_row(row))
    return current_model()


async def train(session: AsyncSession, *, confirmed: list[Example]) -> tuple[SceneModel, bool]:
    """A version trained on the shipped notes and these confirmed consultations. Returns the model
    and whether it is a new version (same examples and lexicon: the stored version is kept)."""
    current = await refresh(session, force=True)
    examples = shipped_examples() + confirmed
    lexicon = default_lexicon()
    if digest(examples, lexicon.version) == current.version:
        return current, False
    model = await asyncio.to_thread(train_model, examples, lexicon)
    await _insert(session, model, {"shipped": len(examples) - len(confirmed), "confirmed": len(confirmed)})
    await session.flush()
    keep = select(TextModel.id).order_by(TextModel.id.desc()).limit(KEEP_PARAMS).scalar_subquery()
    await session.execute(update(TextModel).where(TextModel.id.not_in(keep), TextModel.params.is_not(None))
                          .values(params=None))
    use(model)
    log.info("trained scene model %s on %d examples (%d confirmed)", model.version, len(examples), len(confirmed))
    return model, True
