from kit.problems import ConflictError, UnprocessableError


class IdempotencyKeyReusedError(UnprocessableError):
    slug, title = "idempotency-key-reused", "Idempotency key reused with another request"


class IdempotencyKeyInFlightError(ConflictError):
    slug, title = "idempotency-key-in-flight", "Idempotency key still in flight"
