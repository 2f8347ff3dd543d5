"""What a person does in a browser: fill a form of fields, see errors beside them, approve
and reject, read the answer back. JavaScript is off throughout."""

from __future__ import annotations

import concurrent.futures
import datetime
import enum
from typing import Any, Literal

import pydantic

import hitl_sync as hitl


def answer_of(event: hitl.Event[Any]) -> Any:
    """event.wait(), off this thread: Playwright's sync API runs an event loop here, which a
    blocking wait would hold up (and hitl says so)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(event.wait).result(timeout=60)


class Size(enum.Enum):
    SMALL = "small"
    LARGE = "large"


class Target(pydantic.BaseModel):
    region: Literal["eu", "us"]
    zones: int = 2


class Release(pydantic.BaseModel):
    version: str = pydantic.Field(description="as tagged in git")
    replicas: int = pydantic.Field(default=3, ge=1, le=50)
    canary: bool = False
    size: Size
    starts: datetime.date
    target: Target
    ports: list[int] = [8080]


def test_a_person_fills_a_form_of_fields(page: Any) -> None:
    event = hitl.new_event("release", data_type=Release, prompt="Roll out **which** release?")
    page.goto(event.form_url)
    assert page.locator(".prompt strong").inner_text() == "which"
    assert page.locator("#f-replicas").input_value() == "3"  # the default, shown
    assert page.locator("#f-size").input_value() == ""  # nothing chosen for the person
    page.fill("#f-version", "2.3.1")
    page.check("#f-canary")
    page.select_option("#f-size", label="large")
    page.fill("#f-starts", "2026-12-01")
    page.select_option("#f-target-region", label="us")
    page.fill("#f-ports", "80\n443")
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Thank you"
    assert answer_of(event) == Release(
        version="2.3.1",
        canary=True,
        size=Size.LARGE,
        starts=datetime.date(2026, 12, 1),
        target=Target(region="us"),
        ports=[80, 443],
    )


def test_an_error_shows_beside_its_field_and_the_form_keeps_what_was_typed(page: Any) -> None:
    event = hitl.new_event("release", data_type=Release)
    page.goto(event.form_url)
    page.fill("#f-version", "2.3.1")
    page.select_option("#f-size", label="small")
    page.fill("#f-starts", "2026-12-01")
    page.select_option("#f-target-region", label="eu")
    page.fill("#f-ports", "80\nhttps")  # the browser cannot tell: the server does
    page.click("button[type=submit]")
    invalid = page.locator(".field.invalid")
    assert invalid.count() == 1
    assert invalid.locator("textarea").get_attribute("name") == "field.ports"
    assert invalid.locator(".field-error").inner_text() == "a whole number, like 42"
    assert page.locator("#f-version").input_value() == "2.3.1"
    assert page.locator("#f-size").input_value() != ""
    page.fill("#f-ports", "443")
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Thank you"
    assert answer_of(event).ports == [443]


def test_respondents_approve_and_reject_with_a_comment(page: Any) -> None:
    event = hitl.new_event(
        "deploy",
        data_type=hitl.Approval,
        prompt="Deploy **v2.3** to production?",
        respondents=["alice", "bob", "carol"],
        quorum=2,
    )
    page.goto(event.link_for("alice"))
    assert "you are alice" in page.locator("body").inner_text()
    page.fill("#comment", "diff reviewed")
    page.click("button:has-text('Approve')")
    assert "Your vote Approve was recorded" in page.locator("body").inner_text()
    page.goto(event.link_for("alice"))
    assert "You voted Approve" in page.locator("body").inner_text()
    assert page.locator("form").count() == 0
    page.goto(event.form_url)  # the event's own link: it shows, and answers nothing
    assert "Only the people named above may answer" in page.locator("body").inner_text()
    page.goto(event.link_for("bob"))
    page.fill("#comment", "not during the freeze")
    page.click("button:has-text('Reject')")
    assert "Rejected" in page.locator("body").inner_text()
    assert answer_of(event) == hitl.Approval(False, "not during the freeze", ("bob",))


def test_a_yes_no_answer_reads_as_yes_or_no(page: Any) -> None:
    event = hitl.new_event("ship", data_type=bool, prompt="Ship it?")
    page.goto(event.form_url)
    page.check("input[value=false]")
    page.click("button[type=submit]")
    assert "Your answer No was recorded" in page.locator("body").inner_text()
    page.goto(event.form_url)
    assert "Answered: No" in page.locator("body").inner_text()
    assert answer_of(event) is False


def test_the_inbox_links_each_question_to_its_form(page: Any) -> None:
    asked = [
        hitl.new_event(f"q{n}", data_type=int, prompt=f"Question {n}", respondents=["dana"])
        for n in range(3)
    ]
    page.goto(hitl.inbox_url("dana"))
    links = page.locator(".inbox a")
    assert links.all_inner_texts() == ["q2", "q1", "q0"]
    links.first.click()
    page.fill("input[name=value]", "5")
    page.click("button[type=submit]")
    assert answer_of(asked[2]) == 5
    assert asked[2].status().by == "dana"
