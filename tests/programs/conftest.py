"""Fixtures of the programs tests: the registry the programs service checks households against."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.programs.fake_registry import FakeRegistry


@pytest.fixture
def registry(apps) -> Iterator[FakeRegistry]:  # type: ignore[no-untyped-def]
    """The programs app's registry client, pointed at a fake targeting service that verifies tokens like it."""
    fake = FakeRegistry(apps.targeting.state.token_verifier)
    state = apps.programs.state
    original = state.registry_http
    state.registry_http = httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app), base_url="http://targeting")
    try:
        yield fake
    finally:
        state.registry_http = original
