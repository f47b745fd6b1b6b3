"""The merged OpenAPI as the security tests walk it: every operation a token guards, and a token holding every
scope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

PUBLIC = {("/api/v1/auth/token", "post"), ("/health", "get")}
ALL = ("registry:read registry:write registry:import registry:approve pii:read programs:read programs:write "
       "reports:read admin")


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete") and (path, method) not in PUBLIC:
                yield path, method, operation
