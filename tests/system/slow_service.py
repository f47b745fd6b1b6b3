"""A stand-in service for the system test: answers /health at once and everything else after a minute."""

from __future__ import annotations

import asyncio
import json

from starlette.types import Receive, Scope, Send

DELAY_SECONDS = 60.0


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    if scope["path"] != "/health":
        await asyncio.sleep(DELAY_SECONDS)
    body = json.dumps({"status": "ok", "database": "ok"}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app() -> object:
    return _app
