"""HTTP client for the targeting service's registry endpoints.

Every call forwards the caller's Authorization header, so the registry applies the caller's own region and
scopes: a household outside them comes back `found: false`, exactly like an unknown one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

import httpx
from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from kit.problems import request_id_of
from programs.registry.errors import (
    RegistryBadResponseError,
    RegistryForbiddenError,
    RegistryRejectedError,
    RegistryUnavailableError,
    UnknownTargetListError,
)
from programs.registry.schemas import LookupAnswer, RegistryEntry, TargetListHousehold, TargetListPage

LOOKUP_BATCH = 10_000
TARGET_LIST_PAGE = 1000
Answer = TypeVar("Answer", bound=BaseModel)


class RegistryClient:
    def __init__(self, http: httpx.AsyncClient, *, authorization: str | None, request_id: str | None) -> None:
        self.http = http
        self.headers = {k: v for k, v in (("Authorization", authorization), ("X-Request-ID", request_id)) if v}

    async def lookup_households(
        self, household_ids: Sequence[uuid.UUID], *, criteria: dict[str, Any] | None
    ) -> list[RegistryEntry]:
        return await self._lookup("household_ids", [str(h) for h in household_ids], criteria)

    async def lookup_people(self, niks: Sequence[str], *, criteria: dict[str, Any] | None) -> list[RegistryEntry]:
        return await self._lookup("niks", list(niks), criteria)

    async def _lookup(self, kind: str, refs: list[str], criteria: dict[str, Any] | None) -> list[RegistryEntry]:
        """Batches of 10,000 refs per call (the endpoint's limit), never one call per ref."""
        entries: list[RegistryEntry] = []
        for start in range(0, len(refs), LOOKUP_BATCH):
            chunk = refs[start:start + LOOKUP_BATCH]
            body: dict[str, Any] = {kind: chunk}
            if criteria is not None:
                body["criteria"] = criteria
            answer = await self._call("POST", "/api/v1/households/lookup", LookupAnswer, json=body)
            if len(answer.items) != len(chunk):
                raise RegistryBadResponseError("The registry answered a different number of items than asked.")
            entries += answer.items
        return entries

    async def target_list_households(self, target_list_id: uuid.UUID) -> list[TargetListHousehold]:
        households: list[TargetListHousehold] = []
        cursor: str | None = None
        while True:
            params = {"limit": str(TARGET_LIST_PAGE)} | ({"cursor": cursor} if cursor else {})
            page = await self._call("GET", f"/api/v1/target-lists/{target_list_id}/households", TargetListPage,
                                    params=params, not_found=UnknownTargetListError(
                                        "No such target list for this client.",
                                        errors=[{"pointer": "/target_list_id", "detail": "no target list with this "
                                                 "id in the client's region"}]))
            households += page.items
            if page.next_cursor is None:
                return households
            cursor = page.next_cursor

    async def _call(
        self, method: str, path: str, answer: type[Answer], *, json: Any = None, params: dict[str, str] | None = None,
        not_found: Exception | None = None,
    ) -> Answer:
        try:
            response = await self.http.request(method, path, json=json, params=params, headers=self.headers)
        except httpx.HTTPError as exc:
            raise RegistryUnavailableError("The registry (targeting service) cannot be reached; nothing was "
                                           "changed, retry shortly.") from exc
        status = response.status_code
        if status == 200:
            try:
                return answer.model_validate_json(response.content)
            except ValidationError as exc:
                raise RegistryBadResponseError("The registry answered out of contract.") from exc
        if status == 404 and not_found is not None:
            raise not_found
        if status in (401, 403):
            raise RegistryForbiddenError(
                "The registry refused this client's token: enrolment checks households under the caller's own "
                f"registry access. Registry said: {_detail(response)}"
            )
        if status == 422:
            raise RegistryRejectedError(f"The registry rejected the lookup: {_detail(response)}")
        raise RegistryUnavailableError(
            f"The registry (targeting service) answered {status}; nothing was changed, retry shortly."
        )


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    return str(detail) if detail else f"HTTP {response.status_code}"


def registry_client(request: Request) -> RegistryClient:
    return RegistryClient(request.app.state.registry_http, authorization=request.headers.get("authorization"),
                          request_id=request_id_of(request))


RegistryDep = Annotated[RegistryClient, Depends(registry_client)]
