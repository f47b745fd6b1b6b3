"""How the gateway reaches a service: aiohttp in production, any httpx client in tests (ASGI transport).

The proxy sees only `Upstream.send()` and two failures: the service could not be reached (502) or it
accepted the request and did not answer in time (504).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Sequence
from typing import Protocol

import aiohttp
import httpx
from yarl import URL

Headers = Sequence[tuple[bytes, bytes]]
Content = bytes | AsyncIterable[bytes] | None

# Below uvicorn's 5 s keep-alive, so a pooled connection is dropped here before the service closes it
# and a request is never written into a connection that is already going away.
KEEPALIVE_SECONDS = 4.0


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


def _aiohttp_failure(exc: BaseException) -> UpstreamError:
    # Order matters: aiohttp's connect timeout is also a TimeoutError, but the service was never reached.
    if isinstance(exc, aiohttp.ConnectionTimeoutError | aiohttp.ClientConnectorError):
        return UpstreamUnavailableError(type(exc).__name__)
    if isinstance(exc, TimeoutError):
        return UpstreamTimeoutError(type(exc).__name__)
    return UpstreamUnavailableError(type(exc).__name__)


class _AiohttpResponse:
    __slots__ = ("_response", "headers", "status")

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status = response.status
        self.headers = response.raw_headers

    async def body(self) -> AsyncIterator[bytes]:
        content = self._response.content
        try:
            while True:
                chunk = await content.readany()
                if not chunk:
                    return
                yield chunk
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise _aiohttp_failure(exc) from exc

    async def close(self) -> None:
        # Fully read: the connection goes back to the pool; cut short: it is closed, never reused half-read.
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()


class AiohttpUpstream:
    """The production path. aiohttp is used directly: httpx's request and header models cost the proxy
    more per request than forwarding itself (bench/RESULTS.md, section gateway)."""

    def __init__(
        self, base_url: str, *, timeout: float, connect_timeout: float, max_connections: int
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=connect_timeout, sock_connect=connect_timeout, sock_read=timeout
        )
        self._connect_timeout = connect_timeout
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use: a session belongs to the running event loop, which create_app() has not got.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._max_connections, limit_per_host=0, keepalive_timeout=KEEPALIVE_SECONDS,
                ),
                timeout=self._timeout,
                auto_decompress=False,
                # The client's own headers pass through; aiohttp adds none of its defaults.
                skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"),
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
            )
        return self._session

    async def send(
        self, method: str, target: str, headers: Headers, content: Content, *, read_timeout: float | None = None
    ) -> UpstreamResponse:
        session = self._client()
        request_timeout = self._timeout if read_timeout is None else aiohttp.ClientTimeout(
            total=None, connect=self._connect_timeout, sock_connect=self._connect_timeout, sock_read=read_timeout
        )
        try:
            response = await session.request(
                method,
                # The path is forwarded exactly as the client sent it: no re-quoting, no normalising.
                URL(self.base_url + target, encoded=True),
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers],
                data=content,
                allow_redirects=False,
                timeout=request_timeout,
            )
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise _aiohttp_failure(exc) from exc
        return _AiohttpResponse(response)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


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
