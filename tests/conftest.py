"""Test plumbing: one migrated database per run (embedded, or on DATABASE_URL's server), the four apps
wired in-process, and each test in a transaction that is rolled back."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from gateway.clients.keys import TokenSigner, generate_keypair
from gateway.main import create_app as create_gateway
from gateway.settings import GatewaySettings
from kit.database import sqlalchemy_url
from kit.migrations import upgrade
from programs.main import create_app as create_programs
from programs.settings import ProgramsSettings
from reporting.main import create_app as create_reporting
from reporting.settings import ReportingSettings
from sinergi.embedded import DATA_DIR, drop_database, ensure_database, start_embedded
from sinergi.runner import SCHEMAS
from targeting.main import create_app as create_targeting
from targeting.settings import TargetingSettings

ISSUER, AUDIENCE = "sinergi", "sinergi-api"
ALL_SCOPES = ("registry:read registry:write registry:import registry:approve pii:read programs:read "
              "programs:write reports:read admin")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        _server, server_url = start_embedded(DATA_DIR / "test-pg")
    name = f"sinergi_test_{uuid.uuid4().hex[:8]}"
    url = ensure_database(server_url, name, fresh=True)
    upgrade(SCHEMAS, url)
    yield url
    drop_database(server_url, name)


@pytest.fixture(scope="session")
def keypair() -> tuple[str, str]:
    return generate_keypair()


@pytest.fixture(scope="session")
def signer(keypair: tuple[str, str]) -> TokenSigner:
    return TokenSigner(keypair[0], issuer=ISSUER, audience=AUDIENCE, ttl_seconds=900)


TokenFactory = Callable[..., dict[str, str]]


@pytest.fixture(scope="session")
def auth(signer: TokenSigner) -> TokenFactory:
    """Authorization headers for a client in `region` with `scopes` (default: every scope)."""

    def headers(region: str = "18", scopes: str = ALL_SCOPES, client_id: str = "test-client") -> dict[str, str]:
        token = signer.sign(client_id=client_id, region=region, scopes=scopes.split())
        return {"Authorization": f"Bearer {token}"}

    return headers


@dataclass
class Apps:
    targeting: object
    programs: object
    reporting: object
    gateway: object

    @property
    def services(self) -> dict[str, object]:
        return {"targeting": self.targeting, "programs": self.programs, "reporting": self.reporting}


def _asgi_client(app: object, name: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}")  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def apps(database_url: str, keypair: tuple[str, str]) -> Apps:
    private, public = keypair
    common = {"database_url": database_url, "jwt_public_key": public, "jwt_issuer": ISSUER,
              "jwt_audience": AUDIENCE}
    targeting = create_targeting(TargetingSettings(**common))
    programs = create_programs(ProgramsSettings(**common))
    # In process, the programs service reaches the registry on the targeting app itself.
    programs.state.registry_http = _asgi_client(targeting, "targeting")
    reporting = create_reporting(ReportingSettings(**common))
    upstreams = {n: _asgi_client(a, n) for n, a in
                 {"targeting": targeting, "programs": programs, "reporting": reporting}.items()}
    gateway = create_gateway(GatewaySettings(**common, jwt_private_key=private), upstreams=upstreams)
    return Apps(targeting, programs, reporting, gateway)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[object]:
    engine = create_async_engine(sqlalchemy_url(database_url), poolclass=NullPool)
    yield engine
    await engine.dispose()


def _fastapi(app: object) -> object:
    return getattr(app, "fastapi_app", app)


@pytest.fixture
async def connection(engine, apps: Apps) -> AsyncIterator[AsyncConnection]:  # type: ignore[no-untyped-def]
    """One connection in a transaction shared by every app; rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        maker = async_sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                   expire_on_commit=False, autoflush=False)
        originals = {}
        for app in (apps.targeting, apps.programs, apps.reporting, apps.gateway):
            state = _fastapi(app).state  # type: ignore[attr-defined]
            originals[id(state)] = (state, state.sessionmaker)
            state.sessionmaker = maker
        try:
            yield connection
        finally:
            for state, original in originals.values():
                state.sessionmaker = original
            await transaction.rollback()


@pytest.fixture
async def gateway(apps: Apps, connection: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    async with _asgi_client(apps.gateway, "gateway") as client:
        yield client


@pytest.fixture
async def targeting(apps: Apps, connection: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    async with _asgi_client(apps.targeting, "targeting") as client:
        yield client


@pytest.fixture
async def programs(apps: Apps, connection: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    async with _asgi_client(apps.programs, "programs") as client:
        yield client


@pytest.fixture
async def reporting(apps: Apps, connection: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    async with _asgi_client(apps.reporting, "reporting") as client:
        yield client

