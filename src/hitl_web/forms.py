"""Forms a person can fill in: one widget per field of a structured type.

Built from the JSON Schema stored with the event (any server has it, not only
the process that asked), so a pydantic model, a dataclass or a TypedDict shows
its fields with their titles, descriptions and defaults:

    boolean                  checkbox
    integer, number          number input (with the schema's bounds)
    string                   text input; date and date-time get date pickers
    enum, Literal            a choice, nothing chosen until someone chooses
    object                   a group of its own fields
    array of scalars         a text box, one item per line
    anything else            a JSON box for that field alone

A top-level list of scalars gets the one-per-line box. Fields post as
"field.<path>", their values are converted field by field, and errors come back
attached to the field they concern. No JavaScript is needed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from hitl_core import labels, strict_json
from hitl_core.errors import InvalidValue

__all__ = ["FIELD_PREFIX", "Widget", "collect", "place_errors", "widgets_for"]

FIELD_PREFIX = "field."
_MAX_DEPTH = 4
_SCALARS = ("boolean", "integer", "number", "string")
_MISSING = object()


@dataclass
class Widget:
    """One field of a form, and what was typed into it."""

    path: tuple[str, ...]
    kind: str  # checkbox, integer, number, text, date, datetime, choice, list, group, json
    label: str
    description: str | None = None
    required: bool = False
    nullable: bool = False
    default: Any = _MISSING
    choices: list[tuple[str, str]] = field(default_factory=list)  # (posted value, label)
    values: list[Any] = field(default_factory=list)  # a choice's values, posted by index
    item_kind: str | None = None  # a list's items: integer, number, text, ...
    bounds: dict[str, Any] = field(default_factory=dict)  # min, max, step
    children: list[Widget] = field(default_factory=list)
    text: str = ""  # shown in the widget: the default, or what was typed
    checked: bool = False
    error: str | None = None
    in_optional_group: bool = False  # a group that may be left empty: no field is required

    @property
    def must_fill(self) -> bool:
        """Whether the browser should insist on a value (the server checks regardless)."""
        return self.required and not self.nullable and not self.in_optional_group

    @property
    def name(self) -> str:
        return FIELD_PREFIX + ".".join(self.path) if self.path else FIELD_PREFIX.rstrip(".")

    @property
    def hint(self) -> str:
        """What the field expects, where its widget does not say it already."""
        if self.kind == "list":
            return "one per line"
        if self.kind == "datetime":
            return "UTC"
        if self.kind == "json":
            return "JSON"
        return ""


def widgets_for(description: Mapping[str, Any]) -> list[Widget] | None:
    """The widgets of a structured type, or None where one box serves better (scalars,
    choices, and types whose top level is neither fields nor a list of scalars)."""
    if description.get("kind") != "json":
        return None
    schema = description.get("schema") or {}
    defs = schema.get("$defs", {})
    node, _ = _unwrapped(schema, defs)
    if node.get("type") == "object" and isinstance(node.get("properties"), dict):
        return _fields(node, defs, (), 0)
    widget = _widget(node, defs, (), "Answer", required=True, depth=0)
    return [widget] if widget.kind == "list" else None


def _unwrapped(node: Any, defs: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema a field's value must meet, and whether null is allowed too."""
    if not isinstance(node, dict):
        return {}, False
    nullable = False
    for _ in range(8):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = defs.get(ref.removeprefix("#/$defs/"), {})
            extra = {k: v for k, v in node.items() if k != "$ref"}
            node = {**target, **extra}
            continue
        options = node.get("anyOf")
        if isinstance(options, list):
            kept = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
            if len(kept) == 1:
                nullable = nullable or len(kept) < len(options)
                extra = {k: v for k, v in node.items() if k != "anyOf"}
                node = {**kept[0], **extra}
                continue
        break
    return node, nullable


def _fields(
    node: dict[str, Any],
    defs: Mapping[str, Any],
    path: tuple[str, ...],
    depth: int,
    optional: bool = False,
) -> list[Widget]:
    required = set(node.get("required") or [])
    widgets = [
        _widget(sub, defs, (*path, key), key, required=key in required, depth=depth + 1)
        for key, sub in node["properties"].items()
    ]
    if optional:
        for widget in _every(widgets):
            widget.in_optional_group = True
    return widgets


def _widget(
    raw: Any,
    defs: Mapping[str, Any],
    path: tuple[str, ...],
    key: str,
    *,
    required: bool,
    depth: int,
) -> Widget:
    node, nullable = _unwrapped(raw, defs)
    widget = Widget(
        path=path,
        kind="json",
        label=str(node.get("title") or key.replace("_", " ").capitalize()),
        description=node.get("description"),
        required=required,
        nullable=nullable,
        default=node.get("default", _MISSING),
    )
    kind = node.get("type")
    if kind == "boolean" and nullable:  # yes, no, or nothing: a checkbox cannot say nothing
        node = {**node, "enum": [True, False]}
    if isinstance(node.get("enum"), list) or "const" in node:
        values = node["enum"] if "enum" in node else [node["const"]]
        widget.kind = "choice"
        widget.values = list(values)
        widget.choices = [(str(n), _choice_label(v)) for n, v in enumerate(values)]
    elif kind == "boolean":
        widget.kind = "checkbox"
    elif kind in ("integer", "number"):
        widget.kind = kind
        widget.bounds = _bounds(node, kind)
    elif kind == "string":
        widget.kind = {"date": "date", "date-time": "datetime"}.get(str(node.get("format")), "text")
    elif kind == "object" and isinstance(node.get("properties"), dict) and depth < _MAX_DEPTH:
        widget.kind = "group"
        optional = not required or nullable
        widget.children = _fields(node, defs, path, depth, optional=optional)
    elif kind == "array":
        items, _ = _unwrapped(node.get("items"), defs)
        if items.get("type") in _SCALARS and "enum" not in items:
            widget.kind = "list"
            widget.item_kind = {"boolean": "checkbox", "string": "text"}.get(
                items["type"], items["type"]
            )
            if items.get("format") in ("date", "date-time"):
                widget.item_kind = "text"  # ISO dates, one per line
    _show_default(widget)
    return widget


def _choice_label(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _posted(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _bounds(node: dict[str, Any], kind: str) -> dict[str, Any]:
    bounds: dict[str, Any] = {"step": "1" if kind == "integer" else "any"}
    if isinstance(node.get("minimum"), (int, float)):
        bounds["min"] = node["minimum"]
    if isinstance(node.get("maximum"), (int, float)):
        bounds["max"] = node["maximum"]
    if kind == "integer":  # HTML has no exclusive bounds; whole numbers do not need them
        if isinstance(node.get("exclusiveMinimum"), int):
            bounds["min"] = node["exclusiveMinimum"] + 1
        if isinstance(node.get("exclusiveMaximum"), int):
            bounds["max"] = node["exclusiveMaximum"] - 1
    return bounds


def _show_default(widget: Widget) -> None:
    default = widget.default
    if default is _MISSING or default is None:
        return
    if widget.kind == "checkbox":
        widget.checked = default is True
    elif widget.kind == "list" and isinstance(default, list):
        widget.text = "\n".join(_posted(item) for item in default)
    elif widget.kind == "choice":
        same = [n for n, v in enumerate(widget.values) if v == default and type(v) is type(default)]
        widget.text = str(same[0]) if same else ""
    elif widget.kind in ("text", "date", "integer", "number"):
        widget.text = _posted(default)
    elif widget.kind == "datetime" and isinstance(default, str):
        widget.text = _in_utc(default)
    elif widget.kind == "json":
        widget.text = json.dumps(default)


def _in_utc(moment: str) -> str:
    """An ISO date-time as a datetime-local input shows it: in UTC, to the second."""
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S")


def collect(widgets: list[Widget], form: Mapping[str, str]) -> tuple[Any, bool]:
    """The value the posted fields make, and whether every field could be read.

    Each widget keeps what was typed, and the error of a field that could not be
    read, so the form comes back as it was sent.
    """
    if len(widgets) == 1 and widgets[0].path == ():
        value = _read(widgets[0], form)
        return (None if value is _MISSING else value), widgets[0].error is None
    value = _read_group(widgets, form)
    return value, not any(w.error for w in _every(widgets))


def _every(widgets: list[Widget]) -> list[Widget]:
    found: list[Widget] = []
    for widget in widgets:
        found.append(widget)
        found.extend(_every(widget.children))
    return found


def _read_group(widgets: list[Widget], form: Mapping[str, str]) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for widget in widgets:
        read = _read(widget, form)
        if read is not _MISSING:
            value[widget.path[-1]] = read
    return value


def _filled(widgets: list[Widget], form: Mapping[str, str]) -> bool:
    """Whether anything was entered in these fields (a checked box counts)."""
    return any(
        _filled(w.children, form) if w.kind == "group" else bool(form.get(w.name, "").strip())
        for w in widgets
    )


def _read(widget: Widget, form: Mapping[str, str]) -> Any:
    if widget.kind == "group":
        if (not widget.required or widget.nullable) and not _filled(widget.children, form):
            _read_group(widget.children, form)  # keeps what was shown
            for child in _every(widget.children):
                child.error = None
            return None if widget.nullable else _MISSING
        return _read_group(widget.children, form)
    if widget.kind == "checkbox":
        widget.checked = widget.name in form
        return widget.checked
    widget.text = form.get(widget.name, "")
    text = widget.text.strip()
    if not text:
        return _empty(widget)
    try:  # text is kept as typed, spaces and all
        return _converted(widget, widget.text if widget.kind == "text" else text)
    except (InvalidValue, ValueError) as exc:
        widget.error = str(exc)
        return _MISSING


def _empty(widget: Widget) -> Any:
    """What a field left empty means: nothing (null) where the type allows it, an
    empty text or list where those are answers, else the type's default, or an error."""
    if widget.nullable:
        return None
    if widget.kind == "list" or (widget.kind == "text" and not widget.required):
        return [] if widget.kind == "list" else ""
    if not widget.required:
        return _MISSING
    widget.error = "required"
    return _MISSING


def _converted(widget: Widget, text: str) -> Any:
    kind = widget.kind
    if kind == "integer":
        if not text.lstrip("+-").isdigit():
            raise InvalidValue("a whole number, like 42")
        return int(text)
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise InvalidValue("a number, like 3.14") from None
    if kind == "choice":
        if text.isdigit() and int(text) < len(widget.values):
            return widget.values[int(text)]
        raise InvalidValue("choose one of the options")
    if kind == "datetime":
        return text + (":00" if len(text) == 16 else "") + ("" if _zoned(text) else "Z")
    if kind == "list":
        items = [line.strip() for line in text.splitlines() if line.strip()]
        item = Widget(path=widget.path, kind=widget.item_kind or "text", label=widget.label)
        return [_converted(item, line) if item.kind != "checkbox" else _yes(line) for line in items]
    if kind == "json":
        try:
            return strict_json.loads(text)
        except ValueError as exc:
            raise InvalidValue(f"not JSON: {exc}") from None
    return text


def _zoned(text: str) -> bool:
    tail = text[16:]
    return tail.endswith("Z") or "+" in tail or "-" in tail


def _yes(text: str) -> bool:
    word = text.lower()
    if word in ("true", "yes", "y", "1", "on"):
        return True
    if word in ("false", "no", "n", "0", "off"):
        return False
    raise InvalidValue(f"{text!r} is not yes or no")


def place_errors(widgets: list[Widget], errors: list[tuple[tuple[str, ...], str]]) -> list[str]:
    """Attach each (path, message) to the widget of its path, or of the nearest field
    above it; return the messages no field takes."""
    by_path = {widget.path: widget for widget in _every(widgets)}
    left = []
    for path, message in errors:
        for cut in range(len(path), 0, -1):
            widget = by_path.get(tuple(path[:cut]))
            if widget is not None:
                widget.error = widget.error or message
                break
        else:
            if () in by_path:
                by_path[()].error = by_path[()].error or message
            else:
                left.append(message)
    return left


def expected(description: Mapping[str, Any]) -> str:
    return labels.expected_answer(dict(description))
