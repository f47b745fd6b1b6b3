"""RFC 9457 problem details: the error tree every process raises and the handlers that render it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:sinergi:problem:"

log = logging.getLogger("kit.problems")


class ProblemError(Exception):
    """Base of every error that reaches a client; subclasses set the class attributes."""

    status: int = 500
    title: str = "Internal server error"
    slug: str = "internal"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = list(errors) if errors else None
        self.headers = headers or {}
        self.extra = extra or {}

    @property
    def type(self) -> str:
        return TYPE_PREFIX + self.slug


class BadRequestError(ProblemError):
    status, title, slug = 400, "Bad request", "bad-request"


class UnauthorizedError(ProblemError):
    status, title, slug = 401, "Unauthorized", "unauthorized"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="sinergi"'})
        super().__init__(detail, **kwargs)


class ForbiddenError(ProblemError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFoundError(ProblemError):
    status, title, slug = 404, "Not found", "not-found"


class MethodNotAllowedError(ProblemError):
    status, title, slug = 405, "Method not allowed", "method-not-allowed"


class ConflictError(ProblemError):
    status, title, slug = 409, "Conflict", "conflict"


class PreconditionFailedError(ProblemError):
    status, title, slug = 412, "Precondition failed", "precondition-failed"


class PayloadTooLargeError(ProblemError):
    status, title, slug = 413, "Payload too large", "payload-too-large"


class UnsupportedMediaTypeError(ProblemError):
    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"


class UnprocessableError(ProblemError):
    status, title, slug = 422, "Unprocessable content", "validation"


class PreconditionRequiredError(ProblemError):
    status, title, slug = 428, "Precondition required", "precondition-required"


class TooManyRequestsError(ProblemError):
    status, title, slug = 429, "Too many requests", "rate-limited"


class BadGatewayError(ProblemError):
    status, title, slug = 502, "Bad gateway", "upstream-unavailable"


class ServiceUnavailableError(ProblemError):
    status, title, slug = 503, "Service unavailable", "unavailable"


class GatewayTimeoutError(ProblemError):
    status, title, slug = 504, "Gateway timeout", "upstream-timeout"


_BY_STATUS: dict[int, type[ProblemError]] = {
    cls.status: cls
    for cls in (
        BadRequestError, UnauthorizedError, ForbiddenError, NotFoundError, MethodNotAllowedError,
        ConflictError, PreconditionFailedError, PayloadTooLargeError, UnsupportedMediaTypeError,
        UnprocessableError, PreconditionRequiredError, TooManyRequestsError, BadGatewayError,
        ServiceUnavailableError, GatewayTimeoutError,
    )
}


def request_id_of(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


def problem_body(
    *, type_: str, title: str, status: int, detail: str, request_id: str | None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": type_, "title": title, "status": status, "detail": detail, "request_id": request_id,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


_RESERVED = frozenset({"type", "title", "status", "detail", "request_id", "errors", "type_"})


def problem_response(request: Request, error: ProblemError) -> JSONResponse:
    extra = {k: v for k, v in error.extra.items() if k not in _RESERVED}
    body = problem_body(
        type_=error.type, title=error.title, status=error.status, detail=error.detail,
        request_id=request_id_of(request), errors=error.errors, **extra,
    )
    return JSONResponse(body, status_code=error.status, headers=error.headers, media_type=PROBLEM_JSON)


def _pointer(loc: Sequence[Any]) -> dict[str, str]:
    """Turn a pydantic location into a JSON pointer (body) or a parameter name (query, path, header)."""
    if not loc:
        return {"pointer": ""}
    where, *path = loc
    if where == "body":
        # Discriminated unions and function validators add their tag to the location; drop non-field parts.
        parts = [str(p) for p in path if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))]
        return {"pointer": "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts) if parts else ""}
    return {"parameter": ".".join(str(p) for p in path) or str(where), "in": str(where)}


def validation_errors(errors: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    # Only the message: pydantic's `input` would echo personal data (NIK, names) back into the response.
    return [
        {**_pointer(e.get("loc", ())), "detail": str(e.get("msg", "invalid")), "code": str(e.get("type", "invalid"))}
        for e in errors
    ]


def allowed_methods(request: Request) -> str:
    """Every method any route serves at this path (Starlette names only the first partial match's)."""
    methods = set()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            methods.add(method)
    return ", ".join(sorted(methods))


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(request, exc)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        error = UnprocessableError("The request is not valid; see errors.", errors=validation_errors(exc.errors()))
        return problem_response(request, error)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        cls = _BY_STATUS.get(exc.status_code, ProblemError)
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code < 500 else None
        if exc.status_code == 404 and detail == "Not Found":
            detail = "No such resource."
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
            detail = f"This resource supports {headers['Allow']}."
        error = cls(detail, headers=headers)
        if cls is ProblemError:
            error.status = exc.status_code
        return problem_response(request, error)

    async def on_database_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", type(exc).__name__)
        error = ServiceUnavailableError("The database is unavailable; retry shortly.", headers={"Retry-After": "2"})
        return problem_response(request, error)

    async def on_bad_data(request: Request, exc: Exception) -> JSONResponse:
        # Values the schema let through but PostgreSQL cannot store (NUL bytes, lone surrogates, overflow).
        log.info("data refused by the database: %s", type(exc).__name__)
        return problem_response(request, UnprocessableError("A value in the request cannot be stored."))

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"request_id": request_id_of(request)})
        return problem_response(request, ProblemError("An unexpected error occurred; it has been logged."))

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(sa_exc.OperationalError, on_database_down)
    app.add_exception_handler(sa_exc.InterfaceError, on_database_down)
    app.add_exception_handler(sa_exc.TimeoutError, on_database_down)
    app.add_exception_handler(ConnectionError, on_database_down)
    app.add_exception_handler(sa_exc.DataError, on_bad_data)
    app.add_exception_handler(UnicodeEncodeError, on_bad_data)
    app.add_exception_handler(Exception, on_unexpected)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "request_id": {"type": ["string", "null"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "pointer": {"type": "string"},
                    "parameter": {"type": "string"},
                    "in": {"type": "string"},
                    "detail": {"type": "string"},
                    "code": {"type": "string", "description": "A stable machine-readable reason."},
                },
                "required": ["detail"],
            },
        },
    },
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries declaring problem+json for the given statuses."""
    return {
        s: {
            "description": _BY_STATUS[s].title if s in _BY_STATUS else "Error",
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for s in statuses
    }
