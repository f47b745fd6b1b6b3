"""/dci/ through the gateway: routed to targeting, answers unchanged, documented in the merged OpenAPI."""

from tests.targeting import factories as f
from tests.targeting.dci import support as s

SYNC = "/dci/registry/sync/search"


class TestThroughTheGateway:
    async def test_sync_search(self, gateway, auth):
        created = await f.create(gateway, auth())
        response = await s.call(gateway, SYNC, s.search(s.by_id("NO_KK", created["no_kk"])), auth())
        assert [r["@id"] for r in s.records(response)] == [f"urn:sinergi:household:{created['id']}"]
        assert response.headers["cache-control"] == "no-store"

    async def test_refusals_and_auth_failures_pass_through(self, gateway, auth):
        refused = await s.call(gateway, SYNC, s.search(s.by_id("NIK", "1871015708450001"), version="9"), auth())
        assert refused.status_code == 400
        assert refused.json()["message"]["error"]["code"] == "err.version.not_supported"
        assert (await s.call(gateway, SYNC, s.search(), {})).status_code == 401

    async def test_the_merged_openapi_documents_every_dci_endpoint(self, gateway):
        spec = (await gateway.get("/openapi.json")).json()
        for path in ("/dci/registry/sync/search", "/dci/registry/search", "/dci/registry/sync/txn/status",
                     "/dci/registry/txn/status"):
            operation = spec["paths"][path]["post"]
            assert operation["tags"] == ["dci"] and operation["description"]
            assert "default" in operation["responses"] and "422" not in operation["responses"]
            assert "application/problem+json" in operation["responses"]["401"]["content"]
        assert "callbacks" in spec["paths"]["/dci/registry/search"]["post"]
        [tag] = [t for t in spec["tags"] if t["name"] == "dci"]
        assert "contradicts itself" in tag["description"]
        for name in ("GroupRecord", "MemberRecord", "PersonRecord"):
            assert spec["components"]["schemas"][name]["description"]
