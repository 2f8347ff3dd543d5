"""The link line is visible by default in any program, once, and never where silenced."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

from hitl_core.links import Link, html_card

LINK = Link(
    name="approve <deploy>",
    prompt='Ship "v2" & <script>alert(1)</script>?',
    type_name="bool",
    request_id="approve-0123456789abcdef01234567",
    form_url="http://127.0.0.1:1/form/approve-0123456789abcdef01234567?token=t&x=<y>",
    api_url="http://127.0.0.1:1/submit/json?token=t",
)


def stderr_of(program: str, link: Link = LINK) -> str:
    code = textwrap.dedent(
        f"""
        from hitl_core.links import Link, announce_in_log
        link = Link(**{link.__dict__!r})
        {program}
        announce_in_log(link)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stderr


def test_a_program_that_configured_no_logging_shows_the_link() -> None:
    shown = stderr_of("pass")
    assert shown.count(LINK.form_url) == 1
    assert "hitl: question 'approve <deploy>' (bool) waits for an answer at http" in shown


def test_a_question_asked_before_says_where_it_stands() -> None:
    again = dataclasses.replace(LINK, asked_before=True)
    assert "(bool), asked before, waits for an answer at http" in stderr_of("pass", again)
    answered = dataclasses.replace(again, state="answered")
    assert "(bool), asked before, is answered at http" in stderr_of("pass", answered)


def test_configured_logging_shows_it_once_even_at_warning_level() -> None:
    shown = stderr_of("import logging; logging.basicConfig(level=logging.WARNING)")
    assert shown.count(LINK.form_url) == 1
    assert shown.startswith("INFO:hitl.links:")


def test_the_link_logger_can_be_silenced() -> None:
    silenced = "import logging; logging.getLogger('hitl.links').setLevel(logging.WARNING)"
    assert stderr_of(silenced) == ""


def test_the_card_escapes_everything_it_shows() -> None:
    card = html_card(LINK)
    assert "<script>" not in card
    assert "&lt;script&gt;" in card and "&quot;v2&quot; &amp;" in card
    assert 'href="http://127.0.0.1:1/form/' in card and "x=&lt;y&gt;" in card
