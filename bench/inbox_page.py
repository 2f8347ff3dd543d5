"""What a page of an inbox costs as the store grows: document reads and time.

Events are written straight into a local store on a temporary folder (in
/dev/shm when there is one), a third of them answered; each size adds to the
last. For each size the operator's first and last pending pages and a
respondent's first page are fetched through the app's test client, with the
store's reads counted. A page's reads should not grow with the store; its time
grows only with the listing of names.

    python bench/inbox_page.py [--sizes 100,1000,10000] [--per-page 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from typing import Any

OPERATOR_KEY = "bench-operator-key"


async def measure(sizes: list[int], per_page: int, folder: str) -> None:
    from hitl_async import _operations
    from hitl_async._store import open_store
    from hitl_core import codec, documents, identity
    from hitl_web import create_app

    store = open_store(folder)
    secret = await store.secret()
    app = create_app(folder, api_key=OPERATOR_KEY)
    client = app.test_client()
    described = codec.describe(int).describe()
    reads = 0
    real_read = store.backend.read

    def counted(path: str) -> bytes | None:
        nonlocal reads
        reads += 1
        return real_read(path)

    async def page(query: dict[str, Any]) -> tuple[int, float, int]:
        nonlocal reads
        reads = 0
        started = time.perf_counter()
        response = await client.get("/inbox", query_string=query, headers=accept)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, await response.get_data(as_text=True)
        return reads, elapsed, len((await response.get_json())["events"])

    accept = {"Accept": "application/json"}
    made = 0
    print(f"per page: {per_page}; reads = documents read for one page")
    print(f"{'events':>8} {'first page':>22} {'last page':>22} {'a respondent':>22}")
    for size in sizes:
        while made < size:
            request_id = identity.derive_request_id(
                "q", run_id="bench", scope="run", occurrence=made
            )
            token = identity.event_token(secret, request_id)
            await store.create_event(
                documents.event_document(
                    request_id=request_id,
                    name="q",
                    scope="run",
                    run_id="bench",
                    prompt=f"Question {made}?",
                    type_description=described,
                    token_hash=identity.hash_token(token),
                    timeout_seconds=3600,
                    now=documents.utc_now(),
                    respondents=("dana",) if made % 10 == 0 else (),
                )
            )
            if made % 3 == 0:
                await _operations.answer(store, request_id, 1, via="api")
            made += 1
        store.backend.read = counted  # type: ignore[method-assign]
        pending = size - (size + 2) // 3
        last = max(1, -(-pending // per_page))
        operator = {"token": OPERATOR_KEY, "per_page": per_page}
        rows = [
            await page(operator),
            await page({**operator, "page": last}),
            await page({"token": identity.inbox_token(secret, "dana"), "per_page": per_page}),
        ]
        store.backend.read = real_read  # type: ignore[method-assign]
        shown = [f"{r:>4} reads {ms:7.1f} ms ({n:>2})" for r, ms, n in rows]
        print(f"{size:>8} " + " ".join(f"{cell:>22}" for cell in shown))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="store sizes, ascending")
    parser.add_argument("--per-page", type=int, default=50, help="events per page")
    args = parser.parse_args()
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=base) as folder:
        sizes = [int(size) for size in args.sizes.split(",")]
        asyncio.run(measure(sizes, args.per_page, folder))


if __name__ == "__main__":
    main()
