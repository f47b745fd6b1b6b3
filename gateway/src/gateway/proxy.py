"""The reverse proxy: streams requests and responses between clients and the owning service."""

from __future__ import annotations

import json
import logging

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.routing import RouteTable
from kit.problems import PROBLEM_JSON, problem_body

log = logging.getLogger("gateway.proxy")

# RFC 9110 section 7.6.1 hop-by-hop fields, plus Host (set for the upstream) and our own request id.
HOP_BY_HOP = frozenset({
    b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization", b"proxy-connection",
    b"te", b"trailer", b"transfer-encoding", b"upgrade", b"host", b"x-request-id",
})
RESPONSE_DROP = frozenset({
    b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-connection", b"te", b"trailer",
    b"transfer-encoding", b"upgrade", b"server", b"date", b"x-request-id",
})
SMALL_BODY = 65_536


class ReverseProxy:
    """ASGI app in front of the gateway's own FastAPI app: owned paths go upstream, the rest fall through."""

    def __init__(
        self, app: ASGIApp, *, routes: RouteTable, clients: dict[str, httpx.AsyncClient]
    ) -> None:
        self.app = app
        self.routes = routes
        self.clients = clients

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        service = self.routes.service_for(scope["path"])
        if service is None:
            await self.app(scope, receive, send)
            return
        await self._forward(service, scope, receive, send)

    async def _forward(self, service: str, scope: Scope, receive: Receive, send: Send) -> None:
        client = self.clients[service]
        request_id = scope["state"]["request_id"]
        headers: list[tuple[bytes, bytes]] = []
        content_length: int | None = None
        connection_tokens: set[bytes] = set()
        for name, value in scope["headers"]:
            if name == b"connection":
                connection_tokens.update(t.strip().lower() for t in value.split(b","))
        for name, value in scope["headers"]:
            if name in HOP_BY_HOP or name in connection_tokens:
                continue
            if name == b"content-length" and value.isdigit():
                content_length = int(value)
            headers.append((name, value))
        headers.append((b"x-request-id", request_id.encode()))
        client_addr = scope.get("client")
        if client_addr:
            headers.append((b"x-forwarded-for", client_addr[0].encode()))
        headers.append((b"x-forwarded-proto", scope.get("scheme", "http").encode()))

        method = scope["method"]
        content: bytes | object | None
        if content_length == 0 or (content_length is None and method in ("GET", "HEAD", "DELETE", "OPTIONS")):
            content = None
        elif content_length is not None and content_length <= SMALL_BODY:
            content = await _read_all(receive)
        else:
            content = _stream(receive)

        path = scope["raw_path"].decode("latin-1") if scope.get("raw_path") else scope["path"]
        query = scope.get("query_string", b"")
        url = path + ("?" + query.decode("latin-1") if query else "")
        try:
            upstream = await client.send(
                client.build_request(method, url, headers=headers, content=content),  # type: ignore[arg-type]
                stream=True,
            )
        except httpx.HTTPError as exc:
            if is_timeout(exc):
                await _problem(send, 504, "upstream-timeout", "Gateway timeout",
                               f"The {service} service did not answer in time.", request_id)
                return
            log.warning("upstream %s unreachable: %s", service, type(exc).__name__)
            await _problem(send, 502, "upstream-unavailable", "Bad gateway",
                           f"The {service} service is unavailable.", request_id)
            return

        try:
            response_headers = [
                (k.lower(), v) for k, v in upstream.headers.raw if k.lower() not in RESPONSE_DROP
            ]
            await send({"type": "http.response.start", "status": upstream.status_code,
                        "headers": response_headers})
            async for chunk in upstream.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        except httpx.HTTPError as exc:
            # Headers are gone already: all that is left is to cut the response short.
            log.warning("upstream %s failed mid-response: %s", service, type(exc).__name__)
            raise
        finally:
            await upstream.aclose()


def is_timeout(exc: httpx.HTTPError) -> bool:
    """A real timeout, not a refused connection: httpx-aiohttp maps both to ConnectTimeout, so ask the cause."""
    cause = exc.__cause__
    if cause is not None:
        return isinstance(cause, TimeoutError)
    return isinstance(exc, httpx.TimeoutException)


async def _read_all(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _stream(receive: Receive):  # type: ignore[no-untyped-def]
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body = message.get("body", b"")
        if body:
            yield body
        if not message.get("more_body", False):
            return


async def _problem(send: Send, status: int, slug: str, title: str, detail: str, request_id: str) -> None:
    body = json.dumps(problem_body(
        type_="urn:sinergi:problem:" + slug, title=title, status=status, detail=detail, request_id=request_id,
    )).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]})
    await send({"type": "http.response.body", "body": body})
