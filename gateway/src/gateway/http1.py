"""The gateway's HTTP/1.1 client to the services: keep-alive connections parsed by httptools, the parser
uvicorn uses on the other side.

Why not aiohttp: proxying to a service that answers a constant, the gateway spent 650-700 µs of CPU per
request with aiohttp's client and 350-450 µs with this one, measured side by side on the benchmark machine;
the client is the bulk of the gateway's work. This one knows it talks only to our own HTTP/1.1 services,
and streams both ways with backpressure.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator
from typing import cast
from urllib.parse import urlsplit

import httptools

from gateway.upstream import Content, Headers, UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError

# Below uvicorn's 5 s keep-alive: an idle connection is dropped here before the service closes it.
KEEPALIVE_SECONDS = 4.0
READ_HIGH_WATER = 256 * 1024
READ_LOW_WATER = 64 * 1024


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.idle_since = 0.0
        self._write_ready: asyncio.Future[None] | None = None

    # One response at a time: reset() before each request.
    def reset(self, *, head: bool) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.head = head
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.headers_done = False
        self.complete = False
        self.error: UpstreamError | None = None
        self.received_any = False
        self.reading_paused = False
        self.abandoned = False
        self.keep_alive = False
        self.waiter: asyncio.Future[None] | None = None

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have its methods.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.received_any = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamUnavailableError(f"unparseable response: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if not self.complete and self.error is None:
            # A response without a length ends with the connection; anything else was cut short.
            if self.headers_done and not self.keep_alive and exc is None and not self._has_length():
                self.complete = True
            else:
                self.error = UpstreamUnavailableError("connection closed mid-response")
        self._wake()
        if self._write_ready is not None and not self._write_ready.done():
            self._write_ready.set_exception(ConnectionResetError("connection lost"))

    def pause_writing(self) -> None:
        self._write_ready = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._write_ready is not None and not self._write_ready.done():
            self._write_ready.set_result(None)
        self._write_ready = None

    async def drain(self) -> None:
        if self._write_ready is not None:
            await self._write_ready

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:
            # An interim answer (100 Continue): the real one follows on the same connection.
            self.headers = []
            return
        self.status = status
        self.headers_done = True
        # Asked now: llhttp answers it reliably only while the message is being parsed.
        self.keep_alive = self.parser.should_keep_alive()
        if self.head:
            # No body follows a HEAD answer whatever its Content-Length says, and llhttp cannot be told so:
            # the message ends here and the connection is not reused.
            self.complete = True
        self._wake()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.buffered += len(body)
        if self.buffered > READ_HIGH_WATER and not self.reading_paused and self.transport is not None:
            self.transport.pause_reading()
            self.reading_paused = True
        self._wake()

    def on_message_complete(self) -> None:
        if self.headers_done:
            self.complete = True
            self._wake()

    # helpers
    def _has_length(self) -> bool:
        return any(n.lower() in (b"content-length", b"transfer-encoding") for n, _ in self.headers)

    def _fail(self, error: UpstreamError) -> None:
        if self.error is None:
            self.error = error
        self._wake()

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def wait(self, seconds: float) -> None:
        self.waiter = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(self.waiter, seconds)
        except TimeoutError:
            raise UpstreamTimeoutError(f"no answer within {seconds} s") from None
        finally:
            self.waiter = None

    def take(self) -> bytes | None:
        if not self.chunks:
            return None
        chunk = self.chunks.popleft()
        self.buffered -= len(chunk)
        if self.reading_paused and self.buffered < READ_LOW_WATER and self.transport is not None:
            self.transport.resume_reading()
            self.reading_paused = False
        return chunk

    @property
    def reusable(self) -> bool:
        return (self.transport is not None and self.complete and not self.head and not self.abandoned
                and self.error is None and self.keep_alive)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()
            self.transport = None


class _Response:
    __slots__ = ("_connection", "_pool", "_read_timeout", "headers", "status")

    def __init__(self, pool: HttpUpstream, connection: _Connection, read_timeout: float) -> None:
        self._pool = pool
        self._connection = connection
        self._read_timeout = read_timeout
        self.status = connection.status
        self.headers: Headers = connection.headers

    async def body(self) -> AsyncIterator[bytes]:
        connection = self._connection
        while True:
            chunk = connection.take()
            if chunk is not None:
                yield chunk
                continue
            if connection.error is not None:
                raise connection.error
            if connection.complete:
                return
            await connection.wait(self._read_timeout)

    async def close(self) -> None:
        self._pool.release(self._connection)


class HttpUpstream:
    """One service: a pool of at most `max_connections` keep-alive connections."""

    def __init__(self, base_url: str, *, timeout: float, connect_timeout: float, max_connections: int) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"service URLs are plain http://host:port, not {base_url!r}")
        self.host, self.port = parts.hostname, parts.port or 80
        self._host_header = parts.netloc.encode()
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max_connections)

    async def send(
        self, method: str, target: str, headers: Headers, content: Content, *, read_timeout: float | None = None
    ) -> _Response:
        timeout = self.timeout if read_timeout is None else read_timeout
        if self._slots.locked():
            try:
                await asyncio.wait_for(self._slots.acquire(), self.connect_timeout)
            except TimeoutError:
                raise UpstreamUnavailableError("every connection to the service is busy") from None
        else:
            await self._slots.acquire()
        try:
            connection, reused = await self._connection()
            try:
                return await self._exchange(connection, method, target, headers, content, timeout)
            except UpstreamUnavailableError:
                # A pooled connection the service closed just as it was reused: retry once on a fresh one,
                # only when nothing of the request body was consumed and nothing was answered.
                if not reused or connection.received_any or isinstance(content, AsyncIterable):
                    raise
                connection = await self._open()
                return await self._exchange(connection, method, target, headers, content, timeout)
        except BaseException:
            self._slots.release()
            raise

    async def _connection(self) -> tuple[_Connection, bool]:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if connection.transport is not None and now - connection.idle_since < KEEPALIVE_SECONDS:
                return connection, True
            connection.close()
        return await self._open(), False

    async def _open(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            _, connection = await asyncio.wait_for(
                loop.create_connection(_Connection, self.host, self.port), self.connect_timeout
            )
        except TimeoutError:
            raise UpstreamUnavailableError("connect timeout") from None
        except OSError as exc:
            raise UpstreamUnavailableError(f"cannot connect: {exc.strerror or exc}") from exc
        return connection

    async def _exchange(
        self, connection: _Connection, method: str, target: str, headers: Headers, content: Content,
        timeout: float,  # noqa: ASYNC109 - a limit on each wait for bytes, not on the whole call
    ) -> _Response:
        connection.reset(head=method == "HEAD")
        transport = connection.transport
        if transport is None:
            raise UpstreamUnavailableError("connection closed")
        streamed = isinstance(content, AsyncIterable)
        has_length = any(n.lower() == b"content-length" for n, _ in headers)
        head = [method.encode(), b" ", target.encode("latin-1"), b" HTTP/1.1\r\nhost: ", self._host_header, b"\r\n"]
        for name, value in headers:
            head += [name, b": ", value, b"\r\n"]
        if streamed and not has_length:
            head.append(b"transfer-encoding: chunked\r\n")
        elif content is None and not has_length and method in ("POST", "PUT", "PATCH"):
            head.append(b"content-length: 0\r\n")
        head.append(b"\r\n")
        if isinstance(content, bytes | bytearray):
            head.append(bytes(content))
        transport.write(b"".join(head))

        writer: asyncio.Future[None] | None = None
        if streamed:
            writer = asyncio.ensure_future(
                _write_body(connection, content, chunked=not has_length, stall_seconds=timeout)  # type: ignore[arg-type]
            )
            writer.add_done_callback(_retrieve)
        try:
            while not connection.headers_done:
                if connection.error is not None:
                    raise connection.error
                if writer is not None and not writer.done():
                    # Still uploading: the service is not expected to answer yet, so no read timeout.
                    connection.waiter = asyncio.get_running_loop().create_future()
                    await asyncio.wait((writer, connection.waiter), return_when=asyncio.FIRST_COMPLETED)
                    connection.waiter = None
                    continue
                if writer is not None and not writer.cancelled() and writer.exception() is not None:
                    raise writer.exception()  # type: ignore[misc]
                await connection.wait(timeout)
        except BaseException:
            connection.close()
            if writer is not None:
                writer.cancel()
            raise
        if writer is not None and not writer.done():
            # The service answered before taking the whole body (a 413, say): stop sending, never reuse.
            writer.cancel()
            connection.abandoned = True
        return _Response(self, connection, timeout)

    def release(self, connection: _Connection) -> None:
        if connection.reusable:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()
        self._slots.release()

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()


def _retrieve(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()


async def _write_body(
    connection: _Connection, content: AsyncIterable[bytes], *, chunked: bool, stall_seconds: float
) -> None:
    try:
        async for chunk in content:
            if not chunk:
                continue
            if connection.transport is None:
                raise UpstreamUnavailableError("connection closed while sending the body")
            connection.transport.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            try:
                await asyncio.wait_for(connection.drain(), stall_seconds)
            except TimeoutError:
                raise UpstreamTimeoutError(f"the service took no body bytes for {stall_seconds} s") from None
        if chunked and connection.transport is not None:
            connection.transport.write(b"0\r\n\r\n")
    except asyncio.CancelledError:
        raise
    except BaseException as exc:
        # Never let a half-sent body look complete: abort the connection, so the service sees it cut.
        connection.close()
        error = exc if isinstance(exc, UpstreamError) else UpstreamUnavailableError("the body could not be sent")
        connection._fail(error)
        if error is exc:
            raise
        raise error from exc
