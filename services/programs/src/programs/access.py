"""Who may do what: the scope dependencies and the region predicates every repository query carries.

A programme belongs to its agency's region. A token reads agencies, partners and programmes inside its region
and above it (a province programme is visible to a district); it sees enrolments and deliveries only for
households inside its region, and writes only inside its region.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import InstrumentedAttribute

from kit.auth import Principal, require

Reader = Annotated[Principal, Depends(require("programs:read"))]
Writer = Annotated[Principal, Depends(require("programs:write"))]


def ancestors_of(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def inside(column: InstrumentedAttribute[str], principal: Principal) -> ColumnElement[bool]:
    """The row's region lies in the token's subtree."""
    return or_(column == principal.region, column.startswith(principal.region + ".", autoescape=True))


def inside_or_above(column: InstrumentedAttribute[str], principal: Principal) -> ColumnElement[bool]:
    """The row's region lies in the token's subtree or on the chain of ancestors above it."""
    return or_(inside(column, principal), column.in_(ancestors_of(principal.region)))


def is_above(principal: Principal, code: str) -> bool:
    return code in ancestors_of(principal.region)
