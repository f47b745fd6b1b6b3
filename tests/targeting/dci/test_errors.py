"""Every refusal the standard defines, at the layer it names: the Error object (err.*) in an ERR
acknowledgement, header reason codes, and item reason codes; auth stays problem+json. Nothing is kept
for a refused message."""

import pytest
from sqlalchemy import text

from tests.targeting import factories as f
from tests.targeting.dci import support as s

SYNC = "/dci/registry/sync/search"
NIK = "1871015708450001"


async def _transactions(connection) -> int:
    return (await connection.execute(text("SELECT count(*) FROM targeting.dci_transaction"))).scalar_one()


def _error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["message"]["error"]
    assert error["code"] == code, error
    return error["message"]


class TestEnvelopeErrors:
    async def test_not_json_is_a_bad_request(self, targeting, auth, connection):
        _error(await s.call(targeting, SYNC, b"{not json", auth(), spec_valid=False), 400, "err.request.bad")
        assert await _transactions(connection) == 0

    @pytest.mark.parametrize("breaks", ["no_header", "unknown_field", "query_type", "no_transaction_id"])
    async def test_a_message_outside_the_envelope_schema_is_a_bad_request(self, targeting, auth, connection, breaks):
        body = s.search(s.by_id("NIK", NIK))
        criteria = body["message"]["search_request"][0]["search_criteria"]
        if breaks == "no_header":
            del body["header"]
        elif breaks == "unknown_field":
            criteria["filter"] = {"nik": NIK}
        elif breaks == "query_type":
            criteria["query_type"] = "sql"
        else:
            del body["message"]["transaction_id"]
        message = _error(await s.call(targeting, SYNC, body, auth(), spec_valid=breaks == "unknown_field"), 400,
                         "err.request.bad")
        assert NIK not in message
        assert await _transactions(connection) == 0

    async def test_another_version_is_not_supported(self, targeting, auth):
        body = s.search(s.by_id("NIK", NIK), version="2.0.0")
        _error(await s.call(targeting, SYNC, body, auth()), 400, "err.version.not_supported")

    async def test_encrypted_messages_are_refused(self, targeting, auth):
        body = s.search(is_msg_encrypted=True)
        body["message"] = {"header": {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "k1"}, "ciphertext": "x",
                           "encrypted_key": "y", "tag": "z", "iv": "w"}
        _error(await s.call(targeting, SYNC, body, auth()), 400, "err.encryption.invalid")

    async def test_sender_id_must_be_the_tokens_client(self, targeting, auth):
        body = s.search(s.by_id("NIK", NIK), sender_id="someone-else")
        _error(await s.call(targeting, SYNC, body, auth()), 400, "err.sender_id.invalid")

    async def test_receiver_id_must_be_ours(self, targeting, auth):
        body = s.search(s.by_id("NIK", NIK), receiver_id="crvs.example.org")
        _error(await s.call(targeting, SYNC, body, auth()), 400, "err.receiver_id.invalid")
        fine = s.search(s.by_id("NIK", NIK), receiver_id="sinergi")
        assert (await s.call(targeting, SYNC, fine, auth())).json()["header"]["status"] == "succ"

    async def test_unknown_transaction_is_not_found(self, targeting, auth):
        response = await s.call(targeting, "/dci/registry/sync/txn/status",
                                s.status("transaction_id", "never-sent"), auth())
        _error(response, 404, "err.request.not_found")


class TestAuthStaysProblemJson:
    async def test_without_a_token_401(self, targeting):
        response = await s.call(targeting, SYNC, s.search(s.by_id("NIK", NIK)), {})
        assert response.status_code == 401 and response.json()["type"] == "urn:sinergi:problem:unauthorized"

    async def test_without_registry_read_403(self, targeting, auth):
        response = await s.call(targeting, SYNC, s.search(s.by_id("NIK", NIK)), auth("18", "programs:read"))
        assert response.status_code == 403 and response.json()["type"] == "urn:sinergi:problem:forbidden"


class TestHeaderRejections:
    async def _rejected(self, targeting, auth, body, code, *, spec_valid=True):
        response = await s.call(targeting, SYNC, body, auth(), spec_valid=spec_valid)
        assert response.status_code == 200
        answer = response.json()
        assert answer["header"]["status"] == "rjct" and answer["header"]["status_reason_code"] == code, answer
        assert "message" not in answer and answer["header"]["completed_count"] == 0
        return answer

    async def test_wrong_action(self, targeting, auth):
        await self._rejected(targeting, auth, s.search(s.by_id("NIK", NIK), action="txn-status"),
                             "rjct.action.invalid", spec_valid=False)

    async def test_message_ts_without_an_offset(self, targeting, auth):
        body = s.search(s.by_id("NIK", NIK))
        body["header"]["message_ts"] = "2026-12-01T10:00:00"
        await self._rejected(targeting, auth, body, "rjct.message_ts.invalid", spec_valid=False)

    async def test_total_count_that_does_not_match(self, targeting, auth):
        body = s.search(s.by_id("NIK", NIK))
        body["header"]["total_count"] = 2
        await self._rejected(targeting, auth, body, "rjct.total_count.invalid")

    async def test_more_requests_than_allowed(self, targeting, auth):
        body = s.search(*(s.by_id("NIK", NIK) for _ in range(101)))
        await self._rejected(targeting, auth, body, "rjct.total_count.limit_exceeded")

    async def test_a_repeated_message_id(self, targeting, auth, connection):
        body = s.search(s.by_id("NIK", NIK))
        assert (await s.call(targeting, SYNC, body, auth())).json()["header"]["status"] == "succ"
        again = s.search(s.by_id("NIK", NIK))
        again["header"]["message_id"] = body["header"]["message_id"]
        await self._rejected(targeting, auth, again, "rjct.message_id.duplicate")
        assert await _transactions(connection) == 1


class TestItemRejections:
    async def _item(self, targeting, auth, item, *, spec_valid=True, client=None):
        response = await s.call(client or targeting, SYNC, s.search(item, s.by_id("NIK", NIK)), auth(),
                                spec_valid=spec_valid)
        first, second = response.json()["message"]["search_response"]
        assert second["status"] == "succ", "an item's refusal leaves the others running"
        assert first["status"] == "rjct" and "data" not in first
        return first["status_reason_code"]

    async def test_reference_ids(self, targeting, auth):
        assert await self._item(targeting, auth, s.by_id("NIK", NIK, reference_id="")) == "rjct.reference_id.invalid"
        response = await s.call(targeting, SYNC, s.search(s.by_id("NIK", NIK, reference_id="r1"),
                                                          s.by_id("NIK", NIK, reference_id="r1")), auth())
        assert [(r["status"], r.get("status_reason_code")) for r in response.json()["message"]["search_response"]] \
            == [("succ", None), ("rjct", "rjct.reference_id.duplicate")]

    async def test_timestamp(self, targeting, auth):
        item = s.by_id("NIK", NIK)
        item["timestamp"] = "yesterday"
        assert await self._item(targeting, auth, item, spec_valid=False) == "rjct.timestamp.invalid"

    @pytest.mark.parametrize("item", [
        s.by_id("PASSPORT", "A1234567"),
        s.by_id("NIK", "1871.0157.0845.0001"),
        s.by_id("NIK", NIK, response_entity="Member", reg_type="Group"),
        s.item("idtype-value", [{"expression1": s.predicate("age", "lt", 5)}]),
        s.item("predicate", {"type": "NIK", "value": NIK}),
        s.item("expression", {"type": "ns:org:QueryType:GraphQl", "value": {"expression": "{ person }"}}),
        s.item("predicate", [{"expression1": s.predicate("welfare_decile", "lt", 5), "condition": "or"}]),
    ], ids=["identifier_type", "identifier_value", "entities_disagree", "idtype_list", "predicate_object",
            "graphql", "condition_without_expression2"])
    async def test_search_criteria(self, targeting, auth, item):
        assert await self._item(targeting, auth, item) == "rjct.search_criteria.invalid"

    @pytest.mark.parametrize("query", [
        [{"expression1": s.predicate("income", "lt", 5)}],
        [{"expression1": s.predicate("welfare_decile", "lt", "many")}],
        [{"expression1": s.predicate("extreme_poor", "lt", True)}],
        [{"expression1": s.predicate("housing.floor", "eq", "marble")}],
        [{"expression1": s.predicate("location", "in", "18.71,Lampung")}],
    ], ids=["attribute", "value", "operator", "code", "region"])
    async def test_filter(self, targeting, auth, query):
        assert await self._item(targeting, auth, s.item("predicate", query)) == "rjct.filter.invalid"

    async def test_sort(self, targeting, auth):
        for name in ("income", "extreme_poor"):
            item = s.item("predicate", [], sort=[{"attribute_name": name, "sort_order": "asc"}])
            assert await self._item(targeting, auth, item) == "rjct.sort.invalid"

    @pytest.mark.parametrize("pagination", [{"page_size": 0}, {"page_size": 2.5}, {"page_size": 1001},
                                            {"page_size": 10, "page_number": 0}])
    async def test_pagination(self, targeting, auth, pagination):
        item = s.item("predicate", [], pagination=pagination)
        assert await self._item(targeting, auth, item) == "rjct.pagination.invalid"

    async def test_too_many_records_without_pagination(self, auth, connection, database_url, keypair):
        async with s.targeting_app(connection, database_url, keypair[1], dci_max_records=2) as (client, _):
            for _ in range(3):
                await f.create(client, auth())
            item = s.item("predicate", [])
            assert await self._item(client, auth, item, client=client) == "rjct.search.too_many_records_found"
            paged = s.item("predicate", [], pagination={"page_size": 2, "page_number": 2})
            response = await s.call(client, SYNC, s.search(paged), auth())
            assert len(s.records(response)) == 1
