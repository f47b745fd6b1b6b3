"""The FastAPI application shell every service shares: middleware, error handlers, health, OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any, ClassVar, get_args

from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kit.auth import TokenVerifier
from kit.database import create_engine, create_sessionmaker
from kit.logs import configure_logging
from kit.openapi import install_openapi
from kit.problems import PROBLEM_JSON, install_problem_handlers, problem_body
from kit.requests import RequestIdMiddleware
from kit.settings import ProcessSettings


class StrictModel(BaseModel):
    """Request bodies: unknown fields are refused (422), never silently dropped, and a JSON number is never
    read as a date or timestamp (pydantic's lax mode would take 0 as 1970-01-01)."""

    model_config = ConfigDict(extra="forbid")
    __date_fields__: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.__date_fields__ = frozenset(
            name for name, field in cls.model_fields.items()
            if any(t in (date, datetime) for t in _leaf_types(field.annotation))
        )

    @model_validator(mode="before")
    @classmethod
    def _no_numeric_dates(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in cls.__date_fields__:
                value = data.get(name)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    raise PydanticCustomError("date_type", f"{name} must be a date string, not a number.")
        return data


def _leaf_types(annotation: Any) -> list[Any]:
    args = get_args(annotation)
    if not args:
        return [annotation]
    return [leaf for arg in args for leaf in _leaf_types(arg)]


class SecurityHeadersMiddleware:
    """Personal data must not sit in shared caches: every API answer is `no-store`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = {k.lower() for k, _ in headers}
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuses bodies over the limit with 413 before the app reads them; some paths get a larger allowance."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, overrides: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = sorted((overrides or {}).items(), key=lambda kv: -len(kv[0]))

    def _limit_for(self, path: str) -> int:
        for prefix, limit in self.overrides:
            if path.startswith(prefix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _send_too_large(scope, send, limit)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLargeError:
            if not started:
                await _send_too_large(scope, send, limit)


class _TooLargeError(Exception):
    pass


async def _send_too_large(scope: Scope, send: Send, limit: int) -> None:
    import json

    body = json.dumps(problem_body(
        type_="urn:sinergi:problem:payload-too-large", title="Payload too large", status=413,
        detail=f"The request body exceeds {limit} bytes.", request_id=scope.get("state", {}).get("request_id"),
    )).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode()),
    ]})
    await send({"type": "http.response.body", "body": body})


class HealthRead(BaseModel):
    status: str
    database: str


def health_router(service: str) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health", response_model=HealthRead, summary=f"Liveness of the {service} service and its database")
    async def health(request: Request) -> Any:
        from fastapi.responses import JSONResponse

        engine: AsyncEngine = request.app.state.engine
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return {"status": "ok", "database": "ok"}
        except Exception:
            return JSONResponse({"status": "degraded", "database": "unavailable"}, status_code=503)

    return router


def create_service_app(
    *,
    name: str,
    title: str,
    description: str,
    settings: ProcessSettings,
    routers: Sequence[APIRouter],
    body_limit_overrides: dict[str, int] | None = None,
    on_startup: Sequence[Callable[[FastAPI], Awaitable[None]]] = (),
    on_shutdown: Sequence[Callable[[FastAPI], Awaitable[None]]] = (),
    openapi_tags: list[dict[str, Any]] | None = None,
) -> FastAPI:
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for hook in on_startup:
            await hook(app)
        try:
            yield
        finally:
            for hook in on_shutdown:
                await hook(app)
            await app.state.engine.dispose()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan,
                  openapi_tags=openapi_tags, docs_url="/docs", redoc_url=None)
    app.state.settings = settings
    app.state.engine = create_engine(
        settings.require_database_url(), application_name=name,
        pool_size=settings.db_pool_size, statement_timeout_ms=settings.db_statement_timeout_ms,
    )
    app.state.sessionmaker = create_sessionmaker(app.state.engine)
    app.state.token_verifier = TokenVerifier(
        settings.require_public_key(), issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    install_problem_handlers(app)
    app.include_router(health_router(name))
    for router in routers:
        app.include_router(router)
    install_openapi(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, overrides=body_limit_overrides)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["ETag", "Location", "X-Request-ID", "Retry-After", "Idempotent-Replayed",
                            "Feed-Next-After", "Feed-Entries", "Feed-Head", "Feed-Columns"],
        )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app
