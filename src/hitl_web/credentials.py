"""Who a request comes from, as far as its credential says: the rules that need no
request object, shared by the fast lane and the routes (access.py)."""

from __future__ import annotations

from dataclasses import dataclass

from hitl_core import identity

__all__ = ["Caller", "credential_given", "is_operator"]


@dataclass(frozen=True)
class Caller:
    """Who opened an event: the operator, a person (by their token or the proxy's
    header), or the holder of the event's own link (neither)."""

    operator: bool = False
    person: str | None = None


def credential_given(authorization: str, query_token: str | None) -> str | None:
    """The bearer token of an Authorization header, else the URL's token."""
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None
    return query_token or None


def is_operator(api_key: str | None, given: str | None) -> bool:
    return bool(api_key and given and identity.same_secret(given, api_key))
