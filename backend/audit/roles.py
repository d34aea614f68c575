"""Two database roles on PostgreSQL: the owner runs the migrations; the application connects as a role that
may only INSERT and SELECT the audit trail (and seal its rows, column by column), so neither a bug nor an
intruder in the application can rewrite, empty or switch off the trail."""

import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
SEAL_COLUMNS = ("chain_seq", "prev_hash", "row_hash")


def grant_statements(role: str, database: str, password: str | None = None) -> list[str]:
    if not _ROLE.fullmatch(role):
        raise ValueError("role names are lower-case letters, digits and _")
    statements = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
        f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; END $$",
        f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        # the trail: read and append, and the seal's three columns; never rewrite, delete or empty it
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM {role}",
        f"GRANT UPDATE ({', '.join(SEAL_COLUMNS)}) ON audit_event TO {role}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}",
    ]
    if password is not None:
        statements.append(f"ALTER ROLE {role} PASSWORD '{password.replace(chr(39), chr(39) * 2)}'")
    return statements


async def create_app_role(engine: AsyncEngine, role: str, password: str | None = None) -> None:
    """Run as the owner (the role that ran the migrations); idempotent."""
    if engine.dialect.name != "postgresql":
        raise ValueError("database roles exist on PostgreSQL only (SQLite is a single file, protected by its triggers)")
    async with engine.begin() as conn:
        database = await conn.scalar(text("SELECT current_database()"))
        for statement in grant_statements(role, database, password):
            await conn.execute(text(statement))
