"""The hitl command.

    hitl serve                  run the web app standalone
    hitl demo                   ask one question on the embedded defaults
    hitl show ID                where an event stands
    hitl answer ID VALUE        answer an event, as its form would
    hitl cancel ID              cancel a pending event

show, answer and cancel work on the store (HITL_STORE or --store) and apply
the same rules as the app; --json prints what GET /status returns.
"""

from __future__ import annotations

import argparse
import getpass
import importlib.metadata
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from hitl_core.config import DEFAULT_PORT, Settings, default_store_url
from hitl_core.documents import utc_now
from hitl_core.errors import AlreadyAnswered, HitlError
from hitl_core.identity import is_valid_request_id
from hitl_core.status import describe

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

    run_forever(settings, on_ready=announce)
    return 0


def _version() -> str:
    try:
        return importlib.metadata.version("hitl-events")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        return "(not installed)"


def _local_user() -> str | None:
    """Who runs the command, as the system names them (recorded as who answered)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this user id (a bare container)
        return None


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


def _on_store(args: argparse.Namespace, act: Callable[[Any], dict[str, Any] | None]) -> int:
    """Run act(store) on the store the arguments name, then show the event."""
    from hitl_sync import _operations
    from hitl_sync._store import open_store

    if not is_valid_request_id(args.request_id):
        print(f"hitl: {args.request_id!r} is not a request id", file=sys.stderr)
        return 2
    settings = Settings.resolve(store=args.store)
    try:
        store = open_store(settings.store, s3_endpoint_url=settings.s3_endpoint_url)
        act(store)
        event, outcome = _operations.look(store, args.request_id)
    except AlreadyAnswered as exc:
        print(f"hitl: {exc} (value: {json.dumps(exc.value)})", file=sys.stderr)
        return 1
    except HitlError as exc:
        print(f"hitl: {exc}", file=sys.stderr)
        return 1
    shown = describe(
        event,
        outcome,
        now=utc_now(),
        response_path=store.outcome_location(args.request_id),
    )
    if args.json:
        print(json.dumps(shown, indent=2))
    else:
        print(f"{shown['request_id']}: {shown['status']}")
        print(f"  question: {shown['prompt']}")
        print(f"  type:     {shown['data_type']}")
        if "value" in shown and shown["status"] == "answered":
            print(f"  answer:   {json.dumps(shown['value'])}")
            who = f" by {shown['by']}" if shown.get("by") else ""
            print(f"  given:    {shown['answered_at']} via {shown['via']}{who}")
            if shown.get("comment"):
                print(f"  comment:  {shown['comment']}")
        print(f"  expires:  {shown['expires_at']}")
    return 0


def _show(args: argparse.Namespace) -> int:
    return _on_store(args, lambda store: None)


def _answer(args: argparse.Namespace) -> int:
    from hitl_sync import _operations

    return _on_store(
        args,
        lambda store: _operations.answer(
            store, args.request_id, args.value, via="cli", by=_local_user(), comment=args.comment
        ),
    )


def _cancel(args: argparse.Namespace) -> int:
    from hitl_sync import _operations

    return _on_store(args, lambda store: _operations.cancel(store, args.request_id, via="cli"))


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
    serve.set_defaults(run=_serve)

    demo = commands.add_parser("demo", help="ask one question on the embedded defaults")
    demo.add_argument("--type", choices=sorted(_DEMO_TYPES), default="bool", help="answer type")
    demo.add_argument("--prompt", default="Do you approve this deployment?", help="the question")
    demo.add_argument("--timeout", type=float, default=3600, help="seconds to wait")
    demo.add_argument("--key", help="name the request explicitly (re-run to re-attach)")
    demo.add_argument("--store", help=store_help)
    demo.set_defaults(run=_demo)

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
