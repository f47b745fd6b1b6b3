"""A parsed criteria tree: what the parser produces and the compiler consumes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from targeting.criteria.fields import FieldSpec, Op


@dataclass(frozen=True)
class Leaf:
    """`value` is already typed: a date for date fields, a tuple for `in`, a (lo, hi) pair for `between`."""

    field: FieldSpec
    op: Op
    value: Any


@dataclass(frozen=True)
class AllOf:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class MemberExists:
    """Holds when at least one active member of the household satisfies `condition`."""

    condition: Node


Node = Leaf | AllOf | AnyOf | Not | MemberExists
