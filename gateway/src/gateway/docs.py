"""One OpenAPI document: the gateway's own operations merged with each service's."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Mapping
from typing import Any

from gateway.upstream import Upstream, UpstreamUnavailableError, fetch

SERVICE_TAG = {"targeting": "Targeting service", "programs": "Programs service", "reporting": "Reporting service"}


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/schemas/"):
                name = value.rsplit("/", 1)[1]
                out[key] = "#/components/schemas/" + renames.get(name, name)
            else:
                out[key] = _rename_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


def merge_openapi(own: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Paths are disjoint by the routing table; a component two documents define differently is prefixed."""
    merged = copy.deepcopy(own)
    paths = merged.setdefault("paths", {})
    schemas = merged.setdefault("components", {}).setdefault("schemas", {})
    security_schemes = merged["components"].setdefault("securitySchemes", {})
    tags = {t["name"]: t for t in merged.get("tags", [])}
    for service, spec in services.items():
        their_schemas = spec.get("components", {}).get("schemas", {})
        renames = {
            name: f"{service.capitalize()}{name}"
            for name, schema in their_schemas.items()
            if name in schemas and json.dumps(schemas[name], sort_keys=True) != json.dumps(schema, sort_keys=True)
        }
        spec = _rename_refs(spec, renames)
        for name, schema in spec.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(renames.get(name, name), schema)
        security_schemes.update(spec.get("components", {}).get("securitySchemes", {}))
        for path, item in spec.get("paths", {}).items():
            if path == "/health":
                continue
            paths[path] = item
        for tag in spec.get("tags", []):
            tags.setdefault(tag["name"], tag)
    merged["tags"] = list(tags.values())
    return merged


async def fetch_service_specs(upstreams: Mapping[str, Upstream]) -> dict[str, dict[str, Any]]:
    async def spec_of(name: str, upstream: Upstream) -> tuple[str, dict[str, Any]]:
        status, body = await fetch(upstream, "/openapi.json", read_timeout=5.0)
        if status != 200:
            raise UpstreamUnavailableError(f"{name} answered {status} for its OpenAPI document")
        return name, json.loads(body)

    return dict(await asyncio.gather(*(spec_of(n, u) for n, u in upstreams.items())))
