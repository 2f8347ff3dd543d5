"""The hitl command.

    hitl serve                  run the web app standalone
    hitl demo                   ask one question on the embedded defaults
    hitl list                   the events, newest first, a page at a time
    hitl show ID                where an event stands
    hitl answer ID VALUE        answer an event, as its form would
    hitl cancel ID              cancel a pending event

list, show, answer and cancel work on the store (HITL_STORE or --store) with
the same rules as the app, or, when HITL_ENDPOINT names an app, through it
with the operator key (HITL_API_KEY); --json prints what the app's GET /events
and GET /status return.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from hitl_core.config import DEFAULT_PORT, Settings, default_store_url
from hitl_core.status import DEFAULT_PER_PAGE, LIST_STATES, MAX_PER_PAGE

from .events import CommandFailed, Events, OnStore, ThroughApp

__all__ = ["main"]

# Each demo type with an answer to show in the curl line.
_DEMO_TYPES: dict[str, tuple[type[Any], Any]] = {
    "bool": (bool, True),
    "int": (int, 42),
    "float": (float, 3.14),
    "str": (str, "looks good"),
}


def _serve(args: argparse.Namespace) -> int:
    from hitl_web import run_forever

    settings = Settings.resolve(
        store=args.store, host=args.host, port=args.port, s3_endpoint_url=args.s3_endpoint_url
    )

    def announce(endpoint: str) -> None:
        port = endpoint.rsplit(":", 1)[1]
        print(f"hitl serving {settings.store} on {settings.host}:{port}: {endpoint}", flush=True)
        if settings.host not in ("127.0.0.1", "localhost", "::1"):
            print(
                "set HITL_PUBLIC_URL so that event links use the address people reach", flush=True
            )

    run_forever(settings, on_ready=announce, workers=args.workers)
    return 0


def _version() -> str:
    try:
        return importlib.metadata.version("hitl-events")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        return "(not installed)"


def _demo(args: argparse.Namespace) -> int:
    import hitl_sync as hitl

    data_type, example = _DEMO_TYPES[args.type]
    event = hitl.new_event(
        "demo",
        data_type=data_type,
        prompt=args.prompt,
        timeout_seconds=args.timeout,
        poll_interval_seconds=0.5,
        key=args.key,
        store=args.store,
        show=False,  # the demo prints the link itself, with more
    )
    body = json.dumps({"request_id": event.request_id, "value": example})
    print(f"Question: {event.prompt}")
    print(f"Expected answer: {args.type} (for example {json.dumps(example)})")
    print(f"Answer in a browser:  {event.form_url}")
    print(
        f"or with the JSON API: curl -X POST '{event.api_url}' "
        f"-H 'Content-Type: application/json' -d '{body}'"
    )
    print("Waiting for an answer (Ctrl-C to stop)...", flush=True)
    try:
        answer = event.wait()
    except hitl.HitlError as exc:
        print(f"No answer: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    print(f"Answer: {answer!r}")
    return 0


def _events(args: argparse.Namespace) -> Events:
    """Through the app when HITL_ENDPOINT names one (and --store does not say otherwise),
    else on the store."""
    settings = Settings.resolve(store=args.store)
    if settings.endpoint is not None and args.store is None:
        return ThroughApp(settings.endpoint, settings.api_key)
    return OnStore(settings.store, settings.s3_endpoint_url)


def _print_status(shown: dict[str, Any]) -> None:
    print(f"{shown['request_id']}: {shown['status']}")
    print(f"  question: {shown['prompt']}")
    print(f"  type:     {shown['data_type']}")
    if shown.get("respondents"):
        quorum = shown.get("quorum", 1)
        decides = f" ({quorum} approvals decide)" if quorum != 1 else ""
        print(f"  who:      {', '.join(shown['respondents'])}{decides}")
    for vote in shown.get("votes") or []:
        said = "approves" if vote["approved"] else "rejects"
        comment = f": {vote['comment']}" if vote.get("comment") else ""
        print(f"  vote:     {vote['by']} {said} at {vote['at']} via {vote['via']}{comment}")
    if "value" in shown and shown["status"] == "answered":
        print(f"  answer:   {json.dumps(shown['value'])}")
        by = shown.get("by")
        who = f" by {by if isinstance(by, str) else ', '.join(by)}" if by else ""
        print(f"  given:    {shown['answered_at']} via {shown['via']}{who}")
        if shown.get("comment"):
            print(f"  comment:  {shown['comment']}")
    print(f"  expires:  {shown['expires_at']}")
    for notice in shown.get("undelivered") or []:
        why = f": {notice['error']}" if notice.get("error") else ""
        print(f"  notice:   to {notice['to']} by {notice['channel']}, {notice['state']}{why}")


def _print_page(page: dict[str, Any]) -> None:
    if not page["events"]:
        print(f"no {page['state']} events" if page["state"] != "all" else "no events")
    for shown in page["events"]:
        print(f"{shown['request_id']}  {shown['status']:<9}  {shown['name']}: {shown['prompt']!r}")
    if page.get("next_page"):
        print(f"(more: --page {page['next_page']})")


def _command(act: Callable[[Events, argparse.Namespace], dict[str, Any]]) -> Callable[..., int]:
    def run(args: argparse.Namespace) -> int:
        try:
            shown = act(_events(args), args)
        except CommandFailed as exc:
            print(f"hitl: {exc}", file=sys.stderr)
            return exc.code
        if args.json:
            print(json.dumps(shown, indent=2))
        elif "events" in shown:
            _print_page(shown)
        else:
            _print_status(shown)
        return 0

    return run


_list = _command(lambda events, args: events.list(args.state, args.page, args.per_page))
_show = _command(lambda events, args: events.show(args.request_id))
_answer = _command(lambda events, args: events.answer(args.request_id, args.value, args.comment))
_cancel = _command(lambda events, args: events.cancel(args.request_id))


def _positive(text: str, largest: int = 1_000_000) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= largest:
        raise argparse.ArgumentTypeError(f"a whole number from 1 to {largest}, not {text!r}")
    return int(text)


def _per_page(text: str) -> int:
    return _positive(text, MAX_PER_PAGE)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hitl", description="Pause programs until a person answers a typed question."
    )
    parser.add_argument(
        "--version", action="version", version=f"hitl {_version()}", help="print the version"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    store_help = f"store URL or directory (default: HITL_STORE, else {default_store_url()})"

    serve = commands.add_parser("serve", help="run the web app standalone")
    serve.add_argument("--store", help=store_help)
    serve.add_argument("--host", help="address to bind (default: HITL_HOST or 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, help=f"port to bind (default: HITL_PORT or {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--s3-endpoint-url",
        help="S3-compatible server for s3:// stores (default: HITL_S3_ENDPOINT_URL, "
        "else the AWS configuration)",
    )
    serve.add_argument(
        "--workers",
        type=lambda text: _positive(text, 64),
        default=1,
        help="processes serving the same port and store (default: 1; one per core is best)",
    )
    serve.set_defaults(run=_serve)

    demo = commands.add_parser("demo", help="ask one question on the embedded defaults")
    demo.add_argument("--type", choices=sorted(_DEMO_TYPES), default="bool", help="answer type")
    demo.add_argument("--prompt", default="Do you approve this deployment?", help="the question")
    demo.add_argument("--timeout", type=float, default=3600, help="seconds to wait")
    demo.add_argument("--key", help="name the request explicitly (re-run to re-attach)")
    demo.add_argument("--store", help=store_help)
    demo.set_defaults(run=_demo)

    listing = commands.add_parser("list", help="the events, newest first, a page at a time")
    listing.add_argument(
        "--state", choices=LIST_STATES, default="pending", help="which events (default: pending)"
    )
    listing.add_argument("--page", type=_positive, default=1, help="which page, from 1")
    listing.add_argument(
        "--per-page",
        type=_per_page,
        default=DEFAULT_PER_PAGE,
        help=f"events per page (default: {DEFAULT_PER_PAGE}, at most {MAX_PER_PAGE})",
    )
    listing.add_argument("--store", help=store_help)
    listing.add_argument("--json", action="store_true", help="print the page as JSON")
    listing.set_defaults(run=_list)

    for name, run, what in (
        ("show", _show, "where an event stands"),
        ("answer", _answer, "answer an event, checked as its form would check it"),
        ("cancel", _cancel, "cancel a pending event"),
    ):
        command = commands.add_parser(name, help=what)
        command.add_argument("request_id", metavar="ID", help="the event's request id")
        if name == "answer":
            command.add_argument("value", metavar="VALUE", help="the answer, as typed in a form")
            command.add_argument("--comment", help="a comment recorded with the answer")
        command.add_argument("--store", help=store_help)
        command.add_argument("--json", action="store_true", help="print the status as JSON")
        command.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    code: int = args.run(args)
    return code
