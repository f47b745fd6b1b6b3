"""The Idempotency-Key helper a creating endpoint receives: kit.idempotency over the programs schema's table."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from kit.auth import Principal, current_principal
from kit.database import SessionDep
from kit.idempotency import IdempotencyKeyHeader, Produce, fingerprint, run_idempotent
from programs.idempotency.models import IdempotencyKey


class Idempotency:
    def __init__(self, request: Request, session: SessionDep, principal: Principal, key: str | None) -> None:
        self.request = request
        self.session = session
        self.principal = principal
        self.key = key

    async def run(self, body: Any, produce: Produce) -> JSONResponse:
        """`produce` once per (client, key); a repeat with the same request replays its stored answer."""
        return await run_idempotent(
            self.session, IdempotencyKey, client_id=self.principal.client_id, key=self.key,
            request_fingerprint=fingerprint(self.request.method, self.request.url.path, jsonable_encoder(body)),
            produce=produce,
        )


def idempotency(
    request: Request, session: SessionDep, principal: Annotated[Principal, Depends(current_principal)],
    idempotency_key: IdempotencyKeyHeader = None,
) -> Idempotency:
    return Idempotency(request, session, principal, idempotency_key)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]
