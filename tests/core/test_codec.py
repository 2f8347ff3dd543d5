"""Strict parsing of seed types and validation from a stored description."""

from __future__ import annotations

import enum
from typing import Any, Literal

import pydantic
import pytest

from hitl_core import codec, strict_json
from hitl_core.errors import InvalidValue


class Size(enum.Enum):
    S = 1
    L = 2


class Order(pydantic.BaseModel):
    item: str
    count: int


@pytest.mark.parametrize(
    ("data_type", "value", "expected"),
    [
        (bool, "TRUE", True),
        (bool, " no ", False),
        (bool, "0", False),
        (int, " 12 ", 12),
        (int, "+3", 3),
        (float, "1e3", 1000.0),
        (float, "-0.5", -0.5),
        (str, "  kept as typed ", "  kept as typed "),
    ],
)
def test_seed_types_accept(data_type: Any, value: Any, expected: Any) -> None:
    spec = codec.describe(data_type)
    assert spec.to_json(value) == expected
    assert codec.validate_with_description(spec.describe(), value) == expected


@pytest.mark.parametrize(
    ("data_type", "value"),
    [
        (bool, "banana"),
        (bool, 1),
        (bool, None),
        (int, "1.5"),
        (int, "1e3"),
        (int, 2.0),
        (int, ""),
        (int, "٣"),
        (float, "inf"),
        (float, True),
        (float, "1,5"),
        (str, None),
        (str, ["a"]),
    ],
)
def test_seed_types_refuse(data_type: Any, value: Any) -> None:
    spec = codec.describe(data_type)
    with pytest.raises(InvalidValue):
        spec.to_json(value)
    with pytest.raises(InvalidValue):
        codec.validate_with_description(spec.describe(), value)


@pytest.mark.parametrize(
    ("data_type", "value", "stored"),
    [
        (Size, "2", 2),
        (Size, 1, 1),
        (Literal["a", "b"], "b", "b"),
        (Order, '{"item": "tea", "count": 2}', {"item": "tea", "count": 2}),
        (list[str], ["x"], ["x"]),
    ],
)
def test_description_validates_like_the_type(data_type: Any, value: Any, stored: Any) -> None:
    spec = codec.describe(data_type)
    assert spec.to_json(value) == stored
    assert codec.validate_with_description(spec.describe(), value) == stored


@pytest.mark.parametrize(
    ("data_type", "value"),
    [(Size, "3"), (Literal["a", "b"], "c"), (Order, {"item": "tea"}), (list[str], "{}")],
)
def test_description_refuses_like_the_type(data_type: Any, value: Any) -> None:
    spec = codec.describe(data_type)
    with pytest.raises(InvalidValue):
        spec.to_json(value)
    with pytest.raises(InvalidValue) as caught:
        codec.validate_with_description(spec.describe(), value)
    assert str(caught.value)


def test_a_type_pydantic_cannot_carry_is_a_type_error() -> None:
    class Opaque:
        pass

    with pytest.raises(TypeError, match="cannot carry"):
        codec.describe(Opaque)


def test_nesting_depth_is_limited() -> None:
    assert not strict_json.too_deep([[[1]]], limit=3)
    assert strict_json.too_deep([[[[1]]]], limit=3)
    assert not strict_json.too_deep({"a": [{"b": 1}]}, limit=3)
    assert strict_json.too_deep({"a": [{"b": []}]}, limit=3)
    spec = codec.describe(list)
    deep: list[object] = []
    for _ in range(strict_json.MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(InvalidValue, match="nests deeper"):
        codec.validate_with_description(spec.describe(), deep)
    with pytest.raises(InvalidValue, match="nests deeper"):
        codec.validate_with_description(spec.describe(), "[" * 40 + "]" * 40)
