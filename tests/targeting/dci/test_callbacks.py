"""The callback policy on its own: prefixes, every resolved address checked, the connection pinned to it."""

import ipaddress

import pytest

from targeting.dci.callbacks import CallbackPolicy
from targeting.dci.errors import SenderUriInvalidError

PREFIXES = {"dinsos": ["https://spmis.example.go.id/dci/"]}


def _policy(*addresses: str, allowed: tuple[str, ...] = ()) -> CallbackPolicy:
    async def resolver(host: str, port: int) -> list[str]:
        assert (host, port) == ("spmis.example.go.id", 443)
        return list(addresses)

    return CallbackPolicy(PREFIXES, tuple(ipaddress.ip_network(n) for n in allowed), resolver)


class TestCallbackPolicy:
    async def test_a_public_host_is_reached_at_the_address_that_was_checked(self):
        target = await _policy("93.184.215.14").target("dinsos", "https://spmis.example.go.id/dci/on-search?x=1")
        url, headers, extensions = target.request()
        assert str(url) == "https://93.184.215.14/dci/on-search?x=1"
        assert headers == {"Host": "spmis.example.go.id"}
        assert extensions == {"sni_hostname": "spmis.example.go.id"}

    @pytest.mark.parametrize("addresses", [
        ("127.0.0.1",), ("10.1.2.3",), ("172.16.0.9",), ("192.168.1.1",), ("169.254.169.254",), ("100.64.0.1",),
        ("::1",), ("fe80::1",), ("fd00::1",), ("::ffff:127.0.0.1",), ("0.0.0.0",), ("224.0.0.1",),  # noqa: S104 - a target, not a bind
        ("93.184.215.14", "127.0.0.1"), (),
    ])
    async def test_any_non_public_address_refuses_the_host(self, addresses):
        with pytest.raises(SenderUriInvalidError):
            await _policy(*addresses).target("dinsos", "https://spmis.example.go.id/dci/on-search")

    async def test_an_allowed_network_is_let_through_and_nothing_else(self):
        policy = _policy("127.0.0.1", allowed=("127.0.0.1/32",))
        assert (await policy.target("dinsos", "https://spmis.example.go.id/dci/x")).address == "127.0.0.1"
        with pytest.raises(SenderUriInvalidError):
            await _policy("127.0.0.2", allowed=("127.0.0.1/32",)).target("dinsos", "https://spmis.example.go.id/dci/x")

    @pytest.mark.parametrize("url", [
        "https://spmis.example.go.id/other", "http://spmis.example.go.id/dci/x", "https://spmis.example.go.id:8443/dci/x",
        "https://spmis.example.go.id.evil.test/dci/x", "https://evil.test/dci/x", "https://spmis.example.go.id/dci%2F..%2Fx",
        "not a url", "/dci/relative",
    ])
    async def test_only_urls_under_a_registered_prefix(self, url):
        with pytest.raises(SenderUriInvalidError):
            await _policy("93.184.215.14").target("dinsos", url)

    async def test_other_clients_have_no_prefixes(self):
        with pytest.raises(SenderUriInvalidError):
            await _policy("93.184.215.14").target("someone", "https://spmis.example.go.id/dci/x")

    async def test_a_host_that_does_not_resolve(self):
        async def failing(host: str, port: int) -> list[str]:
            raise OSError("no such host")

        policy = CallbackPolicy(PREFIXES, (), failing)
        with pytest.raises(SenderUriInvalidError):
            await policy.target("dinsos", "https://spmis.example.go.id/dci/x")

    def test_a_malformed_prefix_stops_the_service_at_start(self):
        for prefix in ("ftp://spmis.example.go.id/", "https://user:pw@spmis.example.go.id/", "/relative/"):
            with pytest.raises(ValueError, match="prefix"):
                CallbackPolicy.from_settings({"dinsos": [prefix]}, [])
