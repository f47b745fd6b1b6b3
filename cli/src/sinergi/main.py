"""The `sinergi` command line."""

from __future__ import annotations

import asyncio
import json
import os
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
) -> None:
    """Start the database (embedded unless DATABASE_URL is set), migrate, and run all four processes."""
    from kit.migrations import upgrade
    from sinergi.runner import SCHEMAS, child_environment, supervise

    url, _server = resolve_database_url()
    typer.echo("database: " + ("embedded (.data/pg)" if _server else "DATABASE_URL"))
    upgrade(SCHEMAS, url)
    private, public = _keys()
    raise typer.Exit(supervise(child_environment(url, private, public, host), host, workers))


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
