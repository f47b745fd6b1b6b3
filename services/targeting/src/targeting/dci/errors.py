"""The DCI standard's three layers of refusal, as exceptions the service raises and the router renders.

- `DciError`: the standard's Error object (err.*), answered as an acknowledgement with `ack_status: ERR`
  and a 4xx status: the message could not be taken in at all.
- `HeaderRejection`: a MsgHeaderStatusReasonCode (rjct.*) for the message as a whole.
- `ItemRejection`: a SearchStatusReasonCode (rjct.*) for one search_request item; the others still run.
"""

from __future__ import annotations


class DciError(Exception):
    status = 400
    code = "err.request.bad"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message[:999]


class BadRequestError(DciError):
    code = "err.request.bad"


class VersionNotSupportedError(DciError):
    code = "err.version.not_supported"


class EncryptionInvalidError(DciError):
    code = "err.encryption.invalid"


class SenderIdInvalidError(DciError):
    code = "err.sender_id.invalid"


class SenderUriInvalidError(DciError):
    code = "err.sender_uri.invalid"


class ReceiverIdInvalidError(DciError):
    code = "err.receiver_id.invalid"


class TransactionNotFoundError(DciError):
    status = 404
    code = "err.request.not_found"


class HeaderRejection(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message[:999]


class ItemRejection(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message[:999]
