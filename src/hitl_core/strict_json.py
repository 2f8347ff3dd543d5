"""Standard JSON only: what hitl reads from people and what it writes to the store.

Python's json module accepts NaN and Infinity and keeps the last of duplicate
keys; neither is standard JSON, and a value that other readers see differently
must not become an answer. Lone surrogates ("\\ud800") are not text any program
can print or encode, so they are refused wherever hitl checks a value.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["MAX_DEPTH", "dumps", "encodable", "loads", "problem", "too_deep"]

MAX_DEPTH = 32  # nesting of JSON answers; deeper ones are refused before validation


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise ValueError(f"the key {key!r} appears twice")
        document[key] = value
    return document


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse standard JSON; ValueError for NaN, Infinity, duplicate keys or nesting
    deeper than max_depth."""
    try:
        value = json.loads(data, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise ValueError(f"it nests deeper than {max_depth} levels") from None
    if too_deep(value, max_depth):
        raise ValueError(f"it nests deeper than {max_depth} levels")
    return value


def dumps(document: Any) -> bytes:
    """Compact standard JSON in UTF-8; ValueError for what JSON text cannot carry
    (NaN, Infinity, lone surrogates)."""
    text = json.dumps(document, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return text.encode("utf-8")  # UnicodeEncodeError, a ValueError, for lone surrogates


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest deeper than limit (checked without recursion)."""
    level: list[Any] = [value]
    for _ in range(limit):
        containers = [item for item in level if isinstance(item, (list, dict))]
        if not containers:
            return False
        level = [
            child
            for item in containers
            for child in (item.values() if isinstance(item, dict) else item)
        ]
    return any(isinstance(item, (list, dict)) for item in level)


def problem(value: Any) -> str | None:
    """Why value cannot be stored as standard JSON text, or None if it can.

    Finds non-finite numbers and text with lone surrogates, in keys too,
    without recursion (the depth is bounded by the caller).
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not encodable(item):
                return "it contains a lone surrogate, which is not text (\\ud800-\\udfff)"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"{item} is not a finite number"
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return None


def encodable(text: str) -> bool:
    """Whether text can be written as UTF-8 (it has no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
