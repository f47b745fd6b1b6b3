"""The reverse proxy: streams requests and responses between clients and the owning service."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.routing import RouteTable
from gateway.upstream import Content, Headers, Upstream, UpstreamError, UpstreamTimeoutError
from kit.problems import PROBLEM_JSON, problem_body
from kit.requests import current_request_id, incoming_request_id

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
BODYLESS_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})


class ClientDisconnectedError(Exception):
    """The client went away mid-upload: the upstream request is aborted, never ended as if complete."""


class ReverseProxy:
    """ASGI app in front of the gateway's own FastAPI app: owned paths go upstream, the rest fall through."""

    def __init__(self, app: ASGIApp, *, routes: RouteTable, upstreams: Mapping[str, Upstream]) -> None:
        self.app = app
        self.routes = routes
        self.upstreams = upstreams

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
        request_id = incoming_request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        token = current_request_id.set(request_id)
        try:
            await self._exchange(service, request_id, scope, receive, send)
        finally:
            current_request_id.reset(token)

    async def _exchange(self, service: str, request_id: str, scope: Scope, receive: Receive, send: Send) -> None:
        headers, content_length = _request_headers(scope, request_id)
        method = scope["method"]
        query = scope["query_string"]
        target = scope["raw_path"].decode("latin-1") if scope.get("raw_path") else scope["path"]
        if query:
            target += "?" + query.decode("latin-1")
        try:
            content: Content
            if content_length == 0 or (content_length is None and method in BODYLESS_METHODS):
                content = None
            elif content_length is not None and content_length <= SMALL_BODY:
                content = await _read_all(receive)
            else:
                content = _stream(receive)
            upstream = await self.upstreams[service].send(method, target, headers, content)
        except ClientDisconnectedError:
            return
        except UpstreamTimeoutError:
            await _problem(send, 504, "upstream-timeout", "Gateway timeout",
                           f"The {service} service did not answer in time.", request_id)
            return
        except UpstreamError as exc:
            if _client_gone(exc):
                return
            log.warning("upstream %s unreachable: %s", service, exc)
            await _problem(send, 502, "upstream-unavailable", "Bad gateway",
                           f"The {service} service is unavailable.", request_id)
            return

        try:
            response_headers, remaining = _response_headers(upstream.headers, request_id)
            await send({"type": "http.response.start", "status": upstream.status, "headers": response_headers})
            async for chunk in upstream.body():
                if remaining is not None:
                    remaining -= len(chunk)
                    if remaining <= 0:
                        # The declared length is complete: one message ends the response (most are one chunk).
                        await send({"type": "http.response.body", "body": chunk})
                        break
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            else:
                await send({"type": "http.response.body", "body": b""})
        except UpstreamError as exc:
            # Headers are gone already: all that is left is to cut the response short.
            log.warning("upstream %s failed mid-response: %s", service, exc)
            raise
        finally:
            await upstream.close()


def _connection_tokens(headers: Headers) -> frozenset[bytes]:
    """Fields the sender named in Connection are hop-by-hop too (RFC 9110 section 7.6.1)."""
    tokens: set[bytes] = set()
    for name, value in headers:
        if name.lower() == b"connection":
            tokens.update(t.strip().lower() for t in value.split(b","))
    return frozenset(tokens)


def _request_headers(scope: Scope, request_id: str) -> tuple[list[tuple[bytes, bytes]], int | None]:
    raw = scope["headers"]
    tokens = _connection_tokens(raw)
    drop = HOP_BY_HOP | tokens if tokens else HOP_BY_HOP
    headers: list[tuple[bytes, bytes]] = []
    content_length: int | None = None
    for name, value in raw:
        if name in drop:
            continue
        if name == b"content-length" and value.isdigit():
            content_length = int(value)
        headers.append((name, value))
    headers.append((b"x-request-id", request_id.encode()))
    client = scope.get("client")
    if client:
        headers.append((b"x-forwarded-for", client[0].encode()))
    headers.append((b"x-forwarded-proto", scope.get("scheme", "http").encode()))
    return headers, content_length


def _response_headers(raw: Headers, request_id: str) -> tuple[list[tuple[bytes, bytes]], int | None]:
    """The service's fields less hop-by-hop ones, with what kit's middleware adds to the gateway's own answers:
    our request id, and `no-store` / `nosniff` unless the service chose otherwise; and the declared length."""
    tokens = _connection_tokens(raw)
    drop = RESPONSE_DROP | tokens if tokens else RESPONSE_DROP
    headers = []
    cache_control = nosniff = False
    content_length = None
    for name, value in raw:
        name = name.lower()
        if name in drop:
            continue
        if name == b"content-length" and value.isdigit():
            content_length = int(value)
        elif name == b"cache-control":
            cache_control = True
        elif name == b"x-content-type-options":
            nosniff = True
        headers.append((name, value))
    if not cache_control:
        headers.append((b"cache-control", b"no-store"))
    if not nosniff:
        headers.append((b"x-content-type-options", b"nosniff"))
    headers.append((b"x-request-id", request_id.encode()))
    return headers, content_length


def _client_gone(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, ClientDisconnectedError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


async def _read_all(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnectedError
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _stream(receive: Receive):  # type: ignore[no-untyped-def]
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnectedError
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
        (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"),
        (b"x-request-id", request_id.encode()),
    ]})
    await send({"type": "http.response.body", "body": body})
