"""Outbound HTTP: httpx's API on aiohttp's transport, which measured several times faster here."""

from __future__ import annotations

import httpx
from httpx_aiohttp import AiohttpTransport


def create_http_client(
    *, base_url: str = "", timeout: float = 10.0, connect_timeout: float = 2.0, max_connections: int = 200
) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    return httpx.AsyncClient(
        base_url=base_url,
        transport=AiohttpTransport(limits=limits, trust_env=False),
        timeout=httpx.Timeout(timeout, connect=connect_timeout, pool=connect_timeout),
        trust_env=False,
    )
