"""Async search and txn status: acknowledged at once, the answer POSTed to sender_uri on a real HTTP receiver
on 127.0.0.1 (allowed by these tests' settings), and every sender_uri that must not be reached refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import text

from targeting.dci.service import DciService
from tests.targeting import factories as f
from tests.targeting.dci import support as s

SEARCH = "/dci/registry/search"
STATUS = "/dci/registry/txn/status"
SYNC_STATUS = "/dci/registry/sync/txn/status"


class Receiver:
    """An SP-MIS stand-in: records every POST; `answers` scripts the status codes per path."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.answers: dict[str, list[int]] = {}
        self.url = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.received.append((request.path, await request.json()))
        status = (self.answers.get(request.path) or [200]).pop(0)
        if 300 <= status < 400:
            return web.Response(status=status, headers={"Location": "/spmis/elsewhere"})
        return web.json_response({"message": {"ack_status": "ACK", "timestamp": s.now(),
                                              "correlation_id": "spmis-1"}}, status=status)

    def paths(self) -> list[str]:
        return [path for path, _ in self.received]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    receiver.url = f"http://{host}:{port}"
    try:
        yield receiver
    finally:
        await runner.cleanup()


@pytest.fixture
async def dci(receiver, connection, database_url, keypair):
    """Targeting whose test-client may name callbacks under <receiver>/spmis/ and a few unreachable prefixes."""
    prefixes = [f"{receiver.url}/spmis/", "http://169.254.169.254/latest/", "http://10.0.0.1/cb/",
                f"http://[::1]:{receiver.url.rsplit(':', 1)[1]}/spmis/"]
    async with s.targeting_app(
        connection, database_url, keypair[1], dci_callbacks={"test-client": prefixes},
        dci_callback_allowed_networks=["127.0.0.1/32"], dci_callback_attempts=2, dci_callback_backoff_seconds=0,
    ) as (client, _):
        yield client


async def _transaction(connection, correlation_id: str) -> Any:
    return (await connection.execute(text(
        "SELECT status, mode, delivery_status, delivery_attempts, delivery_error, delivered_at IS NOT NULL, "
        "response FROM targeting.dci_transaction WHERE id = CAST(:id AS uuid)"), {"id": correlation_id})).one()


class TestAsyncSearch:
    async def test_acknowledges_then_delivers_the_answer_to_sender_uri(self, dci, receiver, auth, connection):
        created = await f.create(dci, auth())
        body = s.search(s.by_id("NO_KK", created["no_kk"]), sender_uri=f"{receiver.url}/spmis/on-search")
        ack = await s.call(dci, SEARCH, body, auth())
        assert ack.status_code == 202 and ack.json()["message"]["ack_status"] == "ACK"
        correlation_id = ack.json()["message"]["correlation_id"]
        [(path, answer)] = receiver.received
        assert path == "/spmis/on-search"
        s.validate(answer, s.ON_SEARCH)
        assert answer["header"]["action"] == "on-search" and answer["header"]["status"] == "succ"
        assert answer["message"]["correlation_id"] == correlation_id
        assert answer["message"]["transaction_id"] == body["message"]["transaction_id"]
        [group] = answer["message"]["search_response"][0]["data"]["reg_records"]
        assert group["@id"] == f"urn:sinergi:household:{created['id']}"
        stored = await _transaction(connection, correlation_id)
        assert stored[:6] == ("succ", "async", "delivered", 1, None, True)
        assert stored[6] == answer["message"]

    async def test_retries_a_failing_receiver_then_delivers(self, dci, receiver, auth, connection):
        receiver.answers["/spmis/on-search"] = [503]
        body = s.search(s.by_id("NIK", "1871015708450001"), sender_uri=f"{receiver.url}/spmis/on-search")
        correlation_id = (await s.call(dci, SEARCH, body, auth())).json()["message"]["correlation_id"]
        assert receiver.paths() == ["/spmis/on-search", "/spmis/on-search"]
        assert (await _transaction(connection, correlation_id))[2:5] == ("delivered", 2, None)

    async def test_never_follows_a_redirect(self, dci, receiver, auth, connection):
        receiver.answers["/spmis/redirect"] = [307]
        body = s.search(s.by_id("NIK", "1871015708450001"), sender_uri=f"{receiver.url}/spmis/redirect")
        correlation_id = (await s.call(dci, SEARCH, body, auth())).json()["message"]["correlation_id"]
        assert receiver.paths() == ["/spmis/redirect"]
        status, _, delivery, attempts, error, delivered, response = await _transaction(connection, correlation_id)
        assert (status, delivery, attempts, delivered) == ("succ", "failed", 1, False)
        assert "redirect" in error and response is not None

    async def test_an_undelivered_answer_can_still_be_read_with_txn_status(self, dci, receiver, auth, connection):
        receiver.answers["/spmis/on-search"] = [500, 500]
        created = await f.create(dci, auth())
        body = s.search(s.by_id("NIK", created["members"][0]["nik"], reference_id="ref-1"),
                        s.by_id("NIK", created["members"][2]["nik"], reference_id="ref-2", response_entity="Member"),
                        sender_uri=f"{receiver.url}/spmis/on-search")
        correlation_id = (await s.call(dci, SEARCH, body, auth())).json()["message"]["correlation_id"]
        assert (await _transaction(connection, correlation_id))[2:4] == ("failed", 2)
        by_correlation = await s.call(dci, SYNC_STATUS, s.status("correlation_id", correlation_id), auth())
        txn = by_correlation.json()["message"]["txnstatus_response"]
        assert txn["txn_type"] == "search" and txn["txn_status"]["correlation_id"] == correlation_id
        assert [i["reference_id"] for i in txn["txn_status"]["search_response"]] == ["ref-1", "ref-2"]
        by_reference = await s.call(dci, SYNC_STATUS, s.status(
            "reference_id_list", ["ref-2"], transaction_id=body["message"]["transaction_id"]), auth())
        [item] = by_reference.json()["message"]["txnstatus_response"]["txn_status"]["search_response"]
        assert item["data"]["reg_records"][0]["@id"] == f"urn:sinergi:member:{created['members'][2]['id']}"


    async def test_a_search_that_fails_is_marked_and_nothing_is_sent(self, dci, receiver, auth, connection,
                                                                     monkeypatch, caplog):
        async def broken(self, envelope, correlation):
            raise RuntimeError("parameters: 1871015708450001")

        monkeypatch.setattr(DciService, "answer", broken)
        body = s.search(s.by_id("NIK", "1871015708450001", reference_id="ref-1"),
                        sender_uri=f"{receiver.url}/spmis/on-search")
        correlation_id = (await s.call(dci, SEARCH, body, auth())).json()["message"]["correlation_id"]
        monkeypatch.undo()
        assert receiver.received == []
        assert (await _transaction(connection, correlation_id))[:3] == ("rjct", "async", "failed")
        assert "1871015708450001" not in caplog.text and "RuntimeError" in caplog.text
        response = await s.call(dci, SYNC_STATUS, s.status("correlation_id", correlation_id), auth())
        [item] = response.json()["message"]["txnstatus_response"]["txn_status"]["search_response"]
        assert (item["reference_id"], item["status"]) == ("ref-1", "rjct")


class TestTxnStatus:
    async def test_by_transaction_id_masked_for_a_reader_without_pii(self, targeting, auth, connection):
        created = await f.create(targeting, auth())
        body = s.search(s.by_id("NO_KK", created["no_kk"]))
        await s.call(targeting, "/dci/registry/sync/search", body, auth())
        response = await s.call(targeting, SYNC_STATUS, s.status("transaction_id", body["message"]["transaction_id"]),
                                auth("18", "registry:read"))
        answer = response.json()
        assert answer["header"]["action"] == "txn-on-status" and answer["header"]["status"] == "succ"
        [group] = answer["message"]["txnstatus_response"]["txn_status"]["search_response"][0]["data"]["reg_records"]
        assert group["group_identifier"][0]["identifier_value"] == "************" + created["no_kk"][-4:]
        assert created["members"][0]["nik"] not in response.text and "place" not in group
        audited = (await connection.execute(text(
            "SELECT record_type, pii_visible FROM targeting.audit_event WHERE action = 'dci.txn_status' "
            "ORDER BY record_type"))).all()
        assert audited == [("household", False), ("member", False)]

    async def test_other_clients_and_narrower_regions_do_not_see_a_transaction(self, targeting, auth):
        body = s.search(s.by_id("NIK", "1871015708450001"))
        await s.call(targeting, "/dci/registry/sync/search", body, auth("18"))
        lookup = s.status("transaction_id", body["message"]["transaction_id"])
        assert (await s.call(targeting, SYNC_STATUS, lookup, auth("18.71"))).status_code == 404
        other = s.status("transaction_id", body["message"]["transaction_id"], sender_id="other-client")
        assert (await s.call(targeting, SYNC_STATUS, other, auth(client_id="other-client"))).status_code == 404
        assert (await s.call(targeting, SYNC_STATUS, lookup, auth("18"))).status_code == 200

    async def test_only_search_transactions(self, targeting, auth):
        response = await s.call(targeting, SYNC_STATUS, s.status("transaction_id", "t1", txn_type="receipt"), auth())
        assert response.json()["header"]["status_reason_code"] == "rjct.action.not_supported"

    async def test_async_status_is_delivered_to_sender_uri(self, dci, receiver, auth):
        body = s.search(s.by_id("NIK", "1871015708450001"))
        await s.call(dci, "/dci/registry/sync/search", body, auth())
        lookup = s.status("transaction_id", body["message"]["transaction_id"],
                          sender_uri=f"{receiver.url}/spmis/on-status")
        ack = await s.call(dci, STATUS, lookup, auth())
        assert ack.status_code == 202
        [(path, answer)] = receiver.received
        assert path == "/spmis/on-status"
        s.validate(answer, s.ON_STATUS)
        assert answer["header"]["action"] == "txn-on-status"
        assert answer["message"]["correlation_id"] == ack.json()["message"]["correlation_id"]


class TestRefusedCallbackTargets:
    @pytest.mark.parametrize("sender_uri", [
        None,
        "{receiver}/other/on-search",
        "{receiver}/spmisx/on-search",
        "{receiver}/spmis/../admin",
        "http://test-client:secret@127.0.0.1:1/spmis/",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/cb/on-search",
        "http://[::1]:{port}/spmis/on-search",
        "ftp://127.0.0.1/spmis/",
    ], ids=["missing", "other_path", "prefix_lookalike", "dot_segments", "credentials", "link_local", "private",
            "loopback_v6", "scheme"])
    async def test_refused_before_anything_is_sent_or_kept(self, dci, receiver, auth, connection, sender_uri):
        extra = {} if sender_uri is None else {"sender_uri": sender_uri.format(
            receiver=receiver.url, port=receiver.url.rsplit(":", 1)[1])}
        body = s.search(s.by_id("NIK", "1871015708450001"), **extra)
        response = await s.call(dci, SEARCH, body, auth(), spec_valid=sender_uri != "ftp://127.0.0.1/spmis/")
        assert response.status_code == 400
        assert response.json()["message"]["error"]["code"] == "err.sender_uri.invalid"
        assert receiver.received == []
        assert (await connection.execute(text("SELECT count(*) FROM targeting.dci_transaction"))).scalar_one() == 0

    async def test_no_callbacks_without_registered_prefixes(self, targeting, auth, receiver):
        body = s.search(s.by_id("NIK", "1871015708450001"), sender_uri=f"{receiver.url}/spmis/on-search")
        response = await s.call(targeting, SEARCH, body, auth())
        assert response.json()["message"]["error"]["code"] == "err.sender_uri.invalid"
        status = s.status("transaction_id", "t1", sender_uri=f"{receiver.url}/spmis/on-status")
        assert (await s.call(targeting, STATUS, status, auth())).json()["message"]["error"]["code"] == \
            "err.sender_uri.invalid"
        assert receiver.received == []

    async def test_loopback_is_refused_unless_allowed(self, receiver, auth, connection, database_url, keypair):
        async with s.targeting_app(connection, database_url, keypair[1],
                                   dci_callbacks={"test-client": [f"{receiver.url}/spmis/"]}) as (client, _):
            body = s.search(s.by_id("NIK", "1871015708450001"), sender_uri=f"{receiver.url}/spmis/on-search")
            response = await s.call(client, SEARCH, body, auth())
        assert response.json()["message"]["error"]["code"] == "err.sender_uri.invalid"
        assert receiver.received == []

    async def test_header_problems_are_refused_in_the_acknowledgement(self, dci, receiver, auth):
        body = s.search(s.by_id("NIK", "1871015708450001"), sender_uri=f"{receiver.url}/spmis/on-search")
        body["header"]["total_count"] = 5
        response = await s.call(dci, SEARCH, body, auth())
        assert response.status_code == 400
        assert response.json()["message"]["error"]["message"].startswith("rjct.total_count.invalid")
        assert receiver.received == []
