"""The operator's CLI: `renkei --help`."""

import asyncio
import os
import sys
from pathlib import Path

import typer

from backend.settings import ROOT, get_settings

app = typer.Typer(help="Renkei Desk (連携デスク) operator commands.", no_args_is_help=True)
db_app = typer.Typer(help="Database.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)
schema_app = typer.Typer(help="GraphQL schema.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
resources_app = typer.Typer(help="The resource directory: imports and HSDS export.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(resources_app, name="resources")
app.add_typer(users_app, name="users")
app.add_typer(schema_app, name="schema")


def _logging() -> None:
    from backend.runtime import configure_logging
    configure_logging(get_settings())


async def _upgrade() -> int:
    from backend import migrate
    from backend.db import make_engine, make_sessions, transaction
    from backend.regions import service as regions

    settings = get_settings()
    if settings.database_url.startswith("sqlite"):
        Path(settings.database_url.split("///", 1)[-1]).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.migration_url)   # the owner: the application's role cannot change the schema
    try:
        await migrate.upgrade(engine)
        async with transaction(make_sessions(engine)) as session:
            return await regions.load_reference_data(session)
    finally:
        await engine.dispose()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations and load the reference data (idempotent)."""
    _logging()
    added = asyncio.run(_upgrade())
    typer.echo(f"database is at head; {added} municipalities added")


@db_app.command("roles")
def db_roles(app_role: str = typer.Argument("renkei_app", help="The role the application connects as."),
             password_env: str = typer.Option("", help="Name of an environment variable holding its password.")) -> None:
    """PostgreSQL: create (or update) the application's role, which may only INSERT and SELECT the audit trail.
    Run as the owner (RENKEI_MIGRATION_DATABASE_URL or RENKEI_DATABASE_URL); see docs/operations.md."""
    from backend.audit.roles import create_app_role
    from backend.db import make_engine

    async def run() -> None:
        engine = make_engine(get_settings().migration_url)
        try:
            await create_app_role(engine, app_role, os.environ[password_env] if password_env else None)
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
    except ValueError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"role {app_role}: INSERT and SELECT on audit_event (plus its seal), full use of the other tables")


@audit_app.command("verify")
def audit_verify() -> None:
    """Seal the rows written since the last seal, then check the whole hash chain. Exit 1 and name the
    first row that was changed or removed."""
    from backend.audit import chain
    from backend.db import make_engine, make_sessions, transaction

    async def run() -> chain.Verdict:
        engine = make_engine(get_settings().database_url)
        try:
            sessions = make_sessions(engine)
            async with transaction(sessions) as session:
                await chain.seal(session)
            async with sessions() as session:
                return await chain.verify(session)
        finally:
            await engine.dispose()

    verdict = asyncio.run(run())
    if not verdict.intact:
        typer.echo(f"audit chain BROKEN at row {verdict.broken_at}: {verdict.reason} ({verdict.checked} rows intact "
                   "before it)", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {verdict.checked} rows, head {verdict.head or '-'}")


@users_app.command("create-admin")
def create_admin(email: str, name: str = typer.Option("管理者", "--name", help="Display name.")) -> None:
    """Create an ADMIN and print its API token as the last line."""
    from backend.accounts import service as accounts
    from backend.accounts.actor import SYSTEM
    from backend.db import make_engine, make_sessions, transaction
    from backend.errors import UserInputError
    from backend.taxonomy import Role

    async def run() -> str:
        engine = make_engine(get_settings().database_url)
        try:
            async with transaction(make_sessions(engine)) as session:
                _, token = await accounts.create_user(session, actor=SYSTEM, email=email, display_name=name, role=Role.ADMIN)
            return token
        finally:
            await engine.dispose()

    try:
        token = asyncio.run(run())
    except UserInputError as e:
        typer.echo(f"error: {e.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created admin {email}; API token (shown once):")
    typer.echo(token)


@users_app.command("invite")
def invite(email: str,
           role: str = typer.Option(..., "--role", help="admin, prefecture_analyst, hub_manager or coordinator."),
           hub: int | None = typer.Option(None, "--hub", help="Hub id (hub_manager, coordinator)."),
           prefecture: str | None = typer.Option(None, "--prefecture", help="Prefecture code (prefecture_analyst)."),
           service: int | None = typer.Option(None, "--service", help="Resource directory entry id (facility_contact)."),
           name: str | None = typer.Option(None, "--name", help="Display name (the person may change it).")) -> None:
    """Invite a person: the link (valid 72 hours, once) is e-mailed and printed as the last line."""
    from backend.accounts import invitations
    from backend.accounts.actor import SYSTEM
    from backend.db import make_engine, make_sessions, transaction
    from backend.errors import UserInputError
    from backend.taxonomy import Role

    settings = get_settings()
    roles = {r.value: r for r in Role} | {r.name.lower(): r for r in Role}
    if role.lower() not in roles:
        typer.echo(f"error: unknown role {role!r}; one of: {', '.join(r.value for r in Role)}", err=True)
        raise typer.Exit(2)

    async def run() -> str:
        engine = make_engine(settings.database_url)
        try:
            async with transaction(make_sessions(engine)) as session:
                invited = await invitations.invite(session, actor=SYSTEM, settings=settings, email=email,
                                                   role=roles[role.lower()], hub_id=hub, prefecture_code=prefecture,
                                                   display_name=name, service_id=service)
            return invited.url
        finally:
            await engine.dispose()

    try:
        url = asyncio.run(run())
    except UserInputError as e:
        typer.echo(f"error: {e.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"invited {email} as {roles[role.lower()].value}; the link was queued for e-mail "
               f"(valid {settings.invitation_hours} hours, once):")
    typer.echo(url)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the screens (/), /graphql and /healthz."""
    import uvicorn

    from backend.app import create_app

    _logging()
    typer.echo(f"Screens: http://{host}:{port}/    GraphQL: http://{host}:{port}/graphql")
    # uvicorn's access log would carry query strings: the app's edge writes its own line without them
    uvicorn.run(create_app(get_settings()), host=host, port=port, log_level=get_settings().log_level.lower(),
                access_log=False, log_config=None)


@schema_app.command("export")
def schema_export(output: Path = typer.Option(ROOT / "graphql" / "schema.graphql", help="Where to write the SDL.")) -> None:
    """Write the schema's SDL (graphql/schema.graphql)."""
    from backend.api.schema import schema

    output.write_text(schema.as_str() + "\n", encoding="utf-8")
    typer.echo(f"wrote {output}")


@app.command()
def demo() -> None:
    """Load the demo prefecture, hubs, accounts (e-mail, password, TOTP key and API token printed) and consultations."""
    from backend import demo as demo_data

    _logging()
    asyncio.run(_upgrade())
    for line in asyncio.run(demo_data.load(get_settings())):
        typer.echo(line)


@app.command()
def worker() -> None:
    """Run the arq worker (needs RENKEI_REDIS_URL)."""
    if not get_settings().redis_url:
        typer.echo("RENKEI_REDIS_URL is not set: the embedded runner inside `renkei serve` runs the jobs.", err=True)
        raise typer.Exit(2)
    # the worker is its own program (workers/): this process becomes it, signals and all
    os.execv(sys.executable, [sys.executable, "-m", "workers"])


@resources_app.command("import")
def resources_import(kind: str = typer.Argument(..., help="kaigo, navii-hospital, navii-clinic, navii-dental, "
                                                          "navii-pharmacy, navii-hours or kouseikyoku"),
                     file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
                     as_of: str | None = typer.Option(None, "--as-of", help="the data's date (YYYY-MM-DD) when the "
                                                                           "file does not say it"),
                     section: str | None = typer.Option(None, "--section", help="名簿 without a 区分 column: "
                                                                                "医科, 歯科, 薬局 or 訪問看護")) -> None:
    """Import a public source file (idempotent); prints what was added, changed and left unmatched."""
    from datetime import date

    import backend.models  # noqa: F401 - every table, for the foreign keys between domains
    from backend.db import make_engine, make_sessions
    from backend.resources.importers.common import ImportRefused
    from backend.resources.importers.run import describe, import_file

    _logging()
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        typer.echo(f"error: --as-of は YYYY-MM-DD で指定してください（{as_of}）。", err=True)
        raise typer.Exit(2) from None

    async def run():
        engine = make_engine(get_settings().database_url)
        try:
            return await import_file(make_sessions(engine), kind, file, as_of=day, section=section)
        finally:
            await engine.dispose()

    try:
        report = asyncio.run(run())
    except ImportRefused as e:
        typer.echo(f"error: {file.name} を取り込みませんでした（何も書き込んでいません）。", err=True)
        for problem in e.problems:
            typer.echo(f"  {problem}", err=True)
        if e.more:
            typer.echo(f"  ほか {e.more}件", err=True)
        raise typer.Exit(1) from None
    for line in describe(report):
        typer.echo(line)


@resources_app.command("export")
def resources_export(output: Path = typer.Argument(..., help="a .json file, or a .zip for the tabular data package"),
                     format: str = typer.Option("", "--format", help="json or datapackage (default: by the suffix)")) -> None:
    """Export the directory as HSDS 3.1: nested JSON, or the tabular data package (CSV files and datapackage.json)."""
    import backend.models  # noqa: F401 - every table, for the foreign keys between domains
    from backend.db import make_engine, make_sessions
    from backend.resources import hsds

    kind = format or ("datapackage" if output.suffix == ".zip" else "json")
    if kind not in ("json", "datapackage"):
        typer.echo("error: --format は json か datapackage です。", err=True)
        raise typer.Exit(2)

    async def run() -> bytes:
        engine = make_engine(get_settings().database_url)
        try:
            async with make_sessions(engine)() as session:
                return await (hsds.export_json(session) if kind == "json" else hsds.export_datapackage(session))
        finally:
            await engine.dispose()

    output.write_bytes(asyncio.run(run()))
    typer.echo(f"wrote {output}")
