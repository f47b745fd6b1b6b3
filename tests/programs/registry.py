"""The registry as the programs tests use it: the real targeting service in process (households registered
through its API inside the test's transaction), with every call the programs service makes to it recorded."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from kit.auth import TokenVerifier
from tests.targeting import factories


@dataclass
class Call:
    method: str
    path: str
    region: str | None
    body: Any


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes every request on unchanged and notes what it was and under which token region it came."""

    def __init__(self, inner: httpx.AsyncBaseTransport, verifier: TokenVerifier) -> None:
        self.inner = inner
        self.verifier = verifier
        self.calls: list[Call] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        region = self.verifier.verify(token).region if token else None
        body = json.loads(request.content) if request.content else None
        self.calls.append(Call(request.method, request.url.path, region, body))
        return await self.inner.handle_async_request(request)


@dataclass
class RegistryHousehold:
    id: uuid.UUID
    region_code: str
    members: dict[str, uuid.UUID] = field(default_factory=dict)

    def nik(self, index: int = 0) -> str:
        return list(self.members)[index]


REGISTRAR_SCOPES = "registry:read registry:write pii:read"


class Registry:
    def __init__(self, client: httpx.AsyncClient, auth: Any, recorder: RecordingTransport) -> None:
        self.client = client
        self.auth = auth
        self.recorder = recorder

    @property
    def calls(self) -> list[Call]:
        return self.recorder.calls

    def lookups(self) -> list[Call]:
        return [c for c in self.calls if c.path.endswith("/lookup")]

    async def add(self, region_code: str, *, members: int = 1, status: str = "active",
                  **fields: Any) -> RegistryHousehold:
        people = [factories.member("head", born=date(1980, 3, 5))] + [
            factories.member("child", born=date(2010, 1, 1 + i)) for i in range(members - 1)]
        headers = self.auth("18", scopes=REGISTRAR_SCOPES)
        response = await self.client.post("/api/v1/households", headers=headers,
                                          json=factories.household(region_code, members=people, **fields))
        assert response.status_code == 201, response.text
        body = response.json()
        if status == "inactive":
            deactivated = await self.client.post(f"/api/v1/households/{body['id']}/deactivate",
                                                 json={"reason": "moved"}, headers=headers)
            assert deactivated.status_code == 200, deactivated.text
        return RegistryHousehold(id=uuid.UUID(body["id"]), region_code=region_code,
                                 members={m["nik"]: uuid.UUID(m["id"]) for m in body["members"]})
