"""Typed values: strict parsing of what people type, and the JSON that travels.

The four seed types (int, float, bool, str) are parsed strictly by hand so that
"banana" is not a bool and "1.5" is not an int. Every other type pydantic can
validate travels as JSON; its description (a JSON Schema, plus the choices of an
Enum or Literal) is stored with the event so that a server in another process,
which never sees the Python type, validates answers the same way.
"""

from __future__ import annotations

import copy
import enum
import functools
import json
import math
import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pydantic

if TYPE_CHECKING:
    import jsonschema

from . import strict_json
from .errors import InvalidValue
from .people import APPROVAL_KIND, Approval

__all__ = [
    "TypeSpec",
    "describe",
    "field_errors",
    "validate_answer",
    "validate_with_description",
]
_TRUE = frozenset({"true", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "no", "n", "off", "0"})
_PRIMITIVES: dict[Any, str] = {bool: "bool", int: "int", float: "float", str: "str"}


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise InvalidValue(f"{_show(value)} is not a yes/no answer: use true or false")


def _parse_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if digits.isascii() and digits.isdigit() and len(digits) <= 4300:
            return int(text)
    raise InvalidValue(f"{_show(value)} is not a whole number (like 42 or -7)")


def _parse_float(value: Any) -> float:
    number: float | None = None
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str) and value.strip() and "_" not in value:
            number = float(value.strip())
    except (ValueError, OverflowError):
        number = None
    if number is None or not math.isfinite(number):
        raise InvalidValue(f"{_show(value)} is not a finite number (like 3.14)")
    return number


def _parse_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise InvalidValue(f"{_show(value)} is not text")


_PARSERS: dict[str, typing.Callable[[Any], Any]] = {
    "bool": _parse_bool,
    "int": _parse_int,
    "float": _parse_float,
    "str": _parse_str,
}


def _show(value: Any) -> str:
    try:
        text = json.dumps(value) if not isinstance(value, str) else repr(value)
    except ValueError:  # NaN among them
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _choices_of(data_type: Any) -> list[Any] | None:
    """The JSON values of an Enum or Literal type, else None."""
    if isinstance(data_type, type) and issubclass(data_type, enum.Enum):
        return [member.value for member in data_type]
    if typing.get_origin(data_type) is typing.Literal:
        return list(typing.get_args(data_type))
    return None


@dataclass(frozen=True)
class TypeSpec:
    """A data type as hitl handles it: its widget kind, its schema and its parsers."""

    data_type: Any
    kind: str  # "bool" | "int" | "float" | "str" | "choice" | "approval" | "json"
    type_name: str
    schema: dict[str, Any] | None = None
    choices: list[Any] | None = None
    _adapter: pydantic.TypeAdapter[Any] | None = field(default=None, compare=False, repr=False)

    def describe(self) -> dict[str, Any]:
        """The JSON description stored in the event document."""
        sent = "bool" if self.kind == APPROVAL_KIND else self.kind  # a vote is true or false
        return {
            "data_type": sent if sent in _PARSERS else "json",
            "kind": self.kind,
            "type_name": self.type_name,
            "schema": self.schema,
            "choices": self.choices,
        }

    def matches(self, description: dict[str, Any]) -> bool:
        """Whether a stored description names this type.

        Kind and name, not the whole schema: a pydantic upgrade may word it differently.
        """
        return [description.get("kind"), description.get("type_name")] == [
            self.kind,
            self.type_name,
        ]

    def to_json(self, value: Any) -> Any:
        """Validate a submitted value and return its JSON form, or raise InvalidValue."""
        if self.kind in _PARSERS:
            return _PARSERS[self.kind](value)
        if self.kind == APPROVAL_KIND:
            return _parse_bool(value)
        assert self._adapter is not None
        typed = self._validate(value)
        try:
            return self._adapter.dump_python(typed, mode="json")
        except ValueError as exc:  # pydantic's serialization errors among them
            raise InvalidValue(f"not a valid {self.type_name}: {exc}") from None

    def from_json(self, value: Any) -> Any:
        """Turn a stored JSON answer back into the declared type."""
        if self.kind in _PARSERS:
            return _PARSERS[self.kind](value)
        if self.kind == APPROVAL_KIND:
            return _approval(value)
        return self._validate(value)

    def _validate(self, value: Any) -> Any:
        assert self._adapter is not None
        try:
            return self._adapter.validate_python(value)
        except pydantic.ValidationError as first:
            if not isinstance(value, str):
                raise InvalidValue(_pydantic_message(first, self.type_name)) from None
            try:
                return self._adapter.validate_json(value)
            except pydantic.ValidationError as second:
                raise InvalidValue(_pydantic_message(second, self.type_name)) from None


def _approval(value: Any) -> Approval:
    """An Approval from its stored JSON form."""
    if not isinstance(value, dict) or not isinstance(value.get("approved"), bool):
        raise InvalidValue(f"{_show(value)} is not a stored approval")
    by = value.get("by") or []
    return Approval(value["approved"], value.get("comment"), tuple(str(p) for p in by))


def _pydantic_message(error: pydantic.ValidationError, type_name: str) -> str:
    parts = []
    for item in error.errors(include_url=False)[:3]:
        where = ".".join(str(p) for p in item["loc"])
        parts.append(f"{where}: {item['msg']}" if where else item["msg"])
    return f"not a valid {type_name}: " + "; ".join(parts)


def describe(data_type: Any) -> TypeSpec:
    """Build the TypeSpec of a data type, or raise TypeError if hitl cannot carry it."""
    if data_type in _PRIMITIVES:
        kind = _PRIMITIVES[data_type]
        return TypeSpec(data_type, kind, kind)
    if data_type is Approval:
        return TypeSpec(Approval, APPROVAL_KIND, "Approval")
    try:
        adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(data_type)
        schema = adapter.json_schema()
    except (pydantic.PydanticUserError, pydantic.PydanticSchemaGenerationError, TypeError) as exc:
        raise TypeError(f"hitl cannot carry values of type {data_type!r}: {exc}") from exc
    choices = _choices_of(data_type)
    schema = _closed(schema)
    name = getattr(data_type, "__name__", None) or repr(data_type).replace("typing.", "")
    kind = "choice" if choices is not None else "json"
    return TypeSpec(data_type, kind, name, schema, choices, adapter)


def _closed(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with extra fields refused wherever the type would drop them.

    pydantic ignores fields a model, dataclass or TypedDict does not declare,
    while JSON Schema allows them: a server holding only the schema would store
    them. Closing those objects gives every server one verdict: refused. Types
    that keep extra fields (extra="allow") say so in their schema and stay open.
    """
    closed = copy.deepcopy(schema)
    pending = [closed]
    while pending:
        node = pending.pop()
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        pending.extend(_subschemas(node))
    return closed


_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains")


def _subschemas(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The schemas directly inside a schema, by keyword (never a property named like one)."""
    found: list[Any] = []
    for keyword in _SCHEMA_MAPS:
        if isinstance(node.get(keyword), dict):
            found.extend(node[keyword].values())
    for keyword in _SCHEMA_LISTS:
        if isinstance(node.get(keyword), list):
            found.extend(node[keyword])
    found.extend(node.get(keyword) for keyword in _SCHEMA_ONE)
    return [sub for sub in found if isinstance(sub, dict)]


@functools.lru_cache(maxsize=256)
def _validator(schema_json: str) -> jsonschema.Draft202012Validator:
    # Building a validator costs more than most validations; events of one type share one.
    # jsonschema is imported on first use: its format checkers take most of a
    # second to import, which a task that only asks a question never needs.
    import jsonschema

    return jsonschema.Draft202012Validator(
        json.loads(schema_json), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def prepare_validation() -> None:
    """Import and build what validating JSON answers needs, ahead of the first answer."""
    _validator("{}")


def validate_with_description(description: dict[str, Any], value: Any) -> Any:
    """Validate a value against a stored type description (no Python type at hand).

    Returns the JSON form to store, or raises InvalidValue.
    """
    reason = strict_json.problem(value)
    if reason is not None:
        raise InvalidValue(f"not a valid {description.get('type_name', 'value')}: {reason}")
    kind = description.get("kind")
    if kind in _PARSERS:
        return _PARSERS[kind](value)
    if kind == APPROVAL_KIND:
        return _parse_bool(value)  # true approves
    choices = description.get("choices")
    if kind == "choice" and choices is not None:
        for choice in choices:
            if _same_value(value, choice) or (
                isinstance(value, str) and _same_choice(value, choice)
            ):
                return choice
        shown = ", ".join(json.dumps(c) for c in choices)
        raise InvalidValue(f"{_show(value)} is not one of the choices: {shown}")
    schema = description.get("schema") or {}
    candidates = [value]
    not_json = ""
    if isinstance(value, str):
        # Text typed into a form may be the JSON of the answer; when it parses,
        # the parsed value is what the person meant, and its errors are the ones to show.
        try:
            candidates.insert(0, strict_json.loads(value))
        except ValueError as exc:
            not_json = str(exc)
    if any(strict_json.too_deep(candidate) for candidate in candidates):
        raise InvalidValue(f"the answer nests deeper than {strict_json.MAX_DEPTH} levels")
    message = ""
    validator = _validator(json.dumps(schema, sort_keys=True))
    from jsonschema.exceptions import best_match

    for candidate in candidates:
        error = best_match(validator.iter_errors(candidate))
        if error is None:
            return candidate
        if not message:
            where = ".".join(str(p) for p in error.absolute_path)
            message = f"{where}: {error.message}" if where else error.message
    expected = _schema_type(schema)
    if isinstance(value, str) and len(candidates) == 1 and expected in ("object", "array"):
        example = "{...}" if expected == "object" else "[...]"
        message = f"the answer must be JSON, for example {example} ({not_json})"
    raise InvalidValue(f"not a valid {description.get('type_name', 'value')}: {message}")


def field_errors(
    description: dict[str, Any], value: Any, spec: TypeSpec | None = None
) -> list[tuple[tuple[str, ...], str]]:
    """Why value does not fit, field by field: (path, message) pairs from the stored
    schema, else from the Python type's own validators when it is at hand."""
    schema = description.get("schema") or {}
    validator = _validator(json.dumps(schema, sort_keys=True))
    found = [
        (tuple(str(p) for p in error.absolute_path), error.message)
        for error in validator.iter_errors(value)
    ]
    if found or spec is None or spec._adapter is None or not spec.matches(description):
        return found
    try:
        spec._adapter.validate_python(value)
    except pydantic.ValidationError as error:
        return [
            (tuple(str(p) for p in item["loc"]), item["msg"])
            for item in error.errors(include_url=False)
        ]
    return []


def _schema_type(schema: dict[str, Any]) -> Any:
    """The type a schema names, following a top-level $ref into $defs."""
    ref = schema.get("$ref", "")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        schema = schema.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
    return schema.get("type")


def validate_answer(description: dict[str, Any], value: Any, spec: TypeSpec | None) -> Any:
    """The JSON form of an answer to store, or InvalidValue.

    Every server checks the stored description (JSON Schema, formats included)
    and stores what it accepted, so an answer gets the same verdict and the same
    stored value wherever the app runs. Where the Python type is at hand too
    (a server in the process that asked), its own validators must accept the
    value as well.
    """
    checked = validate_with_description(description, value)
    if spec is not None and spec.matches(description):
        spec.to_json(checked)
    return checked


def _same_value(value: Any, choice: Any) -> bool:
    # True == 1 in Python; an answer must match a choice in type as well.
    return type(value) is type(choice) and bool(value == choice)


def _same_choice(text: str, choice: Any) -> bool:
    if isinstance(choice, str):
        return text == choice
    try:
        return _same_value(strict_json.loads(text), choice)
    except ValueError:
        return False
