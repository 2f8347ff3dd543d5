"""A respondent's inbox link: the events they may answer, on one page."""

from __future__ import annotations

from hitl_core import identity, people

from . import _compat
from ._events import resolved_settings, serving_endpoint
from ._store import open_store

__all__ = ["inbox_url"]


@_compat.twin
async def inbox_url(
    respondent: str,
    *,
    store: str | None = None,
    endpoint: str | None = None,
    public_url: str | None = None,
) -> str:
    """The URL of a respondent's inbox: the pending events that name them, each with
    a link that answers as them.

    Its token is signed with the store's key and names the respondent: whoever
    holds the URL acts as them, so send it to them alone.
    """
    person = people.check_person(respondent)
    settings = await resolved_settings(store, endpoint, public_url)
    event_store = open_store(settings.store, s3_endpoint_url=settings.s3_endpoint_url)
    token = identity.inbox_token(await event_store.secret(), person)
    served_by = await serving_endpoint(settings, event_store.url)
    return f"{settings.public_url or served_by}/inbox?token={token}"
