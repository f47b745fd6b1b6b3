"""The shape of a criteria tree (the targeting service's grammar, API.md "Targeting").

Only the shape is checked here: which fields exist is the registry's business, and the targeting
service evaluates the tree when households are enrolled.
"""

from __future__ import annotations

from typing import Any

OPS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in", "between", "is_null"})
MAX_DEPTH = 16


def check_criteria(node: Any, depth: int = 0) -> None:
    """Raises ValueError naming the first malformed node."""
    if depth > MAX_DEPTH:
        raise ValueError(f"criteria nest deeper than {MAX_DEPTH} levels")
    if not isinstance(node, dict) or not node:
        raise ValueError("each criteria node is a non-empty object")
    keys = set(node)
    if keys in ({"all"}, {"any"}):
        children = next(iter(node.values()))
        if not isinstance(children, list) or not children:
            raise ValueError(f"`{next(iter(keys))}` takes a non-empty list of criteria")
        for child in children:
            check_criteria(child, depth + 1)
    elif keys in ({"not"}, {"member"}):
        check_criteria(next(iter(node.values())), depth + 1)
    elif "field" in keys:
        _check_leaf(node, keys)
    else:
        raise ValueError(f"unknown criteria node with keys {sorted(keys)}; use all, any, not, member or a leaf")


def _check_leaf(node: dict[str, Any], keys: set[str]) -> None:
    if keys != {"field", "op", "value"}:
        raise ValueError("a leaf is {\"field\", \"op\", \"value\"}")
    field, op, value = node["field"], node["op"], node["value"]
    if not isinstance(field, str) or not field:
        raise ValueError("`field` names a household or member field")
    if op not in OPS:
        raise ValueError(f"`op` is one of {', '.join(sorted(OPS))}")
    if op == "between" and not (isinstance(value, list) and len(value) == 2):
        raise ValueError("`between` takes [low, high]")
    if op == "in" and not (isinstance(value, list) and value):
        raise ValueError("`in` takes a non-empty list")
    if op == "is_null" and not isinstance(value, bool):
        raise ValueError("`is_null` takes true or false")
