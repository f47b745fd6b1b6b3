"""The consumer's view of the other services: its token, the two feeds, regions and designations, over HTTP."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import orjson


class SourceError(Exception):
    """A source answered something other than what its contract promises, or did not answer."""


class Credentials(Protocol):
    async def authorization(self, *, renew: bool = False) -> str: ...


class ClientCredentials:
    """OAuth2 client credentials against the gateway's token endpoint; the token is reused until shortly
    before it expires, and renewed at once when a source rejects it."""

    def __init__(self, http: httpx.AsyncClient, token_url: str, client_id: str, client_secret: str) -> None:
        self.http = http
        self.token_url = token_url
        self.form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        self._token: str | None = None
        self._renew_at = 0.0

    async def authorization(self, *, renew: bool = False) -> str:
        if renew or self._token is None or time.monotonic() >= self._renew_at:
            try:
                response = await self.http.post(self.token_url, data=self.form)
            except httpx.HTTPError as error:
                raise SourceError(f"token endpoint unreachable: {type(error).__name__}") from error
            if response.status_code != 200:
                raise SourceError(f"token endpoint answered {response.status_code}")
            body = response.json()
            self._token = body["access_token"]
            self._renew_at = time.monotonic() + max(int(body.get("expires_in", 60)) - 30, 5)
        return f"Bearer {self._token}"


class StaticCredentials:
    """A fixed Authorization header (tests, or a deployment that injects a token)."""

    def __init__(self, authorization: str) -> None:
        self.value = authorization

    async def authorization(self, *, renew: bool = False) -> str:
        return self.value


@dataclass(frozen=True)
class FeedPage:
    """One page of a feed export as the source sent it (`body`: binary COPY rows), how many entries it holds,
    and where it ends."""

    body: bytes
    entries: int
    next_after: int
    head: int


class Source:
    """One service's HTTP API as the consumer reads it."""

    def __init__(self, http: httpx.AsyncClient, credentials: Credentials) -> None:
        self.http = http
        self.credentials = credentials

    async def get(self, path: str, params: dict[str, Any]) -> bytes:
        return (await self.response(path, params)).content

    async def response(self, path: str, params: dict[str, Any]) -> httpx.Response:
        for attempt in (1, 2):
            headers = {"Authorization": await self.credentials.authorization(renew=attempt == 2)}
            try:
                response = await self.http.get(path, params=params, headers=headers)
            except httpx.HTTPError as error:
                raise SourceError(f"{path}: {type(error).__name__}") from error
            if response.status_code == 401 and attempt == 1:
                continue
            if response.status_code != 200:
                raise SourceError(f"{path} answered {response.status_code}")
            return response
        raise SourceError(f"{path}: the token was refused twice")

    async def export_page(self, path: str, *, after: int, limit: int, columns: Sequence[str]) -> FeedPage:
        """A bulk export in PostgreSQL's binary COPY format, refused unless its columns are the ones expected."""
        response = await self.response(path, {"after": after, "limit": limit, "format": "binary"})
        if response.headers.get("feed-columns", "").split(",") != list(columns):
            raise SourceError(f"{path}: columns {response.headers.get('feed-columns')!r}, expected {columns}")
        try:
            return FeedPage(body=response.content, entries=int(response.headers["feed-entries"]),
                            next_after=int(response.headers["feed-next-after"]),
                            head=int(response.headers["feed-head"]))
        except (KeyError, ValueError) as error:
            raise SourceError(f"{path}: no Feed-Entries / Feed-Next-After / Feed-Head") from error

    async def pages(self, path: str, params: dict[str, Any]) -> AsyncIterator[list[dict[str, Any]]]:
        """Follow a keyset-paginated list to its end."""
        cursor: str | None = None
        while True:
            query = {**params, "limit": 1000} | ({"cursor": cursor} if cursor else {})
            body = orjson.loads(await self.get(path, query))
            yield body["items"]
            cursor = body.get("next_cursor")
            if not cursor:
                return
