"""OpenAPI post-processing: every error documented as problem+json, the bearer scheme, shared components."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from kit.problems import PROBLEM_JSON, PROBLEM_SCHEMA

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_DEFAULT_ERRORS = {
    "400": "The body is not parseable (malformed JSON, wrong encoding).",
    "401": "Missing, expired or invalid access token.",
    "403": "The token lacks a scope, or names a region outside its own.",
    "422": "The request is not valid; `errors` points at each offending field.",
    "429": "Over the rate limit; retry after `Retry-After` seconds.",
    "503": "The database is unavailable.",
}


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}}}


def install_openapi(app: FastAPI, *, extra_schemas: dict[str, Any] | None = None) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes,
            tags=app.openapi_tags, servers=app.servers,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        components["Problem"] = PROBLEM_SCHEMA
        components.update(extra_schemas or {})
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                responses = operation["responses"]
                for parameter in operation.get("parameters", []):
                    # Missing If-Match answers 428 (not 422), so the code declares it optional; it is required.
                    if parameter.get("in") == "header" and parameter.get("name") == "If-Match" \
                            and operation.get("x-if-match") == "required":
                        parameter["required"] = True
                operation.pop("x-if-match", None)
                secured = bool(operation.get("security"))
                for status, description in _DEFAULT_ERRORS.items():
                    if status in ("401", "403", "429") and not secured:
                        continue
                    if status == "400" and "requestBody" not in operation:
                        continue
                    if status == "422" and status not in responses and not operation.get("parameters") \
                            and "requestBody" not in operation:
                        continue
                    existing = responses.get(status)
                    if existing is None or "HTTPValidationError" in str(existing):
                        responses[status] = _problem_response(description)
                for status, response in responses.items():
                    if status.startswith(("4", "5")) and "content" in response:
                        content = response["content"]
                        # Only our problem documents move to problem+json; an interface with its own error
                        # envelope (DCI) keeps application/json.
                        if "application/json" in content and PROBLEM_JSON not in content \
                                and content["application/json"].get("schema") == _PROBLEM_REF:
                            content[PROBLEM_JSON] = content.pop("application/json")
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
