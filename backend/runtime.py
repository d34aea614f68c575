"""What every process configures before it works: logging, the classifier's lexicon, the job kinds and
the caches. `create_app` (the API) and the worker's start-up both call `configure`, so a deployment's
lexicon or a log setting can never apply to one and not the other."""

import logging
import sys

from backend.settings import Settings

_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure(settings: Settings) -> Settings:
    """Idempotent; a broken lexicon file stops the start, naming the file and the line."""
    from backend.accounts import service as accounts
    from backend.jobs import kinds
    from backend.text import scenes

    configure_logging(settings)
    scenes.configure(settings.lexicon_paths)
    kinds.load()
    accounts.token_cache.ttl = settings.token_cache_seconds
    return settings


def configure_logging(settings: Settings) -> None:
    """Our own loggers at the configured level. Libraries that would log a request's text are kept quiet:
    strawberry logs the variables or document of a failed operation (the API logs its own line instead,
    see api/errors.py), uvicorn's access log carries query strings (the edge writes its own)."""
    root = logging.getLogger()
    if not any(getattr(h, "_renkei", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_LOG_FORMAT))
        handler._renkei = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in ("strawberry.execution", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.disabled = True
        logger.propagate = False
    # database drivers log each statement with its parameters at DEBUG: never below WARNING, whatever the
    # operator's level (the parameters are consultations' text)
    for name in ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool"):
        logging.getLogger(name).setLevel(logging.WARNING)
