"""Every operation of the merged OpenAPI against every kind of caller, built from the document itself so
a new endpoint is covered the day it is added."""

from __future__ import annotations

import re
import time
import uuid

import jwt
import pytest

from gateway.clients.keys import generate_keypair
from tests.security.spec import ALL, operations

READ_ONLY_FRONTEND = "registry:read programs:read reports:read"
WRITE_SCOPES = {"registry:write", "registry:import", "registry:approve", "programs:write", "admin"}


def _scopes(operation) -> set[str]:
    return {s for requirement in operation.get("security", []) for s in requirement.get("OAuth2", [])}


def _fill(path: str, ids: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name in ids:
            return ids[name]
        if name == "code":
            return "18.71"
        if name in ("year", "fiscal_year"):
            return "2024"
        return str(uuid.uuid4())

    return re.sub(r"\{([^}:]+)(?::[^}]+)?\}", value, path)


def _bad_tokens(keypair) -> dict[str, str]:
    claims = {"iss": "sinergi", "aud": "sinergi-api", "sub": "x", "region": "18", "scope": ALL}
    other_private, _ = generate_keypair()
    return {
        "none": "",
        "expired": jwt.encode(claims | {"exp": int(time.time()) - 10}, keypair[0], algorithm="EdDSA"),
        "bad signature": jwt.encode(claims | {"exp": int(time.time()) + 60}, other_private, algorithm="EdDSA"),
        "alg none": jwt.encode(claims | {"exp": int(time.time()) + 60}, None, algorithm="none"),
    }


async def _call(client, method, path, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {} if method in ("post", "put", "patch") else None
    return await client.request(method.upper(), path, json=body, headers=headers | {"If-Match": '"1"'})


@pytest.fixture
async def spec(gateway):
    return (await gateway.get("/openapi.json")).json()


async def test_unauthenticated_callers_get_401_on_every_operation(gateway, spec, keypair):
    failures = []
    for path, method, _operation in operations(spec):
        for label, token in _bad_tokens(keypair).items():
            response = await _call(gateway, method, _fill(path, {}), token)
            if response.status_code != 401 or not response.headers["content-type"].startswith(
                    "application/problem+json"):
                failures.append((label, method, path, response.status_code))
    assert failures == []


async def test_every_operation_states_its_scopes_and_enforces_them(gateway, spec, auth):
    failures = []
    for path, method, operation in operations(spec):
        needed = _scopes(operation)
        assert operation.get("security"), (method, path, "declares no security")
        url = _fill(path, {})
        without = await _call(gateway, method, url, auth("18", "")["Authorization"].split()[1])
        if needed and without.status_code != 403:
            failures.append(("no scopes", method, path, without.status_code))
        granted = await _call(gateway, method, url, auth("18", " ".join(needed))["Authorization"].split()[1])
        if granted.status_code in (401, 403):
            failures.append(("its scopes", method, path, granted.status_code, granted.text[:120]))
    assert failures == []


async def test_a_read_only_frontend_cannot_write(gateway, spec, auth):
    token = auth("18", READ_ONLY_FRONTEND)["Authorization"].split()[1]
    failures = []
    for path, method, operation in operations(spec):
        response = await _call(gateway, method, _fill(path, {}), token)
        writes = bool(_scopes(operation) & WRITE_SCOPES)
        if writes and response.status_code != 403:
            failures.append((method, path, response.status_code))
        if not writes and response.status_code in (401, 403) and _scopes(operation) <= set(READ_ONLY_FRONTEND.split()):
            failures.append((method, path, response.status_code))
    assert failures == []
