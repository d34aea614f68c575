"""Settings from the environment, prefix RENKEI_ (see docs/operations.md)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RENKEI_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite+aiosqlite:///{ROOT / 'var' / 'renkei.db'}"
    # the owner's connection for migrations and `renkei db roles` (PostgreSQL); defaults to database_url
    migration_database_url: str | None = None
    db_pool_size: int = 10
    redis_url: str | None = None
    # without Redis, the API process runs the jobs itself; false leaves them queued for another process
    # (the browser tests' server, so that the suite's own runner sees every job)
    embedded_jobs: bool = True
    smtp_url: str | None = None
    mail_sender: str = "Renkei Desk <no-reply@renkei-desk.local>"
    outbox_dir: Path = ROOT / "var" / "outbox"
    public_url: str = "http://127.0.0.1:8000"

    suppression_threshold: int = Field(10, ge=2)
    dashboard_cache_seconds: float = 60.0
    lexicon_paths: list[Path] = []

    # Production defaults: introspection, field suggestions and the IDE off (the demo run turns them on).
    introspection: bool = False
    graphql_ide: bool = False
    max_query_depth: int = 8
    max_aliases: int = 30
    max_tokens: int = 2000
    max_document_bytes: int = 20_000
    max_request_bytes: int = 65_536       # any request body, however it is sent (the screens' forms included)
    auth_failures_per_minute: int = 20    # wrong tokens from one address before it is refused for a while
    max_page_size: int = 100
    token_cache_seconds: float = 30.0
    # arq's limit on one delivery; a worker that dies mid-job holds its delivery this long (+10 s)
    job_timeout_seconds: int = 900
    # people's log-in (docs/security.md)
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    login_failures_per_account: int = 5    # per 15 minutes, then that account's log-in waits
    login_failures_per_address: int = 30   # per 15 minutes, then that address's log-in waits
    invitation_hours: int = 72
    totp_issuer: str = "Renkei Desk"
    log_level: str = "INFO"
    timezone: str = "Asia/Tokyo"


    @property
    def migration_url(self) -> str:
        return self.migration_database_url or self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
