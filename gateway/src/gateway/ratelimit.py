"""Per-client rate limits at the gateway: in-process token buckets by default, one shared fixed-window
counter in Redis when configured, so every gateway replica enforces one limit."""

from __future__ import annotations

import json
import math
import time
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from kit.auth import TokenVerifier
from kit.problems import PROBLEM_JSON, ProblemError, problem_body
from kit.requests import incoming_request_id


class Limiter(Protocol):
    async def hit(self, key: str) -> float:
        """Count one request for `key`; 0 when allowed, else the seconds until one would be."""
        ...


class InProcessLimiter:
    """Token bucket: `per_minute` requests a minute on average, bursts up to `burst`."""

    def __init__(self, *, per_minute: int, burst: int, max_keys: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}

    async def hit(self, key: str) -> float:
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            if len(self._buckets) >= self.max_keys and key not in self._buckets:
                self._buckets.clear()
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate


class RedisLimiter:
    """Fixed one-minute windows counted with INCR in Redis, shared by all gateway replicas."""

    def __init__(self, redis: object, *, per_minute: int, prefix: str = "sinergi:ratelimit:") -> None:
        self.redis = redis
        self.per_minute = per_minute
        self.prefix = prefix

    async def hit(self, key: str) -> float:
        now = time.time()
        window = int(now // 60)
        name = f"{self.prefix}{key}:{window}"
        pipeline = self.redis.pipeline()  # type: ignore[attr-defined]
        pipeline.incr(name)
        pipeline.expire(name, 61)
        count, _ = await pipeline.execute()
        if int(count) <= self.per_minute:
            return 0.0
        return (window + 1) * 60 - now


class RateLimitMiddleware:
    """Keys requests by the verified client id; requests without a valid token by the peer address."""

    def __init__(self, app: ASGIApp, *, limiter: Limiter, verifier: TokenVerifier | None,
                 exempt: tuple[str, ...] = ("/health",)) -> None:
        self.app = app
        self.limiter = limiter
        self.verifier = verifier
        self.exempt = exempt

    def _key(self, scope: Scope) -> str:
        for name, value in scope.get("headers", ()):
            if name == b"authorization" and self.verifier is not None:
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer" and token:
                    try:
                        return "client:" + self.verifier.verify(token.strip()).client_id
                    except ProblemError:
                        break
        client = scope.get("client")
        return "ip:" + (client[0] if client else "unknown")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        wait = await self.limiter.hit(self._key(scope))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry_after = str(max(1, math.ceil(wait)))
        # Outermost layer: the request id is minted (or taken) here for the refusal.
        request_id = incoming_request_id(scope)
        body = json.dumps(problem_body(
            type_="urn:sinergi:problem:rate-limited", title="Too many requests", status=429,
            detail=f"Rate limit exceeded; retry after {retry_after} s.", request_id=request_id,
        )).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode()),
            (b"retry-after", retry_after.encode()), (b"cache-control", b"no-store"),
            (b"x-request-id", request_id.encode()),
        ]})
        await send({"type": "http.response.body", "body": body})
