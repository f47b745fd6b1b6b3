"""An in-test stand-in for the targeting service, built to the contract the programs service codes against,
for the parts main does not serve yet: `criteria` and `matches_criteria` on POST /api/v1/households/lookup,
and GET /api/v1/target-lists/{id}/households. It verifies the forwarded token with the real verifier, applies
the caller's region, evaluates simple criteria trees, records every call, and can be told to fail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kit.auth import Principal, TokenVerifier, region_covers
from kit.problems import ProblemError


@dataclass
class FakeHousehold:
    id: uuid.UUID
    region_code: str
    status: str = "active"
    welfare_decile: int | None = 1
    extreme_poor: bool = True
    members: dict[str, uuid.UUID] = field(default_factory=dict)

    def nik(self, index: int = 0) -> str:
        return list(self.members)[index]


@dataclass
class Call:
    method: str
    path: str
    region: str
    body: dict[str, Any] | None


def _holds(node: dict[str, Any], household: FakeHousehold) -> bool:
    if "all" in node:
        return all(_holds(n, household) for n in node["all"])
    if "any" in node:
        return any(_holds(n, household) for n in node["any"])
    if "not" in node:
        return not _holds(node["not"], household)
    value = getattr(household, node["field"])
    if value is None:
        return False
    op, expected = node["op"], node["value"]
    return {
        "eq": lambda: value == expected, "ne": lambda: value != expected, "lt": lambda: value < expected,
        "lte": lambda: value <= expected, "gt": lambda: value > expected, "gte": lambda: value >= expected,
        "in": lambda: value in expected, "between": lambda: expected[0] <= value <= expected[1],
    }[op]()


class FakeRegistry:
    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier
        self.households: dict[uuid.UUID, FakeHousehold] = {}
        self.target_lists: dict[uuid.UUID, tuple[str, list[uuid.UUID]]] = {}
        self.calls: list[Call] = []
        self.failure_status: int | None = None
        self.app = self._build()
        self._nik_counter = 0

    async def add(self, region_code: str, *, members: int = 1, **fields: Any) -> FakeHousehold:
        household = FakeHousehold(id=uuid.uuid4(), region_code=region_code, **fields)
        for _ in range(members):
            self._nik_counter += 1
            household.members[f"{region_code.replace('.', '')[:6]}{self._nik_counter:010d}"] = uuid.uuid4()
        self.households[household.id] = household
        return household

    def target_list(self, region: str, households: list[FakeHousehold]) -> uuid.UUID:
        list_id = uuid.uuid4()
        self.target_lists[list_id] = (region, [h.id for h in households])
        return list_id

    def lookups(self) -> list[Call]:
        return [c for c in self.calls if c.path.endswith("/lookup")]

    def _principal(self, request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        return self.verifier.verify(header.removeprefix("Bearer "))

    def _entry(self, ref: str, kind: str, principal: Principal, criteria: Any) -> dict[str, Any]:
        household, member_id = None, None
        if kind == "household_ids":
            household = self.households.get(uuid.UUID(ref))
        else:
            for candidate in self.households.values():
                if ref in candidate.members:
                    household, member_id = candidate, candidate.members[ref]
        if household is None or not region_covers(principal.region, household.region_code):
            return {"ref": ref, "found": False, "household_id": None, "member_id": None, "region_code": None,
                    "status": None, "matches_criteria": None}
        return {"ref": ref, "found": True, "household_id": str(household.id),
                "member_id": str(member_id) if member_id else None, "region_code": household.region_code,
                "status": household.status,
                "matches_criteria": None if criteria is None else _holds(criteria, household)}

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.exception_handler(ProblemError)
        async def problem(request: Request, exc: ProblemError) -> JSONResponse:
            return JSONResponse({"type": exc.type, "title": exc.title, "status": exc.status, "detail": exc.detail},
                                status_code=exc.status, media_type="application/problem+json")

        @app.post("/api/v1/households/lookup")
        async def lookup(request: Request) -> Any:
            principal = self._principal(request)
            body = await request.json()
            self.calls.append(Call("POST", request.url.path, principal.region, body))
            if self.failure_status is not None:
                return JSONResponse({"detail": "failing on purpose"}, status_code=self.failure_status)
            kind = "household_ids" if "household_ids" in body else "niks"
            refs = body[kind]
            if len(refs) > 10_000:
                return JSONResponse({"detail": "at most 10,000 refs"}, status_code=422)
            return {"items": [self._entry(r, kind, principal, body.get("criteria")) for r in refs]}

        @app.get("/api/v1/target-lists/{list_id}/households")
        async def target_list(list_id: uuid.UUID, request: Request, limit: int = 50, cursor: str | None = None) -> Any:
            principal = self._principal(request)
            self.calls.append(Call("GET", request.url.path, principal.region, None))
            found = self.target_lists.get(list_id)
            if found is None or not region_covers(principal.region, found[0]):
                return JSONResponse({"detail": "No such target list."}, status_code=404)
            start = int(cursor or 0)
            page = found[1][start:start + limit]
            more = start + limit < len(found[1])
            return {"items": [{"household_id": str(h), "region_code": self.households[h].region_code} for h in page],
                    "next_cursor": str(start + limit) if more else None}

        return app
