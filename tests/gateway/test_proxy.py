import httpx

from gateway.main import create_app
from gateway.routing import RouteTable
from gateway.settings import GatewaySettings
from kit.http import create_http_client
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
            "targeting": create_http_client(base_url="http://127.0.0.1:9", connect_timeout=1.0),
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
