"""/dci/registry: the DCI Social Registry API v1.0.0 (docs/dci.md). HTTP only."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.background import BackgroundTask

from kit.ids import uuid7
from targeting.dci.dependencies import SearchServiceDep, StatusServiceDep
from targeting.dci.errors import BadRequestError, DciError
from targeting.dci.schemas import (
    Ack,
    SearchEnvelope,
    SearchResponseEnvelope,
    TxnStatusEnvelope,
    TxnStatusResponseEnvelope,
)
from targeting.dci.service import ack, run_async_search
from targeting.dci.status import deliver_status

log = logging.getLogger("targeting.dci")

def _where(location: Sequence[Any]) -> str:
    return ".".join(str(p) for p in location if p not in ("body", "plain", "encrypted")) or "body"


def describe(errors: Sequence[dict[str, Any]]) -> str:
    # Only locations and messages: pydantic's `input` would echo NIKs and names back.
    parts = [f"{_where(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors[:5]]
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return ("The message does not follow the DCI envelope: " + "; ".join(parts) + more)[:999]


def refusal(error: DciError) -> JSONResponse:
    log.info("dci message refused: %s", error.code)
    return JSONResponse(ack(str(uuid7()), (error.code, error.message)), status_code=error.status)


class DciRoute(APIRoute):
    """Refusals in the standard's acknowledgement (ack_status ERR), not problem+json; auth stays problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def dci_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return refusal(BadRequestError(describe(exc.errors())))
            except DciError as exc:
                return refusal(exc)

        return dci_handler


router = APIRouter(prefix="/dci/registry", tags=["dci"], route_class=DciRoute)
on_search = APIRouter()
on_status = APIRouter()

REFUSED = {"model": Ack, "description": "Refused (HTTP 400; 404 for an unknown transaction): `ack_status: ERR` "
           "with the standard's Error object."}
ACCEPTED = {"model": Ack, "description": "Acknowledged (`ack_status: ACK`); the answer follows at sender_uri. "
            "`correlation_id` names the transaction in txn/status."}


CALLBACK = ("We POST the answer to `header.sender_uri` exactly as given, without following redirects; any 2xx "
            "counts as delivered; 5xx, 429 and network errors are retried a few times.")


NOT_DELIVERED = {"default": {"description": "Not delivered: 5xx and 429 are retried, anything else is final."}}


@on_search.post("{$request.body#/header/sender_uri}", response_model=Ack, summary="on-search", description=CALLBACK,
                responses=NOT_DELIVERED)
def on_search_callback(body: SearchResponseEnvelope) -> None:
    """Documentation only: the caller implements this."""


@on_status.post("{$request.body#/header/sender_uri}", response_model=Ack, summary="txn-on-status",
                description=CALLBACK, responses=NOT_DELIVERED)
def on_status_callback(body: TxnStatusResponseEnvelope) -> None:
    """Documentation only: the caller implements this."""


@router.post("/sync/search", response_model=None, summary="Search the registry (sync)",
             responses={200: {"model": SearchResponseEnvelope, "description": "`header.action: on-search`; one "
                              "search_response item per search_request item, in order."}, "default": REFUSED},
             description="Each search_request item is answered on its own: idtype-value (NIK, NO_KK), predicate or "
             "expression queries over households (Group) or members (Member, Person), sorted and paged.")
async def sync_search(envelope: SearchEnvelope, service: SearchServiceDep) -> JSONResponse:
    return JSONResponse(await service.sync_search(envelope))


@router.post("/search", response_model=None, status_code=202, summary="Search the registry (async)",
             responses={202: ACCEPTED, "default": REFUSED}, callbacks=on_search.routes,
             description="Acknowledged at once; the same answer the sync endpoint gives (`header.action: "
             "on-search`) is then POSTed to `header.sender_uri`, which must lie under a callback prefix registered "
             "for the client and resolve to public addresses only. The answer is kept: txn/status reads it back.")
async def search(request: Request, envelope: SearchEnvelope, service: SearchServiceDep) -> JSONResponse:
    body = await service.accept_search(envelope)
    correlation = uuid.UUID(body["message"]["correlation_id"])
    return JSONResponse(body, status_code=202,
                        background=BackgroundTask(run_async_search, request.app.state, correlation))


@router.post("/sync/txn/status", response_model=None, summary="Status of earlier searches (sync)",
             responses={200: {"model": TxnStatusResponseEnvelope, "description": "`header.action: txn-on-status`; "
                              "`txn_status` is the stored SearchResponse (pending items while an async search "
                              "runs)."}, "default": REFUSED},
             description="`attribute_type` transaction_id or correlation_id names the message(s); reference_id_list "
             "picks items among the messages of this request's own `transaction_id`. Only your own transactions, "
             "and only those made with a region inside your token's, are found. Masked again without pii:read.")
async def sync_txn_status(envelope: TxnStatusEnvelope, service: StatusServiceDep) -> JSONResponse:
    return JSONResponse(await service.sync_status(envelope))


@router.post("/txn/status", response_model=None, status_code=202, summary="Status of earlier searches (async)",
             responses={202: ACCEPTED, "default": REFUSED}, callbacks=on_status.routes,
             description="As the sync endpoint, with the answer (`header.action: txn-on-status`) POSTed to "
             "`header.sender_uri` under the same rules as async search.")
async def txn_status(request: Request, envelope: TxnStatusEnvelope, service: StatusServiceDep) -> JSONResponse:
    body, url, answer = await service.accept_status(envelope)
    return JSONResponse(body, status_code=202, background=BackgroundTask(
        deliver_status, request.app.state.dci_callbacks, service.principal.client_id, url, answer))
