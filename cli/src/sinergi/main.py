"""The `sinergi` command line."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer

from sinergi.embedded import DATA_DIR, resolve_database_url

app = typer.Typer(help="Sinergi: Lampung's poverty registry, programmes and reports.", no_args_is_help=True)
client_app = typer.Typer(help="API clients (OAuth2 client credentials).", no_args_is_help=True)
app.add_typer(client_app, name="client")


def _keys() -> tuple[str, str]:
    from gateway.clients.keys import ensure_keypair

    private, public = os.environ.get("JWT_PRIVATE_KEY_FILE"), os.environ.get("JWT_PUBLIC_KEY_FILE")
    if private and public:
        return private, public
    private_path, public_path = ensure_keypair(DATA_DIR / "keys")
    return str(private_path), str(public_path)


@app.command()
def migrate() -> None:
    """Bring every schema to its newest migration."""
    from kit.migrations import upgrade
    from sinergi.runner import SCHEMAS

    url, _server = resolve_database_url()
    upgrade(SCHEMAS, url)
    typer.echo("migrated: " + ", ".join(SCHEMAS))


@app.command()
def keys(directory: Annotated[Path, typer.Argument(help="where to write the two PEM files")] = Path("secrets")) -> None:
    """Create the token key pair once (jwt-private.pem, jwt-public.pem), e.g. for docker compose's secrets."""
    from gateway.clients.keys import ensure_keypair

    private, public = ensure_keypair(directory)
    typer.echo(json.dumps({"private": str(private), "public": str(public)}))


@app.command()
def run(
    host: Annotated[str, typer.Option(envvar="BIND_HOST")] = "127.0.0.1",
    workers: Annotated[int, typer.Option(envvar="WORKERS", help="uvicorn workers per process")] = 1,
    seed_households: Annotated[int, typer.Option(
        envvar="SINERGI_SEED_HOUSEHOLDS", help="synthetic households to import into an empty registry (0: none)")
    ] = 2000,
) -> None:
    """Start the database (embedded unless DATABASE_URL is set), migrate, and run all four processes."""
    from kit.migrations import upgrade
    from sinergi.importing import seed_demo
    from sinergi.runner import SCHEMAS, child_environment, supervise

    url, _server = resolve_database_url()
    typer.echo("database: " + ("embedded (.data/pg)" if _server else "DATABASE_URL"))
    upgrade(SCHEMAS, url)
    if seed_households > 0 and (seeded := seed_demo(url, seed_households, DATA_DIR / "seed")):
        typer.echo(f"registry was empty: imported {seeded:,} synthetic demo households (sinergi generate)")
    private, public = _keys()
    env = child_environment(url, private, public, host)
    raise typer.Exit(supervise(env, host, workers, private={"reporting": asyncio.run(_reporting_client())}))


REPORTING_CLIENT = "sinergi-reporting"
REPORTING_SCOPES = "registry:read pii:read programs:read"


async def _reporting_client() -> dict[str, str]:
    """The reporting service reads both feeds as its own OAuth2 client (province-wide, read-only); each start
    gives it a new secret, which only the reporting process's environment holds."""
    created = await _with_clients(lambda s: s.provision(REPORTING_CLIENT, region="18", scopes=REPORTING_SCOPES))
    return {"REPORTING_CLIENT_ID": created.client_id, "REPORTING_CLIENT_SECRET": created.client_secret}


async def _with_clients(action):  # type: ignore[no-untyped-def]
    from gateway.clients.repository import ClientRepository
    from gateway.clients.service import ClientService
    from kit.database import create_engine, create_sessionmaker
    from kit.migrations import upgrade

    url, _server = resolve_database_url()
    await asyncio.to_thread(upgrade, ["gateway"], url)
    engine = create_engine(url, application_name="sinergi-cli")
    try:
        async with create_sessionmaker(engine)() as session:
            result = await action(ClientService(ClientRepository(session)))
            await session.commit()
            return result
    finally:
        await engine.dispose()


def _fail(error: Exception) -> None:
    from kit.problems import ProblemError

    if isinstance(error, ProblemError):
        typer.echo(json.dumps({"error": error.title, "detail": error.detail}), err=True)
        raise typer.Exit(2) from None
    raise error


@client_app.command("create")
def client_create(
    client_id: str,
    region: Annotated[str, typer.Option(help='"18" (province) or "18.71" (one kab/kota)')],
    scope: Annotated[str, typer.Option(help="space-separated scopes")],
) -> None:
    """Register a client; prints its id and secret (shown once) as JSON."""
    try:
        created = asyncio.run(_with_clients(lambda s: s.create(client_id, region=region, scopes=scope)))
    except Exception as exc:
        _fail(exc)
        return
    typer.echo(json.dumps({"client_id": created.client_id, "client_secret": created.client_secret,
                           "region": created.region, "scope": created.scope}))


@client_app.command("list")
def client_list() -> None:
    """List clients (never their secrets) as JSON lines."""
    for client in asyncio.run(_with_clients(lambda s: s.list_clients())):
        typer.echo(client.model_dump_json())


@client_app.command("revoke")
def client_revoke(client_id: str) -> None:
    """Revoke a client: it gets no new token; tokens already issued expire within their short lifetime."""
    try:
        asyncio.run(_with_clients(lambda s: s.revoke(client_id)))
    except Exception as exc:
        _fail(exc)
        return
    typer.echo(json.dumps({"client_id": client_id, "revoked": True}))


@app.command("rebuild-reports")
def rebuild_reports() -> None:
    """Empty the reporting read models: the reporting service's consumer rebuilds them from both feeds."""
    from kit.database import create_engine
    from kit.migrations import upgrade
    from reporting.consumer.rebuild import empty_read_models

    url, _server = resolve_database_url()
    upgrade(["reporting"], url)

    async def empty() -> None:
        engine = create_engine(url, application_name="sinergi-cli", statement_timeout_ms=600_000)
        try:
            async with engine.begin() as connection:
                await empty_read_models(connection)
        finally:
            await engine.dispose()

    asyncio.run(empty())
    typer.echo(json.dumps({"emptied": "reporting read models", "rebuild": "from both feeds' start"}))


ExistingFile = Annotated[Path | None, typer.Option(exists=True, dir_okay=False, readable=True)]


@app.command("import")
def import_files(
    households: ExistingFile = None,
    members: ExistingFile = None,
    operator: Annotated[str, typer.Option(envvar="USER", help="who runs it; recorded as client `cli:<operator>`")
                        ] = "operator",
    errors: Annotated[Path | None, typer.Option(help="write the refused rows (CSV) to this file")] = None,
) -> None:
    """Import DTKS/DTSEN CSV files province-wide: the same job as POST /api/v1/imports, run here."""
    from kit.migrations import upgrade
    from sinergi.importing import run_import, summary
    from targeting.imports.dialects import FileKind

    files = {kind: path for kind, path in ((FileKind.households, households), (FileKind.members, members)) if path}
    if not files:
        raise typer.BadParameter("give --households, --members or both")
    url, _server = resolve_database_url()
    upgrade(["targeting"], url)
    started = time.monotonic()
    job_id, outcome = run_import(url, files, operator=operator, errors=errors)
    typer.echo(summary(job_id, outcome) + f"\n({time.monotonic() - started:.1f} s)")
    raise typer.Exit(0 if outcome.status == "succeeded" else 1)


@app.command()
def generate(
    households: Annotated[int, typer.Option(min=1, help="how many families")],
    out: Annotated[Path, typer.Option(file_okay=False, help="folder for households.csv and members.csv")],
    seed: Annotated[int, typer.Option(help="same seed, same files")] = 1,
    dialect: Annotated[str, typer.Option(help="sinergi (our column names) or dtsen")] = "sinergi",
) -> None:
    """Write a synthetic Lampung registry calibrated on DOMAIN.md section 7 (deterministic per seed)."""
    from rich.progress import Progress

    from sinergi.generator import generate as write

    if dialect not in ("sinergi", "dtsen"):
        raise typer.BadParameter("dialect is sinergi or dtsen")
    started = time.monotonic()
    with Progress(transient=True) as bar:
        task = bar.add_task("generating", total=households)
        made = write(households, seed, out, dialect, progress=lambda n: bar.advance(task, n))
    typer.echo(json.dumps({"households": made.households, "members": made.members,
                           "files": [str(made.households_path), str(made.members_path)],
                           "seconds": round(time.monotonic() - started, 1)}))
