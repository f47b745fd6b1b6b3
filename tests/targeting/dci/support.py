"""DCI test support: the standard's own schemas (shared/specs/dci, with the documented workarounds) as a
validator, envelopes to send, a call helper that validates both directions, and a targeting app with
DCI settings of the test's choosing on the test's connection."""

from __future__ import annotations

import copy
import functools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from targeting.main import create_app
from targeting.settings import TargetingSettings

SPEC_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "dci"
SOCIAL = "social_api_v1.0.0.yaml"


def _path(path: str, *rest: str) -> str:
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/post/" + "/".join(rest)


REQUEST = ("requestBody", "content", "application~1json", "schema")
RESPONSE = ("responses", "default", "content", "application~1json", "schema")
SYNC_SEARCH_REQUEST = _path("/registry/sync/search", *REQUEST)
SYNC_SEARCH_RESPONSE = _path("/registry/sync/search", *RESPONSE)
SEARCH_REQUEST = _path("/registry/search", *REQUEST)
ON_SEARCH = _path("/registry/on-search", *REQUEST)
SYNC_STATUS_REQUEST = _path("/registry/sync/txn/status", *REQUEST)
SYNC_STATUS_RESPONSE = _path("/registry/sync/txn/status", *RESPONSE)
STATUS_REQUEST = _path("/registry/txn/status", *REQUEST)
ON_STATUS = _path("/registry/txn/on-status", *REQUEST)
ACK = "#/components/responses/Response/content/application~1json/schema"
HTTP_ERROR = "#/components/responses/HttpErrorResponse/content/application~1json/schema"

ENDPOINTS = {
    "/dci/registry/sync/search": (SYNC_SEARCH_REQUEST, SYNC_SEARCH_RESPONSE),
    "/dci/registry/search": (SEARCH_REQUEST, ACK),
    "/dci/registry/sync/txn/status": (SYNC_STATUS_REQUEST, SYNC_STATUS_RESPONSE),
    "/dci/registry/txn/status": (STATUS_REQUEST, ACK),
}


# --- the standard's schemas and the workarounds for its defects (docs/dci.md, "Choices") ----------------


def raw_spec(name: str = SOCIAL) -> dict[str, Any]:
    if not SPEC_DIR.is_dir():
        raise RuntimeError(f"The DCI spec files are expected in {SPEC_DIR} (shared/ beside the repository).")
    return yaml.safe_load((SPEC_DIR / name).read_text())


def _walk(node: Any, visit: Any) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _step(doc: dict[str, Any], pointer: str) -> str:
    """The pointer a $ref means, when it passes through another $ref on the way (which JSON Pointer cannot)."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.removeprefix("#/").split("/")]
    node, path = doc, []
    for part in parts:
        while isinstance(node, dict) and "$ref" in node and part not in node:
            path = [p.replace("~1", "/").replace("~0", "~") for p in _step(doc, node["$ref"]).removeprefix(
                "#/").split("/")]
            node = functools.reduce(lambda n, p: n[int(p)] if isinstance(n, list) else n[p], path, doc)
        node = node[int(part)] if isinstance(node, list) else node[part]
        path.append(part)
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path)


def repair(doc: dict[str, Any], *, refs: bool = True, any_of: bool = True, locale: bool = True) -> dict[str, Any]:
    """Workarounds, each for a defect of the spec itself:
    1. $refs that point through another $ref are rewritten to the path they reach;
    2. oneOf -> anyOf: the branches overlap (a number is an integer too; an expression query is also an
       identifier query; a correlation_id is also a transaction_id), so oneOf rejects valid messages;
    3. locale: the pattern asks three letters where the example (and ISO 639-1) has two: two or three."""
    doc = copy.deepcopy(doc)

    def canonical(node: dict[str, Any]) -> None:
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
            node["$ref"] = _step(doc, node["$ref"])

    def relax(node: dict[str, Any]) -> None:
        if isinstance(node.get("$ref"), str) and any_of:
            node["$ref"] = node["$ref"].replace("/oneOf/", "/anyOf/")
        if "oneOf" in node and any_of:
            node["anyOf"] = node.pop("oneOf")
        if node.get("pattern") == "^[a-z]{3,3}$" and locale:
            node["pattern"] = "^[a-z]{2,3}$"

    if refs:
        _walk(doc, canonical)
    _walk(doc, relax)
    return doc


@functools.cache
def spec(name: str = SOCIAL) -> dict[str, Any]:
    return repair(raw_spec(name))


def validate(instance: Any, pointer: str, document: dict[str, Any] | None = None) -> None:
    """Validate against the schema at `pointer` of the (repaired) social registry spec; raises on failure."""
    root = {**(document or spec()), "$ref": pointer}
    OAS30Validator(root, format_checker=oas30_format_checker).validate(instance)


# --- envelopes ---------------------------------------------------------------------------------------


def now() -> str:
    return datetime.now(UTC).isoformat()


def header(action: str = "search", *, sender_id: str = "test-client", total_count: int = 1,
           **extra: Any) -> dict[str, Any]:
    return {"version": "1.0.0", "message_id": uuid.uuid4().hex, "message_ts": now(), "action": action,
            "sender_id": sender_id, "total_count": total_count, **extra}


def item(query_type: str, query: Any, *, reference_id: str | None = None, **criteria: Any) -> dict[str, Any]:
    return {"reference_id": uuid.uuid4().hex[:12] if reference_id is None else reference_id, "timestamp": now(),
            "search_criteria": {"version": "1.0.0", "query_type": query_type, "query": query, **criteria}}


def by_id(type_: str, value: Any, **criteria: Any) -> dict[str, Any]:
    return item("idtype-value", {"type": type_, "value": value}, **criteria)


def predicate(name: str, operator: str, value: Any) -> dict[str, Any]:
    return {"attribute_name": name, "operator": operator, "attribute_value": value}


def search(*items: dict[str, Any], action: str = "search", **header_extra: Any) -> dict[str, Any]:
    return {"signature": "Signature: namespace=\"spdci\"", "header": header(action, total_count=len(items),
                                                                            **header_extra),
            "message": {"transaction_id": uuid.uuid4().hex[:20], "search_request": list(items)}}


def status(attribute_type: str, value: Any, *, transaction_id: str | None = None, txn_type: str = "search",
           **header_extra: Any) -> dict[str, Any]:
    return {"header": header("txn-status", **header_extra),
            "message": {"transaction_id": transaction_id or uuid.uuid4().hex[:20], "txnstatus_request": {
                "reference_id": uuid.uuid4().hex[:12], "txn_type": txn_type, "attribute_type": attribute_type,
                "attribute_value": value}}}


async def call(client: httpx.AsyncClient, path: str, body: Any, headers: dict[str, str], *,
               spec_valid: bool = True) -> httpx.Response:
    """POST a DCI message; the request (unless deliberately not spec-valid) and the response are validated
    against the standard's schema for that endpoint and status."""
    request_schema, answer_schema = ENDPOINTS[path]
    if spec_valid:
        validate(body, request_schema)
    sent = {"content": body, "headers": {**headers, "Content-Type": "application/json"}} \
        if isinstance(body, bytes) else {"json": body, "headers": headers}
    response = await client.post(path, **sent)
    if response.status_code in (200, 202):
        validate(response.json(), answer_schema if response.status_code == 200 else ACK)
        assert response.headers["content-type"] == "application/json"
    elif response.status_code in (401, 403):
        validate(response.json(), HTTP_ERROR)
        assert response.headers["content-type"].startswith("application/problem+json")
    else:
        validate(response.json(), ACK)
        assert response.json()["message"]["ack_status"] == "ERR"
    return response


def records(response: httpx.Response, index: int = 0) -> list[dict[str, Any]]:
    entry = response.json()["message"]["search_response"][index]
    assert entry["status"] == "succ", entry
    return entry["data"]["reg_records"]


@asynccontextmanager
async def targeting_app(connection: AsyncConnection, database_url: str, public_key: str,
                        **settings: Any) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """A targeting service with these settings, on the test's connection (rolled back with the test)."""
    app = create_app(TargetingSettings(database_url=database_url, jwt_public_key=public_key, **settings))
    app.state.sessionmaker = async_sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                                expire_on_commit=False, autoflush=False)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://targeting") as client:
            yield client, app
    finally:
        await app.state.dci_callbacks.aclose()
        await app.state.engine.dispose()
