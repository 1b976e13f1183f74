"""Conditions over a response's answers: which questions show, which step comes next.

A condition is plain data (see definition.py): ``{"all": [...]}``, ``{"any": [...]}``,
``{"not": {...}}`` or a leaf ``{"question": "age", "op": "ge", "value": 18}``. The same engine
decides a question's display and a step transition, as Lutece's control groups do.

Answers are the stored JSON values: text, numbers, booleans, ISO dates (which compare as text),
lists (multiple choice, files). A question hidden by its own condition, or not answered, is
empty: ``eq`` is then false and ``empty`` true. Comparisons never raise: a value of the wrong
kind (text against a number) simply does not match.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            return None
    return None


def _same(answer: Any, expected: Any) -> bool:
    if isinstance(answer, list):
        return any(_same(item, expected) for item in answer)
    if isinstance(answer, bool) or isinstance(expected, bool):
        return _boolean(answer) == _boolean(expected) and _boolean(answer) is not None
    left, right = _number(answer), _number(expected)
    if left is not None and right is not None:
        return left == right
    return str(answer) == str(expected)


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "yes", "1", "on"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "no", "0", "off"):
        return False
    return None


def _order(answer: Any, expected: Any) -> int | None:
    """-1, 0 or 1 comparing answer to expected; None when they do not compare."""
    left, right = _number(answer), _number(expected)
    if left is None or right is None:
        if isinstance(answer, str) and isinstance(expected, str) and answer and expected:
            left, right = answer, expected  # ISO dates and times compare as text
        else:
            return None
    return (left > right) - (left < right)


def _leaf(condition: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    op = condition["op"]
    answer = answers.get(condition["question"])
    if op == "filled":
        return not is_empty(answer)
    if op == "empty":
        return is_empty(answer)
    if is_empty(answer):
        return op in ("ne", "not_in")
    expected = condition.get("value")
    if op == "eq":
        return _same(answer, expected)
    if op == "ne":
        return not _same(answer, expected)
    if op == "in":
        return any(_same(answer, item) for item in expected)
    if op == "not_in":
        return not any(_same(answer, item) for item in expected)
    if op == "contains":
        if isinstance(answer, list):
            return any(_same(item, expected) for item in answer)
        return str(expected).casefold() in str(answer).casefold()
    order = _order(answer, expected)
    if order is None:
        return False
    return {"gt": order > 0, "ge": order >= 0, "lt": order < 0, "le": order <= 0}[op]


def holds(condition: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    """Whether ``condition`` holds for ``answers``; no condition always holds."""
    if not condition:
        return True
    if "all" in condition:
        return all(holds(part, answers) for part in condition["all"])
    if "any" in condition:
        return any(holds(part, answers) for part in condition["any"])
    if "not" in condition:
        return not holds(condition["not"], answers)
    return _leaf(condition, answers)


def referenced(condition: Mapping[str, Any] | None) -> set[str]:
    """The keys of the questions a condition reads."""
    if not condition:
        return set()
    for group in ("all", "any"):
        if group in condition:
            return set().union(*(referenced(part) for part in condition[group]))
    if "not" in condition:
        return referenced(condition["not"])
    return {condition["question"]}
