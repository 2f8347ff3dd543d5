"""The link to an event's form, as its owner sees it: a log line, or a card of HTML.

The log line goes to the "hitl.links" logger at INFO, which hitl sets to show
INFO. Where the program has configured logging (a root handler, as Airflow,
Prefect and logging.basicConfig() set up), the line goes through it; where it
has configured nothing, hitl writes the line to stderr itself, since Python
would otherwise drop an INFO line. Silence it with show=False on the event, or
logging.getLogger("hitl.links").setLevel(logging.WARNING).
"""

from __future__ import annotations

import html
import json
import logging
import shlex
import sys
from dataclasses import dataclass

__all__ = ["Link", "announce_in_log", "html_card"]

links_log = logging.getLogger("hitl.links")


@dataclass(frozen=True)
class Link:
    """What a person needs to answer an event."""

    name: str
    prompt: str
    type_name: str
    request_id: str
    form_url: str
    api_url: str
    asked_before: bool = False
    state: str = "pending"  # where the question stands: pending, answered, cancelled, expired

    def curl(self) -> str:
        """A command that answers the event through the JSON API."""
        body = json.dumps({"request_id": self.request_id, "value": "<your value>"})
        return (
            f"curl -X POST -H 'Content-Type: application/json' "
            f"--data {shlex.quote(body)} {shlex.quote(self.api_url)}"
        )


class _WhenNothingElseShows(logging.Handler):
    """Writes a record to stderr only when no handler of the program's would show it."""

    def emit(self, record: logging.LogRecord) -> None:
        if any(handler is not self for handler in links_log.handlers):
            return
        logger: logging.Logger | None = links_log.parent if links_log.propagate else None
        while logger is not None:
            if logger.handlers:
                return  # propagation hands the record to the program's own handlers
            if not logger.propagate:
                break
            logger = logger.parent
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


def _set_up() -> None:
    if links_log.level == logging.NOTSET:
        links_log.setLevel(logging.INFO)
    if not any(isinstance(h, _WhenNothingElseShows) for h in links_log.handlers):
        links_log.addHandler(_WhenNothingElseShows())


_set_up()


def announce_in_log(link: Link) -> None:
    """hitl: question 'approve' (bool) waits for an answer at http://...

    A question asked before (a retry, a restart) says so, and whether it is
    answered already (or cancelled, or expired) rather than waiting.
    """
    before = ", asked before," if link.asked_before else ""
    stands = "waits for an answer" if link.state == "pending" else f"is {link.state}"
    links_log.info(
        "hitl: question %r (%s)%s %s at %s",
        link.name,
        link.type_name,
        before,
        stands,
        link.form_url,
    )


def html_card(link: Link) -> str:
    """The event's link, prompt and API call as a fragment of HTML; everything escaped."""
    return (
        '<div class="hitl-event">'
        f"<h3>Human input needed: {html.escape(link.name)}</h3>"
        f'<p style="white-space: pre-wrap">{html.escape(link.prompt)}</p>'
        f"<p>Expected: <code>{html.escape(link.type_name)}</code></p>"
        f'<p><a href="{html.escape(link.form_url, quote=True)}" target="_blank" '
        f'rel="noopener noreferrer">Open the form to answer</a></p>'
        f"<p>Or answer through the API:</p><pre>{html.escape(link.curl())}</pre>"
        "</div>"
    )
