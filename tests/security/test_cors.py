"""CORS: closed unless CORS_ORIGINS names origins; then those origins, and only they, may call the API from a
browser through the gateway, preflight included, and read the headers an integration needs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.main import create_app as create_gateway
from gateway.settings import GatewaySettings
from targeting.main import create_app as create_targeting
from targeting.settings import TargetingSettings
from tests.conftest import AUDIENCE, ISSUER

DASHBOARD = "https://dasbor.tkpk.lampungprov.go.id"
PREFLIGHT = {"Origin": DASHBOARD, "Access-Control-Request-Method": "PATCH",
             "Access-Control-Request-Headers": "authorization,if-match,content-type"}


@pytest.fixture
async def gateway(database_url: str, keypair: tuple[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway in front of a targeting service configured with one allowed browser origin."""
    private, public = keypair
    common = {"database_url": database_url, "jwt_public_key": public, "jwt_issuer": ISSUER, "jwt_audience": AUDIENCE}
    targeting = create_targeting(TargetingSettings(**common, cors_origins=[DASHBOARD]))
    upstream = httpx.AsyncClient(transport=httpx.ASGITransport(app=targeting), base_url="http://targeting")
    app = create_gateway(GatewaySettings(**common, jwt_private_key=private), upstreams={"targeting": upstream})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
        yield client
    await upstream.aclose()


async def test_the_configured_origin_passes_preflight_and_reads_the_integration_headers(gateway, auth):
    preflight = await gateway.options("/api/v1/households/00000000-0000-0000-0000-000000000000", headers=PREFLIGHT)
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == DASHBOARD
    assert {"if-match", "authorization"} <= {h.strip().lower() for h in
                                             preflight.headers["access-control-allow-headers"].split(",")}

    response = await gateway.get("/api/v1/regions/18", headers=auth() | {"Origin": DASHBOARD})
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == DASHBOARD
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "location", "x-request-id", "retry-after", "idempotent-replayed", "feed-next-after",
            "feed-entries", "feed-head", "feed-columns"} <= exposed


async def test_another_origin_gets_no_cors_grant(gateway, auth):
    other = PREFLIGHT | {"Origin": "https://evil.example"}
    preflight = await gateway.options("/api/v1/households/00000000-0000-0000-0000-000000000000", headers=other)
    assert preflight.status_code == 400 and "access-control-allow-origin" not in preflight.headers
    response = await gateway.get("/api/v1/regions/18", headers=auth() | {"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


async def test_without_configured_origins_no_origin_gets_a_grant(apps, auth):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps.gateway), base_url="http://gw") as client:
        response = await client.get("/api/v1/regions/18", headers=auth() | {"Origin": DASHBOARD})
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers
