"""Compiles a parsed criteria tree into one SQL boolean over `household` (correlated for members).

Three-valued logic is PostgreSQL's own: a comparison with NULL is unknown, NOT unknown stays unknown, and the
callers put the predicate in a WHERE clause (or test it with IS TRUE), so a household matches only when the
whole tree is true. `member` becomes EXISTS over the household's active members, which is true or false,
never unknown. `age` becomes a birth-date range, exact to the day and able to use the birth-date index.
"""

from __future__ import annotations

import operator
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, literal, not_, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import String

from targeting.criteria.fields import FieldSpec, Kind, Op
from targeting.criteria.tree import AllOf, AnyOf, Leaf, MemberExists, Node, Not
from targeting.households.models import Household, Member
from targeting.households.repository import in_region


def compile_criteria(node: Node, *, as_of: date) -> ColumnElement[bool]:
    return _Compiler(as_of).household(node)


def active_member_count() -> Any:
    return (select(func.count()).where(Member.household_id == Household.id, Member.status == "active")
            .correlate(Household).scalar_subquery())


def years_before(day: date, years: int) -> date:
    """`day` minus whole years; 29 February falls back to the 28th (as PostgreSQL's date - interval does)."""
    year = day.year - years
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


class _Compiler:
    def __init__(self, as_of: date) -> None:
        self.as_of = as_of

    def household(self, node: Node) -> ColumnElement[bool]:
        return self.walk(node, Household)

    def walk(self, node: Node, entity: Any) -> ColumnElement[bool]:
        if isinstance(node, AllOf):
            return and_(*(self.walk(c, entity) for c in node.children)) if node.children else true()
        if isinstance(node, AnyOf):
            return or_(*(self.walk(c, entity) for c in node.children)) if node.children else false()
        if isinstance(node, Not):
            return not_(self.walk(node.child, entity))
        if isinstance(node, MemberExists):
            return (select(literal(1)).where(Member.household_id == Household.id, Member.status == "active",
                                             self.walk(node.condition, Member))
                    .correlate(Household).exists())
        return self.leaf(node, entity)

    def leaf(self, leaf: Leaf, entity: Any) -> ColumnElement[bool]:
        spec, op, value = leaf.field, leaf.op, leaf.value
        if spec.name == "age":
            return self.age(op, value)
        if spec.name == "member_count":
            return _compare(active_member_count(), op, value)
        column = getattr(entity, spec.column or "")
        if op is Op.is_null:
            return column.is_(None) if value else column.is_not(None)
        if spec.kind is Kind.region:
            return _region(column, op, value)
        if spec.kind is Kind.ordinal and op not in (Op.eq, Op.ne, Op.in_):
            # Rank in the declared order; array_position(..., NULL) is NULL, so unknown stays unknown.
            rank = func.array_position(literal(list(spec.values), ARRAY(String)), column)
            return _compare(rank, op, _ranks(spec, value))
        return _compare(column, op, value)

    def age(self, op: Op, value: Any) -> ColumnElement[bool]:
        # Completed years at as_of >= n  <=>  birth_date <= as_of - n years (birthdays on 29 Feb count from 1 Mar).
        born = Member.birth_date
        if op is Op.is_null:
            return born.is_(None) if value else born.is_not(None)

        def at_least(n: int) -> ColumnElement[bool]:
            return born <= years_before(self.as_of, n)

        def below(n: int) -> ColumnElement[bool]:
            return born > years_before(self.as_of, n)

        def exactly(n: int) -> ColumnElement[bool]:
            return and_(at_least(n), below(n + 1))

        if op is Op.eq:
            return exactly(value)
        if op is Op.ne:
            return not_(exactly(value))
        if op is Op.in_:
            return or_(*(exactly(n) for n in value))
        if op is Op.between:
            return and_(at_least(value[0]), below(value[1] + 1))
        if op is Op.gte:
            return at_least(value)
        if op is Op.gt:
            return at_least(value + 1)
        return below(value) if op is Op.lt else below(value + 1)


_COMPARISONS = {Op.eq: operator.eq, Op.ne: operator.ne, Op.lt: operator.lt, Op.lte: operator.le,
                Op.gt: operator.gt, Op.gte: operator.ge}


def _ranks(spec: FieldSpec, value: Any) -> Any:
    def rank(v: str) -> int:
        return spec.values.index(v) + 1

    return tuple(rank(v) for v in value) if isinstance(value, tuple) else rank(value)


def _compare(expression: Any, op: Op, value: Any) -> ColumnElement[bool]:
    if op is Op.is_null:
        return expression.is_(None) if value else expression.is_not(None)
    if op is Op.in_:
        return expression.in_(list(value))
    if op is Op.between:
        return expression.between(value[0], value[1])
    return _COMPARISONS[op](expression, value)


def _region(column: Any, op: Op, value: Any) -> ColumnElement[bool]:
    if op is Op.in_:
        return or_(*(in_region(column, code) for code in value))
    inside = in_region(column, value)
    return inside if op is Op.eq else not_(inside)
