"""Standard JSON only, in and out."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hitl_core import strict_json

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_standard_json_round_trips(value: Any) -> None:
    has_surrogate = any(0xD800 <= ord(c) <= 0xDFFF for c in json.dumps(value, ensure_ascii=False))
    assert (strict_json.problem(value) is not None) == has_surrogate
    if not has_surrogate:
        assert strict_json.loads(strict_json.dumps(value)) == value


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("NaN", "NaN is not a JSON value"),
        ("[1, Infinity]", "Infinity is not a JSON value"),
        ('{"a": -Infinity}', "-Infinity is not a JSON value"),
        ('{"a": 1, "a": 2}', "the key 'a' appears twice"),
        ('{"a": {"b": 1, "b": 1}}', "the key 'b' appears twice"),
        ("[" * 40 + "]" * 40, "nests deeper"),
        ("[" * 100_000 + "]" * 100_000, "nests deeper"),
    ],
)
def test_what_is_not_standard_json_is_refused(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        strict_json.loads(text)


@pytest.mark.parametrize(
    "value",
    [math.nan, [1.0, math.inf], {"k": -math.inf}, "ok\ud800", {"\udc00": 1}, ["a", ["b\ud800"]]],
)
def test_values_json_cannot_carry_are_found(value: Any) -> None:
    assert strict_json.problem(value)
    with pytest.raises(ValueError):
        strict_json.dumps(value)
