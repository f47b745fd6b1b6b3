"""Optimistic concurrency on mutable resources: `ETag` from `version`, `If-Match` required on PATCH."""

from __future__ import annotations

from kit.problems import PreconditionFailedError, PreconditionRequiredError


class IfMatchRequiredError(PreconditionRequiredError):
    slug, title = "if-match-required", "If-Match required"


class VersionMismatchError(PreconditionFailedError):
    slug, title = "version-mismatch", "Stale version"


def etag_of(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """428 without If-Match; 412 unless one of its tags names the current version (`*` matches any)."""
    if if_match is None or not if_match.strip():
        raise IfMatchRequiredError("Send If-Match with the ETag of the version you read.")
    tags = [t.strip().removeprefix("W/").strip('"') for t in if_match.split(",")]
    if "*" not in tags and str(version) not in tags:
        raise VersionMismatchError(
            f"The resource is at version {version}; read it again and reapply your change.",
            headers={"ETag": etag_of(version)},
        )
