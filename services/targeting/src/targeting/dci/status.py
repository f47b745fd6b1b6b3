"""txn/status: what became of a client's earlier search messages, read back from dci_transaction."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.ids import uuid7
from targeting.audit.repository import AuditRepository
from targeting.dci import mapping
from targeting.dci.callbacks import CallbackPolicy
from targeting.dci.envelope import ack, check_envelope, dump, header_rejection, response_header
from targeting.dci.errors import BadRequestError, HeaderRejection, TransactionNotFoundError
from targeting.dci.models import DciTransaction
from targeting.dci.repository import DciRepository
from targeting.dci.schemas import (
    SearchEnvelope,
    SearchRequest,
    SearchResponse,
    SearchResponseItem,
    TxnStatusBody,
    TxnStatusEnvelope,
    TxnStatusRequest,
    TxnStatusResponse,
    TxnStatusResponseEnvelope,
)
from targeting.settings import TargetingSettings

log = logging.getLogger("targeting.dci")


class DciStatusService:
    def __init__(self, session: AsyncSession, principal: Principal, settings: TargetingSettings,
                 policy: CallbackPolicy) -> None:
        self.principal = principal
        self.settings = settings
        self.policy = policy
        self.repository = DciRepository(session)
        self.audit = AuditRepository(session)

    async def sync_status(self, envelope: TxnStatusEnvelope) -> dict[str, Any]:
        check_envelope(envelope.header, envelope.message, self.principal, self.settings)
        assert isinstance(envelope.message, TxnStatusRequest)
        rejection = self._rejection(envelope)
        if rejection is not None:
            header = response_header(envelope.header, self.settings, action="txn-on-status", status="rjct",
                                     count=1, rejection=rejection)
            return dump(TxnStatusResponseEnvelope(header=header))
        body = await self._status(envelope.message)
        header = response_header(envelope.header, self.settings, action="txn-on-status", status="succ", count=1)
        return dump(TxnStatusResponseEnvelope(header=header, message=body))

    async def accept_status(self, envelope: TxnStatusEnvelope) -> tuple[dict[str, Any], str, dict[str, Any]]:
        """-> (the ACK, the callback URL, the answer to deliver there)."""
        check_envelope(envelope.header, envelope.message, self.principal, self.settings)
        await self.policy.target(self.principal.client_id, envelope.header.sender_uri)
        assert isinstance(envelope.message, TxnStatusRequest)
        rejection = self._rejection(envelope)
        if rejection is not None:
            raise BadRequestError(f"{rejection.code}: {rejection.message}")
        body = await self._status(envelope.message)
        header = response_header(envelope.header, self.settings, action="txn-on-status", status="succ", count=1)
        return (ack(body.correlation_id), envelope.header.sender_uri or "",
                dump(TxnStatusResponseEnvelope(header=header, message=body)))

    def _rejection(self, envelope: TxnStatusEnvelope) -> HeaderRejection | None:
        assert isinstance(envelope.message, TxnStatusRequest)
        rejection = header_rejection(envelope.header, self.settings, action="txn-status", count=1)
        if rejection is None and envelope.message.txnstatus_request.txn_type != "search":
            rejection = HeaderRejection("rjct.action.not_supported",
                                        "Only the status of search transactions is kept.")
        return rejection

    async def _status(self, message: TxnStatusRequest) -> TxnStatusResponse:
        query = message.txnstatus_request
        value, client, region = query.attribute_value, self.principal.client_id, self.principal.region
        references: set[str] | None = None
        if query.attribute_type == "reference_id_list":
            if not isinstance(value, list) or not value:
                raise BadRequestError("For reference_id_list, attribute_value is a non-empty list of reference_ids.")
            found = await self.repository.find(client, region, transaction_id=message.transaction_id)
            references = set(value)
        elif not isinstance(value, str):
            raise BadRequestError(f"For {query.attribute_type}, attribute_value is a string.")
        elif query.attribute_type == "transaction_id":
            found = await self.repository.find(client, region, transaction_id=value)
        else:
            found = await self.repository.find(client, region, correlation_id=_uuid(value)) if _uuid(value) else []
        items = [item for transaction in found for item in _items(transaction)
                 if references is None or item.reference_id in references]
        if not found or (references is not None and not items):
            raise TransactionNotFoundError("No such transaction for this client and region.")
        status = SearchResponse(transaction_id=found[-1].transaction_id, correlation_id=str(found[-1].id),
                                search_response=items)
        if not self.principal.can_read_pii:
            mapping.mask(status)
        households, members = mapping.record_ids(r for i in items if i.data for r in i.data.reg_records)
        await self.audit.record(self.principal, "dci.txn_status", "household", households)
        await self.audit.record(self.principal, "dci.txn_status", "member", members)
        return TxnStatusResponse(transaction_id=message.transaction_id, correlation_id=str(uuid7()),
                                 txnstatus_response=TxnStatusBody(txn_status=status))


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _items(transaction: DciTransaction) -> list[SearchResponseItem]:
    """The stored answer's items; for a message not answered yet, its requests with the message's status."""
    if transaction.response is not None:
        return SearchResponse.model_validate(transaction.response).search_response
    message = SearchEnvelope.model_validate(transaction.request).message
    assert isinstance(message, SearchRequest)
    return [SearchResponseItem(reference_id=item.reference_id, timestamp=transaction.updated_at,
                               status=transaction.status) for item in message.search_request]  # type: ignore[arg-type]


async def deliver_status(dispatcher: Any, client_id: str, url: str, body: dict[str, Any]) -> None:
    delivery = await dispatcher.deliver(client_id, url, body)
    if delivery.status != "delivered":
        log.warning("dci txn-status callback not delivered", extra={"error": delivery.error})
