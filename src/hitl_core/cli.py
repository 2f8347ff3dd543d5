"""The hitl command: serve the app, or try it with a demo event."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from .config import DEFAULT_PORT, Settings, default_store_url

_DEMO_TYPES = {"bool": bool, "int": int, "float": float, "str": str}


def _serve(args: argparse.Namespace) -> int:
    from .server import run_forever

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


def _demo(args: argparse.Namespace) -> int:
    import hitl_sync as hitl

    event: hitl.Event[Any] = hitl.new_event(
        "demo",
        data_type=_DEMO_TYPES[args.type],
        prompt=args.prompt,
        timeout_seconds=args.timeout,
        poll_interval_seconds=0.5,
        key=args.key,
        store=args.store,
    )
    body = json.dumps({"request_id": event.request_id, "value": "..."})
    print(f"Answer in a browser:  {event.form_url}")
    print(f"or with the JSON API: curl -X POST '{event.api_url}' -d '{body}'")
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hitl", description="Pause programs until a person answers a typed question."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web app standalone")
    serve.add_argument("--store", help=f"store URL or directory (default: {default_store_url()})")
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
    demo.add_argument("--type", choices=sorted(_DEMO_TYPES), default="bool")
    demo.add_argument("--prompt", default="Do you approve this deployment?")
    demo.add_argument("--timeout", type=float, default=3600, help="seconds to wait")
    demo.add_argument("--key", help="name the request explicitly (re-run to re-attach)")
    demo.add_argument("--store", help="store URL or directory")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
