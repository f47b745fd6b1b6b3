"""Validates a criteria tree as sent (JSON) against the whitelist and turns it into typed nodes.

Every problem is reported with a JSON pointer into the request body, all of them at once (up to a cap), so a
rule editor can mark each bad spot. Depth and size are capped before anything else is looked at.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from targeting.criteria.errors import CriteriaInvalidError
from targeting.criteria.fields import HOUSEHOLD_FIELDS, MEMBER_FIELDS, FieldSpec, Kind, Op
from targeting.criteria.tree import AllOf, AnyOf, Leaf, MemberExists, Node, Not
from targeting.regions.schemas import REGION_CODE_PATTERN

MAX_DEPTH = 10
MAX_NODES = 200
MAX_IN_VALUES = 1000
MAX_ERRORS = 50

BRANCHES = ("all", "any", "not", "member")
LEAF_KEYS = ("field", "op", "value")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_REGION = re.compile(REGION_CODE_PATTERN)
_INVALID = object()


def parse_criteria(raw: Any, pointer: str = "/criteria") -> Node:
    parser = _Parser()
    try:
        node = parser.node(raw, pointer, depth=1, fields=HOUSEHOLD_FIELDS)
    except _TooLargeError as exc:
        parser.errors = [{"pointer": exc.pointer, "detail": f"The tree has more than {MAX_NODES} nodes.",
                          "code": "too_many_nodes"}]
        node = None
    if parser.errors or node is None:
        raise CriteriaInvalidError("The criteria are not valid; see errors.", errors=parser.errors[:MAX_ERRORS])
    return node


class _TooLargeError(Exception):
    def __init__(self, pointer: str) -> None:
        self.pointer = pointer


def _key(pointer: str, key: object) -> str:
    return f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"


class _Parser:
    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []
        self.count = 0

    def fail(self, pointer: str, detail: str, code: str) -> None:
        self.errors.append({"pointer": pointer, "detail": detail, "code": code})

    def node(self, raw: Any, pointer: str, *, depth: int, fields: dict[str, FieldSpec]) -> Node | None:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLargeError(pointer)
        if depth > MAX_DEPTH:
            self.fail(pointer, f"The tree is nested deeper than {MAX_DEPTH} levels.", "too_deep")
            return None
        if not isinstance(raw, dict):
            self.fail(pointer, "A criteria node is an object: all, any, not, member, or a leaf {field, op, value}.",
                      "invalid_node")
            return None
        branch = next((key for key in raw if key in BRANCHES), None)
        if branch is None:
            return self.leaf(raw, pointer, fields)
        for key in raw:
            if key != branch:
                self.fail(_key(pointer, key), f"'{branch}' stands alone in its object.", "unexpected_key")
        inner = _key(pointer, branch)
        value = raw[branch]
        if branch == "not":
            child = self.node(value, inner, depth=depth + 1, fields=fields)
            return Not(child) if child is not None else None
        if branch == "member":
            if fields is not HOUSEHOLD_FIELDS:
                self.fail(inner, "A member condition cannot contain another one.", "member_nested")
                return None
            condition = self.node(value, inner, depth=depth + 1, fields=MEMBER_FIELDS)
            return MemberExists(condition) if condition is not None else None
        if not isinstance(value, list):
            self.fail(inner, f"'{branch}' takes an array of nodes.", "invalid_node")
            return None
        children = [self.node(child, _key(inner, i), depth=depth + 1, fields=fields) for i, child in enumerate(value)]
        if any(child is None for child in children):
            return None
        return (AllOf if branch == "all" else AnyOf)(tuple(c for c in children if c is not None))

    def leaf(self, raw: dict[str, Any], pointer: str, fields: dict[str, FieldSpec]) -> Leaf | None:
        ok = True
        for key in raw:
            if key not in LEAF_KEYS:
                self.fail(_key(pointer, key), "Unknown key: a node is all, any, not, member, or a leaf with "
                          "field, op and value.", "unexpected_key")
                ok = False
        for key in LEAF_KEYS:
            if key not in raw:
                self.fail(_key(pointer, key), f"A leaf needs '{key}'.", "missing")
                ok = False
        if not ok:
            return None
        spec = self.field(raw["field"], _key(pointer, "field"), fields)
        op = self.op(raw["op"], _key(pointer, "op"), spec)
        if spec is None or op is None:
            return None
        value = self.value(spec, op, raw["value"], _key(pointer, "value"))
        return None if value is _INVALID else Leaf(spec, op, value)

    def field(self, raw: Any, pointer: str, fields: dict[str, FieldSpec]) -> FieldSpec | None:
        if isinstance(raw, str) and raw in fields:
            return fields[raw]
        if fields is MEMBER_FIELDS and isinstance(raw, str) and raw in HOUSEHOLD_FIELDS:
            self.fail(pointer, f"'{raw}' is a household field; it cannot be used inside 'member'.", "unknown_field")
        elif fields is HOUSEHOLD_FIELDS and isinstance(raw, str) and raw in MEMBER_FIELDS:
            self.fail(pointer, f"'{raw}' is a member field; wrap the condition in {{\"member\": ...}}.",
                      "unknown_field")
        else:
            self.fail(pointer, f"Unknown field; one of: {', '.join(fields)}.", "unknown_field")
        return None

    def op(self, raw: Any, pointer: str, spec: FieldSpec | None) -> Op | None:
        try:
            op = Op(raw) if isinstance(raw, str) else None
        except ValueError:
            op = None
        if op is None:
            self.fail(pointer, f"Unknown operator; one of: {', '.join(o.value for o in Op)}.", "unknown_op")
            return None
        if spec is not None and op not in spec.ops:
            allowed = ", ".join(o.value for o in Op if o in spec.ops)
            self.fail(pointer, f"'{op.value}' does not apply to {spec.name} ({spec.kind.value}); use one of: "
                      f"{allowed}.", "op_not_allowed")
            return None
        return op

    def value(self, spec: FieldSpec, op: Op, raw: Any, pointer: str) -> Any:
        if op is Op.is_null:
            if not isinstance(raw, bool):
                self.fail(pointer, "is_null takes true or false.", "invalid_value")
                return _INVALID
            return raw
        if op is Op.in_:
            if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_IN_VALUES:
                self.fail(pointer, f"'in' takes an array of 1 to {MAX_IN_VALUES} values.", "invalid_value")
                return _INVALID
            values = [self.scalar(spec, item, _key(pointer, i)) for i, item in enumerate(raw)]
            return _INVALID if any(v is _INVALID for v in values) else tuple(values)
        if op is Op.between:
            if not isinstance(raw, list) or len(raw) != 2:
                self.fail(pointer, "'between' takes [low, high] (both included).", "invalid_value")
                return _INVALID
            low, high = (self.scalar(spec, item, _key(pointer, i)) for i, item in enumerate(raw))
            if low is _INVALID or high is _INVALID:
                return _INVALID
            if _rank(spec, low) > _rank(spec, high):
                self.fail(pointer, "The low bound lies above the high bound.", "invalid_range")
                return _INVALID
            return (low, high)
        return self.scalar(spec, raw, pointer)

    def scalar(self, spec: FieldSpec, raw: Any, pointer: str) -> Any:
        if raw is None:
            self.fail(pointer, "A value cannot be null; test for null with is_null.", "invalid_value")
            return _INVALID
        kind = spec.kind
        if kind is Kind.boolean:
            if isinstance(raw, bool):
                return raw
            return self._bad(pointer, f"{spec.name} takes true or false.")
        if kind in (Kind.integer, Kind.number):
            numeric = type(raw) is int or (kind is Kind.number and type(raw) is float and math.isfinite(raw))
            if not numeric:
                return self._bad(pointer, f"{spec.name} takes {'an integer' if kind is Kind.integer else 'a number'}.")
            if (spec.minimum is not None and raw < spec.minimum) or (spec.maximum is not None and raw > spec.maximum):
                return self._bad(pointer, f"{spec.name} lies between {spec.minimum:g} and {spec.maximum:g}.")
            return raw
        if kind in (Kind.enum, Kind.ordinal):
            if isinstance(raw, str) and raw in spec.values:
                return raw
            return self._bad(pointer, f"{spec.name} takes one of: {', '.join(spec.values)}.")
        if kind is Kind.date:
            if isinstance(raw, str) and _DATE.match(raw):
                try:
                    return date.fromisoformat(raw)
                except ValueError:
                    pass
            return self._bad(pointer, f"{spec.name} takes a date YYYY-MM-DD.")
        if isinstance(raw, str) and _REGION.match(raw):
            return raw
        return self._bad(pointer, f"{spec.name} takes a dotted Kemendagri code such as 18.71 or 18.71.01.1003.")

    def _bad(self, pointer: str, detail: str) -> Any:
        self.fail(pointer, detail, "invalid_value")
        return _INVALID


def _rank(spec: FieldSpec, value: Any) -> Any:
    return spec.values.index(value) if spec.kind is Kind.ordinal else value
