"""The arq worker: `renkei worker` (`python -m workers`). One arq function runs any job row by id; cron
jobs sweep the outbox every minute and schedule the nightly and daily work. Start-up configures the
process exactly as the API's (backend.runtime): the same lexicon, job kinds and logging."""

import logging

from arq import Retry, cron
from arq.connections import RedisSettings
from arq.worker import Worker, run_worker as arq_run_worker

from backend import runtime
from backend.db import make_engine, make_sessions
from backend.jobs import dispatch, runner
from backend.settings import get_settings

log = logging.getLogger("renkei.worker")


async def startup(ctx: dict) -> None:
    settings = runtime.configure(ctx.get("settings") or get_settings())
    ctx["settings"] = settings
    ctx["engine"] = make_engine(settings.database_url, pool_size=4)
    ctx["sessions"] = make_sessions(ctx["engine"])


async def shutdown(ctx: dict) -> None:
    await ctx["engine"].dispose()


async def run_job(ctx: dict, job_id: int) -> str:
    outcome = await runner.execute(ctx["sessions"], job_id, settings=ctx["settings"])
    if outcome.status == "retry":
        raise Retry(defer=outcome.retry_in)
    return outcome.status


async def sweep(ctx: dict) -> int:
    from backend.jobs import schedules
    await schedules.seal_audit(ctx["sessions"])
    return await dispatch.send_due(ctx["sessions"], ctx["redis"])


async def nightly(ctx: dict) -> None:
    from backend.jobs import schedules
    await schedules.nightly(ctx["sessions"])
    await dispatch.send_due(ctx["sessions"], ctx["redis"])


async def daily(ctx: dict) -> None:
    from backend.jobs import schedules
    await schedules.daily(ctx["sessions"])
    await dispatch.send_due(ctx["sessions"], ctx["redis"])


FUNCTIONS = [run_job]
CRON_JOBS = [
    cron(sweep, second=0, run_at_startup=True, unique=True, timeout=60),
    cron(nightly, hour=18, minute=5, unique=True, timeout=600),   # 03:05 JST
    cron(daily, hour=23, minute=30, unique=True, timeout=600),    # 08:30 JST
]


class WorkerSettings:
    functions = FUNCTIONS
    cron_jobs = CRON_JOBS
    on_startup = startup
    on_shutdown = shutdown
    job_timeout = get_settings().job_timeout_seconds
    job_serializer = staticmethod(dispatch.serialize)
    job_deserializer = staticmethod(dispatch.deserialize)
    max_tries = 20  # our own attempt limit (job.max_attempts) decides before this does
    keep_result = 3600

    @staticmethod
    def redis_settings() -> RedisSettings:
        return RedisSettings.from_dsn(get_settings().redis_url)


def build_worker(*, redis_pool=None, burst: bool = False, settings=None, cron_jobs=CRON_JOBS, **kwargs) -> Worker:
    return Worker(FUNCTIONS, cron_jobs=cron_jobs, on_startup=startup, on_shutdown=shutdown,
                  redis_pool=redis_pool, redis_settings=None if redis_pool else WorkerSettings.redis_settings(),
                  burst=burst, job_timeout=(settings or get_settings()).job_timeout_seconds, max_tries=WorkerSettings.max_tries,
                  job_serializer=dispatch.serialize, job_deserializer=dispatch.deserialize,
                  ctx={"settings": settings} if settings else None, **kwargs)


def run_worker() -> int:
    WorkerSettings.redis_settings = WorkerSettings.redis_settings()  # arq wants a value here
    arq_run_worker(WorkerSettings)
    return 0
