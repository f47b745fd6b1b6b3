"""How the gateway reaches a service: `gateway.http1.HttpUpstream` in production, any httpx client in tests
(an in-process ASGI app).

The proxy sees only `Upstream.send()` and two failures: the service could not be reached (502) or it
accepted the request and did not answer in time (504).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Sequence
from typing import Protocol

import httpx

Headers = Sequence[tuple[bytes, bytes]]
Content = bytes | AsyncIterable[bytes] | None


class UpstreamError(Exception):
    pass


class UpstreamUnavailableError(UpstreamError):
    """Refused, reset, closed early, or not connected within the connect timeout."""


class UpstreamTimeoutError(UpstreamError):
    """Connected and sent, but no answer (or no next bytes) within the upstream timeout."""


class UpstreamResponse(Protocol):
    status: int
    headers: Headers

    def body(self) -> AsyncIterator[bytes]: ...

    async def close(self) -> None: ...


class Upstream(Protocol):
    async def send(
        self, method: str, target: str, headers: Headers, content: Content, *, read_timeout: float | None = None
    ) -> UpstreamResponse: ...

    async def aclose(self) -> None: ...


async def fetch(upstream: Upstream, target: str, *, read_timeout: float) -> tuple[int, bytes]:
    """A small GET read whole (health probes, OpenAPI documents)."""
    response = await upstream.send("GET", target, (), None, read_timeout=read_timeout)
    try:
        return response.status, b"".join([chunk async for chunk in response.body()])
    finally:
        await response.close()


class _HttpxResponse:
    __slots__ = ("_response", "headers", "status")

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status = response.status_code
        self.headers = response.headers.raw

    async def body(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_raw():
                yield chunk
        except httpx.HTTPError as exc:
            raise _httpx_failure(exc) from exc

    async def close(self) -> None:
        await self._response.aclose()


def _httpx_failure(exc: httpx.HTTPError) -> UpstreamError:
    if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
        return UpstreamTimeoutError(type(exc).__name__)
    return UpstreamUnavailableError(type(exc).__name__)


class HttpxUpstream:
    """Any httpx client behind the same interface, so tests can proxy to an in-process ASGI app."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(
        self, method: str, target: str, headers: Headers, content: Content, *, read_timeout: float | None = None
    ) -> UpstreamResponse:
        extra = {} if read_timeout is None else {"timeout": read_timeout}
        request = self.client.build_request(method, target, headers=list(headers), content=content, **extra)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise _httpx_failure(exc) from exc
        return _HttpxResponse(response)

    async def aclose(self) -> None:
        await self.client.aclose()
