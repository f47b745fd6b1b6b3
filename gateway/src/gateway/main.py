"""The gateway application: token endpoint, health, merged docs, and the reverse proxy around them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from gateway.clients.keys import TokenSigner
from gateway.clients.router import router as token_router
from gateway.clients.schemas import TokenRequest
from gateway.docs import SERVICE_TAG, fetch_service_specs, merge_openapi
from gateway.http1 import HttpUpstream
from gateway.proxy import ReverseProxy
from gateway.ratelimit import InProcessLimiter, RateLimitMiddleware, RedisLimiter
from gateway.routing import RouteTable
from gateway.settings import GatewaySettings
from gateway.upstream import HttpxUpstream, Upstream, UpstreamError, fetch
from kit.app import BodyLimitMiddleware, SecurityHeadersMiddleware
from kit.auth import TokenVerifier
from kit.database import create_engine, create_sessionmaker
from kit.logs import configure_logging
from kit.openapi import install_openapi
from kit.problems import ServiceUnavailableError, install_problem_handlers
from kit.requests import RequestIdMiddleware

DESCRIPTION = """\
Lampung's single poverty registry (DTKS) and the programmes and reports built on it.

Every call but the token endpoint, health and docs needs `Authorization: Bearer <token>`.
Errors are `application/problem+json` (RFC 9457). Region rule: records outside the token's region
do not exist for it (404, absent from lists and counts); a filter naming a disjoint region answers 403.
"""


class ServiceHealth(BaseModel):
    status: str
    latency_ms: float | None = None


class GatewayHealth(BaseModel):
    status: str
    gateway: str
    services: dict[str, ServiceHealth]


meta_router = APIRouter(tags=["gateway"])


@meta_router.get("/health", response_model=GatewayHealth, summary="The gateway and the health of each service")
async def health(request: Request) -> Any:
    upstreams: dict[str, Upstream] = request.app.state.upstreams

    async def probe(upstream: Upstream) -> ServiceHealth:
        started = time.perf_counter()
        try:
            status, _ = await fetch(upstream, "/health", read_timeout=2.0)
        except UpstreamError:
            return ServiceHealth(status="unavailable")
        return ServiceHealth(status="ok" if status == 200 else "degraded",
                             latency_ms=round((time.perf_counter() - started) * 1000, 1))

    results = await asyncio.gather(*(probe(u) for u in upstreams.values()))
    services = dict(zip(upstreams, results, strict=True))
    status = "ok" if all(s.status == "ok" for s in results) else "degraded"
    return GatewayHealth(status=status, gateway="ok", services=services)


@meta_router.get("/openapi.json", include_in_schema=False)
async def merged_openapi(request: Request) -> JSONResponse:
    app: FastAPI = request.app
    cached = getattr(app.state, "merged_openapi", None)
    if cached is None:
        try:
            specs = await fetch_service_specs(app.state.upstreams)
        except (UpstreamError, ValueError) as exc:
            raise ServiceUnavailableError(
                "A service is unavailable; the merged API description needs all three."
            ) from exc
        cached = merge_openapi(app.openapi(), specs)
        cached["tags"] = [{"name": "auth"}, {"name": "gateway"}] + [
            t for t in cached.get("tags", []) if t["name"] not in ("auth", "gateway")
        ]
        cached["info"]["x-services"] = SERVICE_TAG
        app.state.merged_openapi = cached
    return JSONResponse(cached)


@meta_router.get("/docs", include_in_schema=False)
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="Sinergi API")


def build_limiter(settings: GatewaySettings) -> InProcessLimiter | RedisLimiter:
    if settings.redis_url:
        from redis.asyncio import Redis

        return RedisLimiter(Redis.from_url(settings.redis_url), per_minute=settings.rate_limit_per_minute)
    return InProcessLimiter(per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst)


def create_app(
    settings: GatewaySettings, *, upstreams: Mapping[str, Upstream | httpx.AsyncClient] | None = None
) -> Any:
    """`upstreams` replaces the services' URLs; an httpx client (an in-process ASGI app in tests) is wrapped."""
    configure_logging(settings.log_level)
    if not settings.jwt_private_key:
        raise RuntimeError("No signing key: set JWT_PRIVATE_KEY_FILE (make run generates one).")
    clients: dict[str, Upstream] = {
        name: HttpxUpstream(u) if isinstance(u, httpx.AsyncClient) else u for name, u in (upstreams or {}).items()
    } or {
        name: HttpUpstream(
            url, timeout=settings.upstream_timeout_seconds,
            connect_timeout=settings.upstream_connect_timeout_seconds,
            max_connections=settings.upstream_max_connections,
        )
        for name, url in settings.service_urls().items()
    }

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            for upstream in clients.values():
                await upstream.aclose()
            await app.state.engine.dispose()

    app = FastAPI(title="Sinergi API", description=DESCRIPTION, version="1.0.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.upstreams = clients
    app.state.engine = create_engine(
        settings.require_database_url(), application_name="gateway", pool_size=settings.db_pool_size,
        statement_timeout_ms=settings.db_statement_timeout_ms,
    )
    app.state.sessionmaker = create_sessionmaker(app.state.engine)
    app.state.token_signer = TokenSigner(
        settings.jwt_private_key, issuer=settings.jwt_issuer, audience=settings.jwt_audience,
        ttl_seconds=settings.token_ttl_seconds,
    )
    install_problem_handlers(app)
    app.include_router(meta_router)
    app.include_router(token_router)
    install_openapi(app, extra_schemas={"TokenRequest": TokenRequest.model_json_schema()})

    # The proxy is outermost: a proxied request is the hot path, so it sets the request id and the
    # security headers itself instead of passing through two more middleware layers.
    own = RequestIdMiddleware(SecurityHeadersMiddleware(BodyLimitMiddleware(app, max_bytes=settings.max_body_bytes)))
    outer = ReverseProxy(own, routes=RouteTable(), upstreams=clients)
    verifier = TokenVerifier(settings.jwt_public_key, issuer=settings.jwt_issuer, audience=settings.jwt_audience) \
        if settings.jwt_public_key else None
    outer = RateLimitMiddleware(outer, limiter=build_limiter(settings), verifier=verifier)
    outer.fastapi_app = app  # type: ignore[attr-defined]
    return outer


def create_app_from_env() -> Any:
    return create_app(GatewaySettings())
