"""Assertions shared by the tests."""

from __future__ import annotations

import httpx


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    if slug is not None:
        assert body["type"] == "urn:sinergi:problem:" + slug, body
    return body
