"""The Idempotency helper a creating endpoint receives: replay a stored response, or store the new one."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from kit.auth import Principal, current_principal
from kit.database import SessionDep
from programs.idempotency.errors import IdempotencyKeyInFlightError, IdempotencyKeyReusedError
from programs.idempotency.repository import IdempotencyRepository

REPLAY_HEADER = "Idempotent-Replayed"


class Idempotency:
    def __init__(
        self, repository: IdempotencyRepository, *, client_id: str, key: str | None, method: str, path: str
    ) -> None:
        self.repository = repository
        self.client_id = client_id
        self.key = key
        self.method = method
        self.path = path

    def _hash(self, body: Any) -> str:
        canonical = json.dumps([self.method, self.path, jsonable_encoder(body)], sort_keys=True,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    async def replay(self, body: Any) -> JSONResponse | None:
        """The stored response when this key was used before with the same request; None to go ahead."""
        if self.key is None:
            return None
        digest = self._hash(body)
        stored = await self.repository.claim(self.client_id, self.key, digest)
        if stored is None:
            return None
        if stored.request_hash != digest:
            raise IdempotencyKeyReusedError(
                "This Idempotency-Key was used with another request; use a new key for a new request."
            )
        if stored.response_status is None:
            raise IdempotencyKeyInFlightError("A request with this Idempotency-Key has not finished.")
        headers = {**(stored.response_headers or {}), REPLAY_HEADER: "true"}
        return JSONResponse(stored.response_body, status_code=stored.response_status, headers=headers)

    async def respond(self, status: int, body: Any, headers: dict[str, str] | None = None) -> JSONResponse:
        content = jsonable_encoder(body)
        headers = headers or {}
        if self.key is not None:
            await self.repository.remember(self.client_id, self.key, status=status, body=content, headers=headers)
        return JSONResponse(content, status_code=status, headers=headers)


def idempotency(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(current_principal)],
    idempotency_key: Annotated[str | None, Header(
        min_length=1, max_length=200,
        description="Makes the POST safe to retry: a repeat with the same key and body returns the first "
        "response (with `Idempotent-Replayed: true`); the same key with another body answers 422.",
    )] = None,
) -> Idempotency:
    return Idempotency(IdempotencyRepository(session), client_id=principal.client_id, key=idempotency_key,
                       method=request.method, path=request.url.path)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]
