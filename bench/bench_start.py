"""Benchmark `bash scripts/start.sh` from a fresh checkout: first start, second start, login.

Run: ``python bench/bench_start.py`` (3-5 minutes; prints figures and PASS/FAIL; exit 0).

1. Clones this repository's committed HEAD into a temporary folder (no .venv, no data/), runs
   ``bash scripts/start.sh`` there and times it until Chromium shows the login form: the first
   start, with the install of requirements.txt into a new .venv (pip's download cache, if the
   machine has one, is used as pip always does) and the demo city loaded before the server.
2. Stops the server and starts it again in the same folder: the second start (no reinstall,
   the database is there) until the login form shows.
3. Login -> first page on that demo server: from pressing 登录 until the role's first page is
   drawn, median of BENCH_SAMPLES (3) fresh browser contexts per role.

Every figure is printed with the machine's 1-minute load average beside it: on a shared machine
the figures are inflated by whatever else runs.
Targets (issue 13, on this machine when idle): first start <= 120 s including the install, second
start <= 15 s to a login page, login -> first page <= 1.5 s median.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "3"))
TARGET_FIRST_S = 120.0
TARGET_SECOND_S = 15.0
TARGET_LOGIN_S = 1.5
USERS = {"branch": "branch01", "reviewer": "reviewer", "leader": "leader", "admin": "admin"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def start(
    folder: Path, port: int, log: Path, browser: Browser
) -> tuple[subprocess.Popen[bytes], float]:
    """Run start.sh in `folder`; seconds until Chromium shows the login form."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "SECRET_KEY", "VIRTUAL_ENV"):
        env.pop(name, None)
    env["LOGIN_RATE_PER_ADDRESS"] = "10000"
    env["LOGIN_RATE_PER_ACCOUNT"] = "10000"
    started = time.perf_counter()
    proc = subprocess.Popen(
        ["bash", "scripts/start.sh", "--server.port", str(port), "--server.headless", "true"],
        cwd=folder,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"start.sh ended with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    page = browser.new_context().new_page()
    page.goto(url + "/")
    page.get_by_label("用户名").wait_for(timeout=120_000)
    elapsed = time.perf_counter() - started
    page.context.close()
    return proc, elapsed


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main() -> int:
    import bench_pages
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        return 0
    work = Path(tempfile.mkdtemp(prefix="bench_start_"))
    checkout = work / "app"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(checkout)], check=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
            print(f"fresh checkout of {ROOT} in {checkout}; {os.cpu_count()} CPUs; {_load()}")
            proc, first = start(checkout, port, work / "first.log", browser)
            steps = [
                line.strip()
                for line in (work / "first.log").read_text().splitlines()
                if line.startswith("【3/3】")
            ]
            print(
                f"first start (install + database + demo) to login form: {first:.1f} s  "
                f"target <= {TARGET_FIRST_S:.0f} s  {bench_pages.verdict(first <= TARGET_FIRST_S)}"
                f"  ({_load()}; start.sh said: {steps[0] if steps else '-'})"
            )
            stop(proc)
            proc, second = start(checkout, port, work / "second.log", browser)
            print(
                f"second start to login form: {second:.1f} s  target <= {TARGET_SECOND_S:.0f} s  "
                f"{bench_pages.verdict(second <= TARGET_SECOND_S)}  ({_load()})"
            )
            try:
                for role, username in USERS.items():
                    times = []
                    for _ in range(SAMPLES):
                        context = browser.new_context(viewport={"width": 1500, "height": 1000})
                        times.append(bench_pages.login(context, url, username))
                        context.close()
                    median = statistics.median(times)
                    print(
                        f"login -> first page ({role:<8}): {median:.2f} s  samples "
                        f"{', '.join(f'{t:.2f}' for t in times)}  target <= {TARGET_LOGIN_S} s  "
                        f"{bench_pages.verdict(median <= TARGET_LOGIN_S)}  ({_load()})"
                    )
            finally:
                stop(proc)
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
