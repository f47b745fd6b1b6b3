"""The three DCI query forms (idtype-value, expression, predicate) read into one condition tree over named
registry attributes, with every name, operator and value checked. No SQL here: repository.py compiles it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from kit.clock import JAKARTA
from targeting.dci.attributes import IDENTIFIER_TYPES, Attribute, Entity, attribute
from targeting.dci.errors import ItemRejection

_REGION = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
_DIGITS16 = re.compile(r"^\d{16}$")
MAX_CONDITIONS = 64
MAX_DEPTH = 8
EXPRESSION_TYPES = frozenset({"ns:org:QueryType:NoSql", "NoSql"})


@dataclass(frozen=True)
class Compare:
    attribute: Attribute
    op: str
    value: Any


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class NotOf:
    part: Condition


Condition = Compare | AllOf | AnyOf | NotOf


def mentions_status(condition: Condition) -> bool:
    if isinstance(condition, Compare):
        return condition.attribute.name == "status"
    if isinstance(condition, NotOf):
        return mentions_status(condition.part)
    return any(mentions_status(p) for p in condition.parts)


# --- the three query forms -----------------------------------------------------------------------------


def idtype_value(entity: Entity, type_: str, value: Any) -> Condition:
    name = IDENTIFIER_TYPES.get(type_.strip().upper())
    if name is None:
        raise ItemRejection("rjct.search_criteria.invalid",
                            f"Identifier type {type_[:64]!r} is not searchable; use NIK or NO_KK.")
    return compare(attribute(entity, name, reason="rjct.search_criteria.invalid"), "eq", value,
                   reason="rjct.search_criteria.invalid")


def predicates(entity: Entity, items: list[Any]) -> Condition:
    if len(items) > MAX_CONDITIONS:
        raise ItemRejection("rjct.search_criteria.invalid", f"At most {MAX_CONDITIONS} predicates.")
    ordered = sorted(enumerate(items), key=lambda pair: (pair[1].seq_num is None, pair[1].seq_num or 0, pair[0]))
    parts: list[Condition] = []
    for _, item in ordered:
        first = _predicate(entity, item.expression1)
        if item.condition is None:
            if item.expression2 is not None:
                raise ItemRejection("rjct.search_criteria.invalid", "expression2 needs a condition.")
            parts.append(first)
        elif item.expression2 is None:
            if item.condition != "not":
                raise ItemRejection("rjct.search_criteria.invalid",
                                    f"Condition {item.condition!r} needs expression2; items of the list are "
                                    "already combined with and.")
            parts.append(NotOf(first))
        else:
            second = _predicate(entity, item.expression2)
            parts.append({"and": AllOf((first, second)), "or": AnyOf((first, second)),
                          "not": AllOf((first, NotOf(second)))}[item.condition])
    return AllOf(tuple(parts))


def _predicate(entity: Entity, predicate: Any) -> Condition:
    value = predicate.attribute_value
    if predicate.operator == "in":
        if not isinstance(value, str):
            raise ItemRejection("rjct.filter.invalid", "Operator in takes a comma-separated string.")
        value = [v.strip() for v in value.split(",") if v.strip()]
    return compare(attribute(entity, predicate.attribute_name), predicate.operator, value)


def expression(entity: Entity, type_: str, value: dict[str, Any]) -> tuple[str | None, Condition]:
    """-> (collection named by the expression, condition)."""
    if type_.strip() not in EXPRESSION_TYPES:
        raise ItemRejection("rjct.search_criteria.invalid",
                            f"Expression type {type_[:64]!r} is not supported; use ns:org:QueryType:NoSql.")
    body = value.get("expression")
    if set(value) != {"expression"} or not isinstance(body, dict) or not set(body) <= {"collection", "query"} \
            or not isinstance(body.get("query", {}), dict):
        raise ItemRejection("rjct.search_criteria.invalid",
                            'The value must be {"expression": {"collection": ..., "query": {...}}}.')
    collection = body.get("collection")
    if collection is not None and not isinstance(collection, str):
        raise ItemRejection("rjct.search_criteria.invalid", "collection must be a string.")
    counter = [0]
    return collection, _document(entity, body.get("query", {}), 1, counter)


def _document(entity: Entity, document: Any, depth: int, counter: list[int]) -> Condition:
    if not isinstance(document, dict):
        raise ItemRejection("rjct.filter.invalid", "A query document must be an object.")
    if depth > MAX_DEPTH:
        raise ItemRejection("rjct.filter.invalid", f"Queries nest at most {MAX_DEPTH} levels.")
    parts: list[Condition] = []
    for key, operand in document.items():
        if key in ("$and", "$or", "$nor"):
            if not isinstance(operand, list) or not operand:
                raise ItemRejection("rjct.filter.invalid", f"{key} takes a non-empty list of query documents.")
            children = tuple(_document(entity, child, depth + 1, counter) for child in operand)
            parts.append(AllOf(children) if key == "$and" else AnyOf(children) if key == "$or"
                         else NotOf(AnyOf(children)))
        elif key.startswith("$"):
            raise ItemRejection("rjct.filter.invalid", f"Unsupported operator {key[:32]!r} at the top of a document.")
        else:
            parts.append(_field(entity, attribute(entity, key), operand, depth + 1, counter))
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


_MONGO = {"$eq": "eq", "$ne": "ne", "$lt": "lt", "$lte": "le", "$gt": "gt", "$gte": "ge", "$in": "in", "$nin": "nin"}


def _field(entity: Entity, attr: Attribute, operand: Any, depth: int, counter: list[int]) -> Condition:
    if depth > MAX_DEPTH:
        raise ItemRejection("rjct.filter.invalid", f"Queries nest at most {MAX_DEPTH} levels.")
    if not (isinstance(operand, dict) and operand and all(k.startswith("$") for k in operand)):
        counter[0] += 1
        return compare(attr, "eq", operand)
    parts: list[Condition] = []
    for key, value in operand.items():
        counter[0] += 1
        if counter[0] > MAX_CONDITIONS:
            raise ItemRejection("rjct.search_criteria.invalid", f"At most {MAX_CONDITIONS} conditions.")
        if key == "$not":
            parts.append(NotOf(_field(entity, attr, value, depth + 1, counter)))
        elif key in _MONGO:
            parts.append(compare(attr, _MONGO[key], value))
        else:
            raise ItemRejection("rjct.filter.invalid", f"Unsupported operator {key[:32]!r}.")
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


# --- values ----------------------------------------------------------------------------------------------


def compare(attr: Attribute, op: str, value: Any, *, reason: str = "rjct.filter.invalid") -> Compare:
    if op not in attr.operators:
        raise ItemRejection(reason, f"Operator {op} does not apply to {attr.name}.")
    if op in ("in", "nin"):
        if not isinstance(value, list) or not value or len(value) > 1000:
            raise ItemRejection(reason, f"Operator {op} takes 1 to 1000 values.")
        return Compare(attr, op, tuple(_value(attr, v, reason) for v in value))
    return Compare(attr, op, _value(attr, value, reason))


def _value(attr: Attribute, value: Any, reason: str) -> Any:
    try:
        return _CONVERT[attr.kind](attr, value)
    except (ValueError, TypeError, OverflowError):
        raise ItemRejection(reason, f"Value not valid for {attr.name} ({attr.kind}).") from None


def _int(_: Attribute, value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) or (isinstance(value, str) and re.fullmatch(r"-?\d{1,9}", value.strip())):
        return int(value)
    raise TypeError


def _number(_: Attribute, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError
    return float(value)


def _bool(_: Attribute, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise TypeError


def _enum(attr: Attribute, value: Any) -> str:
    if attr.name == "sex" and isinstance(value, str):
        value = {"m": "male", "f": "female"}.get(value.strip().lower(), value.strip().lower())
    if not isinstance(value, str) or value not in attr.choices:
        raise ValueError
    return value


def _region(_: Attribute, value: Any) -> str:
    if not isinstance(value, str) or not _REGION.match(value):
        raise ValueError
    return value


def _identifier(_: Attribute, value: Any) -> str:
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not _DIGITS16.match(text):
        raise ValueError
    return text


def _date(_: Attribute, value: Any) -> date:
    if not isinstance(value, str):
        raise TypeError
    return date.fromisoformat(value[:10]) if len(value) == 10 else datetime.fromisoformat(value).date()


def _datetime(_: Attribute, value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time(), JAKARTA)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError
    return parsed


def _year(attr: Attribute, value: Any) -> int:
    year = _int(attr, value)
    if not 1000 <= year <= 9999:
        raise ValueError
    return year


def _age(attr: Attribute, value: Any) -> int:
    age = _int(attr, value)
    if not 0 <= age <= 200:
        raise ValueError
    return age


_CONVERT = {"int": _int, "number": _number, "bool": _bool, "enum": _enum, "region": _region,
            "identifier": _identifier, "date": _date, "datetime": _datetime, "year": _year, "age": _age}
