"""A flytekit workflow as its users write it, run locally, twice in one process.

    python flytekit_flow.py MODE      (MODE "plain" or "quiet": show=False)

Each line "RESULT {json}" on stdout reports what a task saw.
"""

from __future__ import annotations

import json
import sys

import flytekit
from flytekit import task, workflow

import hitl_sync as hitl

MODE = sys.argv[1]


def emit(**facts: object) -> None:
    print("RESULT " + json.dumps(facts), flush=True)


@task(enable_deck=True)
def ask(fruit: str) -> int:
    event = hitl.new_event(fruit, data_type=int, prompt=f"How many {fruit}?", show=MODE != "quiet")
    decks = [deck.html for deck in flytekit.current_context().decks if deck.name == "Human input"]
    emit(
        task="ask",
        fruit=fruit,
        request_id=event.request_id,
        api_url=event.api_url,
        in_deck=any(event.form_url.replace("&", "&amp;") in html for html in decks),
        decks=len(decks),
    )
    return event.wait()


@workflow
def count(fruit: str) -> int:
    return ask(fruit=fruit)


if __name__ == "__main__":
    emit(run=1, outputs=count(fruit="apples"))
    emit(run=2, outputs=count(fruit="apples"))
