"""Every targeting-rules endpoint is in the OpenAPI document with a summary, a description and problem+json
errors, and the documents name the rules integrators depend on."""

import pytest

PATHS = {
    ("post", "/api/v1/targeting/evaluate"), ("post", "/api/v1/households/lookup"),
    ("post", "/api/v1/target-lists"), ("get", "/api/v1/target-lists"), ("get", "/api/v1/target-lists/{list_id}"),
    ("get", "/api/v1/target-lists/{list_id}/households"), ("get", "/api/v1/target-lists/{list_id}/diff"),
    ("get", "/api/v1/priority-areas"), ("put", "/api/v1/priority-areas/{year}/designations"),
    ("get", "/api/v1/priority-areas/{year}/designations"),
    ("post", "/api/v1/change-requests"), ("get", "/api/v1/change-requests"),
    ("get", "/api/v1/change-requests/{request_id}"), ("post", "/api/v1/change-requests/{request_id}/verify"),
    ("post", "/api/v1/change-requests/{request_id}/approve"), ("post", "/api/v1/change-requests/{request_id}/reject"),
}


@pytest.fixture
async def document(targeting):
    return (await targeting.get("/openapi.json")).json()


async def test_every_endpoint_is_documented_with_problem_responses(document):
    for method, path in PATHS:
        operation = document["paths"][path][method]
        assert operation["summary"] and len(operation["description"]) > 80, (method, path)
        errors = {s: r for s, r in operation["responses"].items() if s.startswith("4")}
        assert {"401", "422"} <= set(errors), (method, path)
        assert all("application/problem+json" in r["content"] for r in errors.values()), (method, path)


async def test_the_rules_are_spelled_out(document):
    def text(method, path):
        return document["paths"][path][method]["description"]

    evaluate = text("post", "/api/v1/targeting/evaluate")
    for phrase in ("three-valued", "`not` of unknown stays unknown", "active members", "`welfare_decile`",
                   "`housing.cooking_fuel`", "`age`", "subtree", "Asia/Jakarta"):
        assert phrase in evaluate, phrase
    ranking = text("get", "/api/v1/priority-areas")
    for phrase in ("then more extreme-poor households, then region code", "rank 1 is the worst",
                   "a fraction from 0 to 1", "without active households"):
        assert phrase in ranking, phrase
    assert "registry_seq" in text("post", "/api/v1/target-lists")
    assert "self-approval" in text("post", "/api/v1/change-requests/{request_id}/approve")
    payload = document["components"]["schemas"]["ChangeRequestCreate"]["properties"]["payload"]
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in payload["oneOf"]} == {
        "HouseholdCreate", "HouseholdUpdate", "Deactivation", "MemberCreate", "MemberUpdate"}
    for ref in payload["oneOf"]:
        assert ref["$ref"].rsplit("/", 1)[1] in document["components"]["schemas"]


async def test_the_gateway_merges_them(gateway):
    merged = (await gateway.get("/openapi.json")).json()
    assert {"/api/v1/targeting/evaluate", "/api/v1/target-lists", "/api/v1/priority-areas",
            "/api/v1/change-requests"} <= set(merged["paths"])
