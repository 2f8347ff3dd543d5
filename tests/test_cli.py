"""The hitl command: the demo end to end."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from .conftest import Lines
from .servers import MotoServer, start_server, stop_server

HITL = (
    [
        shutil.which("hitl") or "",
    ]
    if shutil.which("hitl")
    else [sys.executable, "-m", "hitl_core.cli"]
)


def test_demo_prints_the_form_url_and_the_answer(isolated_settings: Path) -> None:
    process = subprocess.Popen(
        [*HITL, "demo", "--type", "int", "--prompt", "How many?"],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines = Lines(process.stdout)
    try:
        first = lines.next(timeout=60)
        assert first.startswith("Answer in a browser:  http://127.0.0.1:")
        form_url = first.split()[-1]
        form = httpx.get(form_url, timeout=30)
        assert form.status_code == 200 and "How many?" in form.text
        api_line = lines.next(timeout=30)
        api_url = api_line.split("'")[1]
        request_id = form_url.split("/form/")[1].split("?")[0]
        response = httpx.post(api_url, json={"request_id": request_id, "value": "3"}, timeout=30)
        assert response.status_code == 200
        assert lines.next(timeout=30).startswith("Waiting for an answer")
        assert lines.next(timeout=60) == "Answer: 3\n"
        assert process.wait(60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)
        lines.join()
        assert process.stdout is not None
        process.stdout.close()


def test_serve_rejects_a_bad_port() -> None:
    done = subprocess.run([*HITL, "serve", "--port", "nope"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "invalid int value" in done.stderr


def test_serve_takes_the_s3_endpoint_as_an_option(
    s3_store: str, s3_server: MotoServer, tmp_path: Path
) -> None:
    import hitl_sync as hitl

    event = hitl.new_event("flag", data_type=bool, prompt="Flag?")  # this process: from the env
    served = start_server(
        s3_store,
        log_dir=tmp_path,
        env={"HITL_S3_ENDPOINT_URL": ""},  # the server learns it from the option alone
        args=("--s3-endpoint-url", s3_server.endpoint),
    )
    try:
        token = event.form_url.split("token=", 1)[1]
        form = httpx.get(f"{served.endpoint}/form/{event.request_id}?token={token}", timeout=30)
        assert form.status_code == 200 and "Flag?" in form.text
    finally:
        stop_server(served)
