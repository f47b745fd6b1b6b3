"""Async answers POSTed to the caller's sender_uri, and the checks that keep that from becoming a way into our
network (SSRF): the URL must lie under a prefix registered for the client, every address its host resolves
to must be public (loopback, link-local, private and other non-global ranges are refused unless a CIDR is
explicitly allowed, for tests), the connection goes to an address that was checked (no second lookup an
attacker's DNS could answer differently), and redirects are never followed."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from targeting.dci.errors import SenderUriInvalidError

log = logging.getLogger("targeting.dci.callbacks")

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _url(raw: str) -> httpx.URL:
    try:
        url = httpx.URL(raw)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise SenderUriInvalidError("sender_uri is not a URL.") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise SenderUriInvalidError("sender_uri must be an absolute http(s) URL.")
    encoded = url.raw_path.decode("ascii", "replace").lower()
    if url.userinfo or any(s in (".", "..") for s in url.path.split("/")) or any(
            escape in encoded for escape in ("%2e", "%2f", "%5c")):
        # A receiver that decodes %2F or %2E after routing could land outside the registered prefix.
        raise SenderUriInvalidError("sender_uri may not carry credentials, dot segments or encoded separators.")
    return url


def _under(url: httpx.URL, prefix: httpx.URL) -> bool:
    base = prefix.path if prefix.path.endswith("/") else prefix.path + "/"
    return (url.scheme, url.host.lower(), url.port) == (prefix.scheme, prefix.host.lower(), prefix.port) and (
        url.path == prefix.path or url.path.startswith(base))


@dataclass(frozen=True)
class Target:
    url: httpx.URL
    address: str

    def request(self) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
        """The URL to connect to (the checked address), the Host header, and the TLS server name."""
        host = self.url.host if self.url.port is None else f"{self.url.host}:{self.url.port}"
        extensions = {"sni_hostname": self.url.host} if self.url.scheme == "https" else {}
        return self.url.copy_with(host=self.address), {"Host": host}, extensions


@dataclass(frozen=True)
class CallbackPolicy:
    prefixes: Mapping[str, Sequence[str]]
    allowed_networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network] = ()
    resolver: Resolver = field(default=resolve)

    @classmethod
    def from_settings(cls, prefixes: Mapping[str, Sequence[str]], allowed_networks: Sequence[str]) -> CallbackPolicy:
        """Refuses to start on a malformed prefix or network rather than failing requests later."""
        for prefix in (p for client in prefixes.values() for p in client):
            url = httpx.URL(prefix)
            if url.scheme not in ("http", "https") or not url.host or url.userinfo:
                raise ValueError(f"DCI callback prefix {prefix!r} is not an http(s) URL without credentials.")
        return cls(prefixes=prefixes, allowed_networks=tuple(ipaddress.ip_network(n) for n in allowed_networks))

    def registered(self, client_id: str, raw: str | None) -> httpx.URL:
        if not raw:
            raise SenderUriInvalidError("Async requests need header.sender_uri, the URL to deliver the answer to.")
        url = _url(raw)
        if not any(_under(url, httpx.URL(prefix)) for prefix in self.prefixes.get(client_id, ())):
            raise SenderUriInvalidError("sender_uri lies under no callback prefix registered for this client.")
        return url

    def refused(self, address: IpAddress) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if any(address in network for network in self.allowed_networks):
            return False
        return not address.is_global or address.is_multicast

    async def target(self, client_id: str, raw: str | None) -> Target:
        url = self.registered(client_id, raw)
        try:
            literal: IpAddress | None = ipaddress.ip_address(url.host)
        except ValueError:
            literal = None
        try:
            found = [str(literal)] if literal is not None else await self.resolver(url.host, url.port or (
                443 if url.scheme == "https" else 80))
        except OSError:
            raise SenderUriInvalidError("sender_uri's host does not resolve.") from None
        addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
        if not addresses or any(self.refused(a) for a in addresses):
            raise SenderUriInvalidError("sender_uri resolves to an address callbacks may not reach.")
        return Target(url, str(addresses[0]))


@dataclass
class Delivery:
    status: str
    attempts: int
    error: str | None = None
    delivered_at: datetime | None = None


class CallbackDispatcher:
    """Delivers one answer with a few attempts; 2xx is delivered, a redirect or another 4xx fails at once,
    5xx, 429 and network errors are retried with a doubling pause."""

    def __init__(self, policy: CallbackPolicy, client: httpx.AsyncClient, *, attempts: int, backoff: float) -> None:
        self.policy = policy
        self.client = client
        self.attempts = attempts
        self.backoff = backoff

    @classmethod
    def from_settings(cls, settings: Any) -> CallbackDispatcher:
        policy = CallbackPolicy.from_settings(settings.dci_callbacks, settings.dci_callback_allowed_networks)
        client = httpx.AsyncClient(follow_redirects=False, trust_env=False,
                                   timeout=httpx.Timeout(settings.dci_callback_timeout_seconds, connect=5.0))
        return cls(policy, client, attempts=settings.dci_callback_attempts,
                   backoff=settings.dci_callback_backoff_seconds)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def deliver(self, client_id: str, url: str, body: dict[str, Any]) -> Delivery:
        error = "not attempted"
        for attempt in range(1, self.attempts + 1):
            try:
                target = await self.policy.target(client_id, url)
            except SenderUriInvalidError as exc:
                return Delivery("failed", attempt - 1, exc.message[:200])
            connect_to, headers, extensions = target.request()
            try:
                async with self.client.stream("POST", connect_to, json=body, headers=headers,
                                              extensions=extensions) as response:
                    status = response.status_code
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__} (attempt {attempt})"
            else:
                if 200 <= status < 300:
                    return Delivery("delivered", attempt, None, datetime.now(UTC))
                if 300 <= status < 400:
                    return Delivery("failed", attempt, f"HTTP {status}: redirects are not followed")
                error = f"HTTP {status}"
                if status < 500 and status != 429:
                    return Delivery("failed", attempt, error)
            log.info("dci callback attempt failed", extra={"attempt": attempt, "error": error})
            if attempt < self.attempts:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        return Delivery("failed", self.attempts, error[:200])
