"""The expected answer, in words a person reads: "a whole number", "one of: small,
medium, large", "a list of whole numbers". Pages, inboxes and messages show these;
the JSON API keeps the type's name.

Built from the stored type description alone (its kind, choices and JSON Schema),
so every server words a question the same way.
"""

from __future__ import annotations

from typing import Any

__all__ = ["expected_answer"]

_KINDS = {
    "bool": "yes or no",
    "int": "a whole number",
    "float": "a number",
    "str": "text",
    "approval": "approve or reject",
}
_PLURALS = {
    "boolean": "yes/no answers",
    "integer": "whole numbers",
    "number": "numbers",
    "string": "pieces of text",
}
_SINGULARS = {
    "boolean": "yes or no",
    "integer": "a whole number",
    "number": "a number",
    "string": "text",
}
_FORMATS = {"date": ("a date", "dates"), "date-time": ("a date and time", "dates and times")}
_MAX_CHOICES_SHOWN = 12


def expected_answer(description: dict[str, Any]) -> str:
    """What the question expects, as a sentence fragment."""
    kind = description.get("kind")
    if kind in _KINDS:
        return _KINDS[str(kind)]
    if kind == "choice":
        return _one_of(description.get("choices") or [])
    schema = description.get("schema") or {}
    words = _words(schema, schema.get("$defs", {}), plural=False)
    return words or f"a {description.get('type_name', 'value')}"


def _one_of(choices: list[Any]) -> str:
    shown = [str(choice) for choice in choices[:_MAX_CHOICES_SHOWN]]
    more = ", ..." if len(choices) > _MAX_CHOICES_SHOWN else ""
    return "one of: " + ", ".join(shown) + more


def _resolved(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = defs.get(ref.removeprefix("#/$defs/"))
        if isinstance(target, dict):
            return target
    return node


def _words(node: dict[str, Any], defs: dict[str, Any], *, plural: bool) -> str | None:
    node = _resolved(node, defs)
    options = node.get("anyOf")
    if isinstance(options, list):
        kept = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
        if len(kept) == 1 and len(kept) < len(options):
            inner = _words(kept[0], defs, plural=plural)
            return None if inner is None else f"{inner} (or nothing)"
        return None
    if isinstance(node.get("enum"), list):
        return _one_of(node["enum"])
    kind = node.get("type")
    form = node.get("format")
    if kind == "string" and form in _FORMATS:
        return _FORMATS[form][plural]
    if isinstance(kind, str) and kind in _SINGULARS:
        return _PLURALS[kind] if plural else _SINGULARS[kind]
    if kind == "array" and isinstance(node.get("items"), dict):
        items = _words(node["items"], defs, plural=True)
        return None if items is None else f"a list of {items}"
    if kind == "object" and not plural:
        title = node.get("title") or "an answer"
        return f"{title}, in the fields below" if node.get("properties") else "a JSON object"
    return None
