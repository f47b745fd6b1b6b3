"""Optimistic concurrency over HTTP: ETag from a row version, If-Match required on PATCH."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header

from kit.problems import PreconditionFailedError, PreconditionRequiredError

_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,12})"\s*$')

IfMatchHeader = Annotated[
    str | None,
    Header(alias="If-Match", max_length=64, pattern=r'^(W/)?"[0-9]{1,12}"$',
           description='The ETag of the version being changed, e.g. `"3"`.'),
]


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int:
    """The version an If-Match header names; 428 without one, 412 when it names no version we issued."""
    if if_match is None:
        raise PreconditionRequiredError("This change needs an If-Match header with the resource's ETag.")
    found = _ETAG.match(if_match)
    if found is None:
        raise PreconditionFailedError("If-Match does not name a current version of this resource.")
    return int(found.group(1))


def check_version(current: int, expected: int) -> None:
    if current != expected:
        raise PreconditionFailedError(
            f"The resource changed since that version was read (now {etag(current)}); re-read and retry."
        )


IF_MATCH_REQUIRED = {"x-if-match": "required"}
