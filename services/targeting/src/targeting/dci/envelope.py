"""The message envelope every DCI endpoint shares: the checks on its header, the header of our answers and
the acknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kit.auth import Principal
from kit.ids import uuid7
from targeting.dci.errors import (
    EncryptionInvalidError,
    HeaderRejection,
    ReceiverIdInvalidError,
    SenderIdInvalidError,
    VersionNotSupportedError,
)
from targeting.dci.schemas import Ack, AckError, AckMessage, EncryptedMessage, RequestHeader, ResponseHeader
from targeting.settings import TargetingSettings


def now() -> datetime:
    return datetime.now(UTC)


def parse_timestamp(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None and "T" in value.upper() else None


def dump(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def ack(correlation_id: str, error: tuple[str, str] | None = None) -> dict[str, Any]:
    return dump(Ack(message=AckMessage(
        ack_status="ERR" if error else "ACK", timestamp=now(), correlation_id=correlation_id,
        error=AckError(code=error[0], message=error[1]) if error else None)))  # type: ignore[arg-type]


def check_envelope(header: RequestHeader, message: Any, principal: Principal, settings: TargetingSettings) -> None:
    """Refusals of the standard's Error object: the message cannot be taken in at all."""
    if header.version != "1.0.0":
        raise VersionNotSupportedError(f"Version {header.version!r} is not supported; send 1.0.0.")
    if header.is_msg_encrypted or isinstance(message, EncryptedMessage):
        raise EncryptionInvalidError("Encrypted messages are not accepted: no encryption keys are exchanged; the "
                                     "connection is protected by TLS.")
    if header.sender_id != principal.client_id:
        raise SenderIdInvalidError("header.sender_id must be the client_id of the access token.")
    if header.receiver_id is not None and header.receiver_id != settings.dci_registry_id:
        raise ReceiverIdInvalidError(f"header.receiver_id must be {settings.dci_registry_id!r} when sent.")


def header_rejection(header: RequestHeader, settings: TargetingSettings, *, action: str,
                     count: int) -> HeaderRejection | None:
    """Refusals of the message as a whole, with a MsgHeaderStatusReasonCode."""
    if header.action != action:
        return HeaderRejection("rjct.action.invalid", f"This endpoint takes action {action!r}.")
    if parse_timestamp(header.message_ts) is None:
        return HeaderRejection("rjct.message_ts.invalid", "message_ts must be RFC 3339 with an offset.")
    if header.total_count != count:
        return HeaderRejection("rjct.total_count.invalid",
                               f"total_count says {header.total_count}; the message holds {count}.")
    if count > settings.dci_max_batch:
        return HeaderRejection("rjct.total_count.limit_exceeded",
                               f"At most {settings.dci_max_batch} requests per message.")
    return None


def response_header(request: RequestHeader, settings: TargetingSettings, *, action: str, status: str, count: int,
                    rejection: HeaderRejection | None = None) -> ResponseHeader:
    return ResponseHeader(
        message_id=str(uuid7()), message_ts=now(), action=action, status=status,  # type: ignore[arg-type]
        status_reason_code=rejection.code if rejection else None,  # type: ignore[arg-type]
        status_reason_message=rejection.message if rejection else None,
        total_count=count, completed_count=0 if rejection else count,
        sender_id=settings.dci_registry_id, receiver_id=request.sender_id)
