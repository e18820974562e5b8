"""Browser tests: `streamlit run app.py` on a temporary demo database, driven by headless Chromium.

Debian's Chromium is used (browsers cannot be downloaded here): `apt-get install chromium`.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server did not answer {url} within {timeout}s")


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DEMO_MODE": "1",
            "SECRET_KEY": "e2e-secret-" + "y" * 32,
            "REFRESH_SECONDS": "3",
            # One address logs in as the same few users again and again across the e2e files;
            # the rate limits themselves are tested in tests/web.
            "LOGIN_RATE_PER_ADDRESS": "10000",
            "LOGIN_RATE_PER_ACCOUNT": "10000",
        }
    )
    env.update(extra)
    return env


class LiveServer:
    """A running `streamlit run app.py` process."""

    def __init__(self, database_url: str, log_path: Path, **env: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = app_env(database_url, **env)
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        _wait_http(self.url + "/healthz")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def prepare_demo_database(database_url: str) -> None:
    """Migrate and load the demo city before the server starts (so page loads stay quick)."""
    run_against(database_url, "from db.bootstrap import prepare_database\nprepare_database()")


def run_against(database_url: str, code: str) -> None:
    """Run Python code in this process against `database_url` in demo mode, as the app will
    (a subprocess would spend seconds importing what is imported here)."""
    from db.engine import dispose_engines
    from settings import get_settings
    from tests.conftest import _use

    with pytest.MonkeyPatch.context() as mp:
        _use(database_url, mp, demo=True)
        try:
            exec(compile(code, "<before_start>", "exec"), {})
        finally:
            dispose_engines()
    get_settings.cache_clear()


_TEMPLATES: dict[Path, Path] = {}


def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database prepared once per test run and worker, copied for each app."""
    base = tmp_path_factory.getbasetemp()
    if base not in _TEMPLATES:
        path = tmp_path_factory.mktemp("demo-template") / "app.db"
        prepare_demo_database(f"sqlite:///{path}")
        _TEMPLATES[base] = path
    return _TEMPLATES[base]


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (whatever its journal holds)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium`")
    return CHROMIUM


@contextmanager
def demo_server(
    tmp_path_factory: pytest.TempPathFactory, name: str, *, before_start: str = "", **env: str
) -> Iterator[LiveServer]:
    """A freshly started app on its own new demo SQLite database (a copy of one prepared once).

    before_start: Python code run against that database before the start.
    """
    folder = tmp_path_factory.mktemp(name)
    url = f"sqlite:///{folder / 'app.db'}"
    _copy_sqlite(_demo_template(tmp_path_factory), folder / "app.db")
    if before_start:
        run_against(url, before_start)
    server = LiveServer(url, folder / "server.log", **env)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: str
) -> Iterator[LiveServer]:
    """The app on a fresh demo SQLite database, shared by the browser tests of this run."""
    with demo_server(tmp_path_factory, "e2e") as server:
        yield server


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # No GPU process: without a GPU, Chromium emulates one in software (SwiftShader), which
        # cost the every-page walk ~15 % more CPU than drawing without it; pages look the same.
        browser = pw.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _close_contexts(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close the browser contexts a test leaves open (one that failed half-way, say): an open
    page of a self-refreshing screen would keep its server and Chromium busy for the rest of
    the run."""
    browser = request.getfixturevalue("browser") if "browser" in request.fixturenames else None
    yield
    if browser is not None:
        for context in list(browser.contexts):
            context.close()


@pytest.fixture
def shots(output_dir: Path, request: pytest.FixtureRequest):
    """shots(page, "step") saves test-output/<test name>/<nn>-step.png (an earlier run's
    screenshots of the test are removed first: a page no longer visited leaves none behind)."""
    folder = output_dir / request.node.name.replace("/", "_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    counter = {"n": 0}

    def take(page, name: str) -> Path:
        counter["n"] += 1
        path = folder / f"{counter['n']:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
