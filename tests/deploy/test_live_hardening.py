"""The real server (`streamlit run app.py`, st.App with its middleware) as an outsider sees it:
security headers on its own responses, no /_stcore/metrics, no evidence without a session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "live-hardening-test-Zq81xK2mW9pL4vB7nC3"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("live")
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{folder / 'app.db'}",
        DEMO_MODE="0",
        SECRET_KEY=SECRET,
    )
    subprocess.run([sys.executable, "-m", "db", "init"], cwd=ROOT, env=env, check=True)
    port = _free_port()
    log = open(folder / "server.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if _get(url + "/healthz")[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.3)
    else:
        process.terminate()
        raise RuntimeError("server did not start: " + (folder / "server.log").read_text())
    yield url
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/healthz", "/evidence/1"])
def test_own_responses_carry_security_headers(server: str, path: str) -> None:
    _status, headers, _body = _get(server + path)
    lower = {k.lower(): v for k, v in headers.items()}
    assert lower["x-content-type-options"] == "nosniff"
    assert lower["referrer-policy"] == "same-origin"
    assert lower["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in lower["content-security-policy"]


@pytest.mark.parametrize(
    "path",
    ["/_stcore/metrics", "/_stcore/metrics/", "/_stcore//metrics", "/_stcore/metrics?families=x"],
)
def test_metrics_are_not_served(server: str, path: str) -> None:
    status, _headers, body = _get(server + path)
    assert status == 404
    assert b"session" not in body.lower()


def test_evidence_needs_a_session(server: str) -> None:
    status, headers, _body = _get(server + "/evidence/1")
    assert status == 403
    assert "attachment" not in {k.lower(): v for k, v in headers.items()}.get(
        "content-disposition", ""
    )


def test_media_files_need_a_session(server: str) -> None:
    """Streamlit's /media/ (download buttons) answers nobody without a session, not even 404."""
    status, _headers, _body = _get(server + "/media/0123456789abcdef.xlsx")
    assert status == 403
