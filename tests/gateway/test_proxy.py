import asyncio
import contextlib
import hashlib
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from gateway.http1 import HttpUpstream
from gateway.main import create_app
from gateway.routing import RouteTable
from gateway.settings import GatewaySettings
from gateway.upstream import UpstreamUnavailableError, fetch
from tests.support import assert_problem


class TestRouteTable:
    def test_routes_by_first_segments_longest_first(self):
        table = RouteTable()
        assert table.service_for("/api/v1/households/abc") == "targeting"
        assert table.service_for("/api/v1/feeds/registry") == "targeting"
        assert table.service_for("/api/v1/feeds/programs") == "programs"
        assert table.service_for("/api/v1/reports/coverage") == "reporting"
        assert table.service_for("/dci/registry/sync/search") == "targeting"
        assert table.service_for("/api/v1/householdsX") is None
        assert table.service_for("/api/v1/feeds/other") is None
        assert table.service_for("/health") is None


class TestProxy:
    async def test_passes_the_request_id_both_ways(self, gateway, auth):
        response = await gateway.get("/api/v1/regions/18", headers=auth() | {"X-Request-ID": "abc-123"})
        assert response.status_code == 200
        assert response.headers["x-request-id"] == "abc-123"

    async def test_mints_a_request_id_when_absent_or_malformed(self, gateway, auth):
        response = await gateway.get("/api/v1/regions/18", headers=auth() | {"X-Request-ID": "bad id;drop"})
        assert len(response.headers["x-request-id"]) == 32

    async def test_unknown_api_path_is_404_problem(self, gateway, auth):
        assert_problem(await gateway.get("/api/v1/nothing-here", headers=auth()), 404)

    async def test_unknown_method_is_405_problem(self, gateway):
        assert_problem(await gateway.delete("/api/v1/auth/token"), 405)

    async def test_personal_data_is_never_cached(self, gateway, auth):
        response = await gateway.get("/api/v1/regions/18", headers=auth())
        assert response.headers["cache-control"] == "no-store"
        assert "server" not in response.headers

    async def test_a_down_service_answers_502_and_others_still_work(self, apps, database_url, keypair, connection,
                                                                   auth):
        upstreams = {
            "targeting": HttpUpstream("http://127.0.0.1:9", timeout=5.0, connect_timeout=1.0, max_connections=4),
            "programs": httpx.AsyncClient(transport=httpx.ASGITransport(app=apps.programs), base_url="http://p"),
            "reporting": httpx.AsyncClient(transport=httpx.ASGITransport(app=apps.reporting), base_url="http://r"),
        }
        settings = GatewaySettings(database_url=database_url, jwt_private_key=keypair[0], jwt_public_key=keypair[1])
        app = create_app(settings, upstreams=upstreams)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
            down = await client.get("/api/v1/regions/18", headers=auth())
            body = assert_problem(down, 502, "upstream-unavailable")
            assert "targeting" in body["detail"]
            health = (await client.get("/health")).json()
            assert health["status"] == "degraded" and health["services"]["targeting"]["status"] == "unavailable"
            assert health["services"]["programs"]["status"] == "ok"
            still_up = await client.get("/health")
            assert still_up.status_code == 200
        for upstream in upstreams.values():
            await upstream.aclose()


class FakeService:
    """A real HTTP server standing in for a service, so the production upstream path is what gets tested."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_route("*", "/api/v1/regions/echo", self.echo)
        self.app.router.add_route("*", "/api/v1/regions/echo/{rest:.*}", self.echo)
        self.app.router.add_get("/api/v1/regions/stream", self.stream)
        self.app.router.add_get("/api/v1/regions/slow", self.slow)
        self.app.router.add_get("/api/v1/regions/hop", self.hop)
        self.app.router.add_get("/api/v1/regions/big", self.big)
        self.app.router.add_post("/api/v1/regions/refuse", self.refuse)
        self.app.router.add_get("/api/v1/regions/broken", self.broken)

    async def echo(self, request: web.Request) -> web.Response:
        body = b"".join([chunk async for chunk in request.content.iter_any()])
        return web.json_response({
            "method": request.method, "raw_path": request.raw_path,
            "headers": [[k.lower(), v] for k, v in request.headers.items()],
            "length": len(body), "sha256": hashlib.sha256(body).hexdigest(),
        })

    async def stream(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"content-type": "text/csv"})
        await response.prepare(request)
        for n in range(5):
            await response.write(f"line {n}\n".encode() * 1000)
            await asyncio.sleep(0.01)
        await response.write_eof()
        return response

    async def slow(self, request: web.Request) -> web.Response:
        await asyncio.wait_for(self.release.wait(), timeout=10)
        return web.json_response({"late": True})

    async def big(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for n in range(32):
            await response.write(bytes([n]) * 65_536)
        await response.write_eof()
        return response

    async def refuse(self, request: web.Request) -> web.Response:
        # Answers without reading the upload, as a service's body limit does.
        return web.json_response({"refused": True}, status=413)

    async def broken(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"content-length": "100000"})
        await response.prepare(request)
        await response.write(b"x" * 1000)
        request.transport.close()
        return response

    async def hop(self, request: web.Request) -> web.Response:
        return web.json_response({}, headers={"X-Upstream-Hop": "1", "Connection": "X-Upstream-Hop",
                                              "X-Kept": "yes"})


@pytest.fixture
async def service_url() -> AsyncIterator[tuple[str, FakeService]]:
    fake = FakeService()
    runner = web.AppRunner(fake.app)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", fake
    finally:
        fake.release.set()
        await runner.cleanup()


@pytest.fixture
async def proxied(service_url, database_url, keypair) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway whose targeting upstream is the fake service over real HTTP, with a 0.5 s read timeout."""
    url, _fake = service_url
    upstreams = {name: HttpUpstream(url, timeout=0.5, connect_timeout=1.0, max_connections=8)
                 for name in ("targeting", "programs", "reporting")}
    settings = GatewaySettings(database_url=database_url, jwt_private_key=keypair[0], jwt_public_key=keypair[1])
    app = create_app(settings, upstreams=upstreams)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
        yield client
    for upstream in upstreams.values():
        await upstream.aclose()


class TestProxyOverHttp:
    async def test_streams_a_large_chunked_upload_intact(self, proxied):
        parts = [bytes([n % 251]) * 50_000 for n in range(8)]

        async def upload() -> AsyncIterator[bytes]:
            for part in parts:
                yield part

        response = await proxied.post("/api/v1/regions/echo", content=upload(),
                                      headers={"content-type": "text/csv"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["length"] == sum(map(len, parts))
        assert body["sha256"] == hashlib.sha256(b"".join(parts)).hexdigest()
        assert ["content-type", "text/csv"] in body["headers"]

    async def test_streams_a_body_larger_than_the_buffers_both_ways(self, proxied):
        response = await proxied.get("/api/v1/regions/big")
        assert response.status_code == 200
        assert response.content == b"".join(bytes([n]) * 65_536 for n in range(32))

    async def test_a_service_answering_before_the_upload_ends_is_passed_through(self, proxied):
        async def upload() -> AsyncIterator[bytes]:
            for _ in range(64):
                yield b"y" * 65_536

        response = await proxied.post("/api/v1/regions/refuse", content=upload())
        assert response.status_code == 413 and response.json() == {"refused": True}
        assert (await proxied.get("/api/v1/regions/hop")).status_code == 200

    async def test_a_response_cut_short_is_not_passed_on_as_complete(self, proxied):
        with pytest.raises(UpstreamUnavailableError):
            await proxied.get("/api/v1/regions/broken")

    async def test_reuses_connections_and_survives_ones_the_service_closed(self, service_url, database_url,
                                                                           keypair):
        url, _fake = service_url
        upstream = HttpUpstream(url, timeout=2.0, connect_timeout=1.0, max_connections=2)
        for _ in range(5):
            status, _body = await fetch(upstream, "/api/v1/regions/hop", read_timeout=2.0)
            assert status == 200
        assert len(upstream._idle) == 1
        for connection in upstream._idle:
            connection.close()
        status, _body = await fetch(upstream, "/api/v1/regions/hop", read_timeout=2.0)
        assert status == 200
        await upstream.aclose()

    async def test_retries_once_when_a_pooled_connection_dies_unanswered(self):
        """The race keep-alive expiry narrows but cannot close: the service drops an idle connection just
        as a request is written into it."""
        answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
        connections = 0

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            first_connection = connections == 1
            requests = 0
            with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
                while await reader.readuntil(b"\r\n\r\n"):
                    requests += 1
                    if first_connection and requests == 2:
                        writer.close()
                        return
                    writer.write(answer)
                    await writer.drain()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        upstream = HttpUpstream(f"http://127.0.0.1:{port}", timeout=2.0, connect_timeout=1.0, max_connections=2)
        try:
            assert await fetch(upstream, "/a", read_timeout=2.0) == (200, b"ok")
            assert await fetch(upstream, "/b", read_timeout=2.0) == (200, b"ok")
            assert connections == 2
        finally:
            await upstream.aclose()
            server.close()

    async def test_a_small_body_arrives_with_its_length(self, proxied):
        response = await proxied.put("/api/v1/regions/echo", content=b'{"a": 1}',
                                     headers={"content-type": "application/json"})
        body = response.json()
        assert body["method"] == "PUT" and body["length"] == 8
        assert ["content-length", "8"] in body["headers"]

    async def test_streams_the_response_back(self, proxied):
        response = await proxied.get("/api/v1/regions/stream")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv"
        assert response.text == "".join(f"line {n}\n" * 1000 for n in range(5))

    async def test_path_and_query_pass_unaltered(self, proxied):
        response = await proxied.get("/api/v1/regions/echo/18%2F71/a%20b?x=1&y=%2F&x=2")
        assert response.json()["raw_path"] == "/api/v1/regions/echo/18%2F71/a%20b?x=1&y=%2F&x=2"

    async def test_strips_hop_by_hop_request_fields_and_sets_forwarding_ones(self, proxied):
        response = await proxied.get("/api/v1/regions/echo", headers={
            "Connection": "keep-alive, X-Private-Hop", "X-Private-Hop": "1", "Keep-Alive": "timeout=5",
            "TE": "trailers", "Proxy-Authorization": "Basic eDp5", "Authorization": "Bearer t",
            "X-Request-ID": "req-42",
        })
        headers = response.json()["headers"]
        names = {name for name, _ in headers}
        assert not names & {"connection", "x-private-hop", "keep-alive", "te", "proxy-authorization"}
        assert ["authorization", "Bearer t"] in headers
        assert ["x-request-id", "req-42"] in headers
        assert ["x-forwarded-proto", "http"] in headers
        assert response.headers["x-request-id"] == "req-42"

    async def test_strips_hop_by_hop_response_fields(self, proxied):
        response = await proxied.get("/api/v1/regions/hop")
        assert response.headers["x-kept"] == "yes"
        assert "x-upstream-hop" not in response.headers and "server" not in response.headers

    async def test_head_answers_the_headers_without_a_body(self, proxied):
        response = await proxied.head("/api/v1/regions/hop")
        assert response.status_code == 200
        assert int(response.headers["content-length"]) > 0 and response.content == b""

    async def test_a_slow_service_is_504_problem(self, proxied):
        response = await proxied.get("/api/v1/regions/slow")
        body = assert_problem(response, 504, "upstream-timeout")
        assert "targeting" in body["detail"]

    async def test_a_refusing_service_is_502_problem(self, database_url, keypair):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        upstream = HttpUpstream(f"http://127.0.0.1:{closed_port}", timeout=5.0, connect_timeout=1.0,
                                   max_connections=4)
        settings = GatewaySettings(database_url=database_url, jwt_private_key=keypair[0],
                                   jwt_public_key=keypair[1])
        app = create_app(settings, upstreams={"targeting": upstream, "programs": upstream, "reporting": upstream})
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
            response = await client.get("/api/v1/regions/18")
        await upstream.aclose()
        assert_problem(response, 502, "upstream-unavailable")

    async def test_health_probes_each_service_over_http(self, proxied):
        body = (await proxied.get("/health")).json()
        assert body["gateway"] == "ok"
        # The fake service has no /health: reachable but not healthy.
        assert {s["status"] for s in body["services"].values()} == {"degraded"}


class TestHealthAndDocs:
    async def test_health_is_green_with_every_service(self, gateway):
        body = (await gateway.get("/health")).json()
        assert body == {"status": "ok", "gateway": "ok", "services": {
            name: {"status": "ok", "latency_ms": body["services"][name]["latency_ms"]}
            for name in ("targeting", "programs", "reporting")}}

    async def test_openapi_merges_every_service_and_the_gateway(self, gateway):
        spec = (await gateway.get("/openapi.json")).json()
        assert "/api/v1/auth/token" in spec["paths"]
        assert "/api/v1/regions/{code}" in spec["paths"]
        assert "Problem" in spec["components"]["schemas"]
        assert spec["components"]["securitySchemes"]["OAuth2"]["flows"]["clientCredentials"]["tokenUrl"] == \
            "/api/v1/auth/token"
        assert spec["paths"]["/api/v1/households"]["post"]["security"] == [{"OAuth2": ["registry:write"]}]
        for path, item in spec["paths"].items():
            for method, operation in item.items():
                for status, response in operation["responses"].items():
                    if status.startswith(("4", "5")):
                        assert "application/problem+json" in response.get("content", {}), (path, method, status)

    async def test_every_reference_of_the_merged_document_resolves(self, gateway):
        import json
        import re

        spec = (await gateway.get("/openapi.json")).json()
        refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(spec)))
        assert refs and refs <= set(spec["components"]["schemas"]), refs - set(spec["components"]["schemas"])

    async def test_docs_page_points_at_the_merged_document(self, gateway):
        page = await gateway.get("/docs")
        assert page.status_code == 200 and "/openapi.json" in page.text


class TestMethodNotAllowed:
    async def test_allow_lists_every_method_of_the_path(self, gateway, auth):
        response = await gateway.request("OPTIONS", "/api/v1/households/00000000-0000-7000-8000-000000000000",
                                         headers=auth())
        assert_problem(response, 405, "method-not-allowed")
        assert response.headers["allow"] == "GET, PATCH"

    async def test_a_fixed_segment_is_not_taken_for_an_id(self, gateway, auth):
        response = await gateway.patch("/api/v1/households/lookup", json={}, headers=auth())
        assert_problem(response, 405)
        assert response.headers["allow"] == "POST"
