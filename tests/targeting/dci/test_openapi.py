"""Our OpenAPI document describes exactly what the DCI endpoints answer: real answers validate against the
schemas it publishes."""

import pytest
from openapi_schema_validator import OAS31Validator

from tests.targeting import factories as f
from tests.targeting.dci import support as s


@pytest.fixture
async def published(targeting):
    return (await targeting.get("/openapi.json")).json()


def _validate(document, instance, name):
    OAS31Validator({**document, "$ref": f"#/components/schemas/{name}"}).validate(instance)


class TestPublishedSchemas:
    async def test_answers_match_the_published_schemas(self, targeting, auth, published):
        created = await f.create(targeting, auth())
        body = s.search(s.by_id("NO_KK", created["no_kk"]), s.by_id("NIK", created["members"][0]["nik"],
                                                                     response_entity="Member"),
                        s.by_id("NIK", created["members"][0]["nik"], reg_type="Person"), s.by_id("PASSPORT", "x"))
        answer = (await s.call(targeting, "/dci/registry/sync/search", body, auth("18", "registry:read"))).json()
        _validate(published, answer, "SearchResponseEnvelope")
        status = await s.call(targeting, "/dci/registry/sync/txn/status",
                              s.status("transaction_id", body["message"]["transaction_id"]), auth())
        _validate(published, status.json(), "TxnStatusResponseEnvelope")
        refused = await s.call(targeting, "/dci/registry/sync/search", s.search(version="2"), auth())
        _validate(published, refused.json(), "Ack")
        rejected = s.search(s.by_id("NIK", "1871015708450001"))
        rejected["header"]["total_count"] = 3
        _validate(published, (await s.call(targeting, "/dci/registry/sync/search", rejected, auth())).json(),
                  "SearchResponseEnvelope")

    async def test_the_published_request_schema_takes_the_standards_messages(self, published):
        for body in (s.search(s.by_id("NIK", "1871015708450001")), s.search(s.item("predicate", [
                {"seq_num": 1, "expression1": s.predicate("age", "lt", 5), "condition": "and",
                 "expression2": s.predicate("sex", "eq", "female")}]))):
            _validate(published, body, "SearchEnvelope")
        _validate(published, s.status("correlation_id", "x"), "TxnStatusEnvelope")
