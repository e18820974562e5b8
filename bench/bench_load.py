"""Load run: N simulated sessions against one app process, then two behind nginx (loopback).

Run: ``python bench/bench_load.py [--sessions 10,30,60] [--duration 20] [--orgs 300]``.

Each simulated session logs in through POST /session/login (the real cookie), opens Streamlit's
websocket (/_stcore/stream) exactly as the browser does, and asks for a rerun of its page
every ``--think`` seconds (±50 %), like a user clicking; a rerun ends when the server sends
``script_finished``. A websocket client rather than one Chromium tab per session keeps the
load generator cheap, so the figures measure the server, not the browser on the same machine.

Roles are mixed: leaders and reviewers on the city pages (rankings / dashboard: the shared
read model), branch secretaries on their star page. With ``--write-every S`` the change counter
is bumped every S seconds, as if someone saved, so every process recomputes its cached
city frame (the submission-week pattern).

Reported per scenario and level: reruns per second, latency p50 / p95 / max, errors
(exceptions on the page, failed runs, timeouts, dropped connections) and the CPU use of each
app process. Creates a throwaway PostgreSQL database (from --admin-url, default
$TEST_DATABASE_URL), or uses --database-url as is. Loopback only; always exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from benchlib import free_port

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-load-secret-" + "k" * 32
PASSWORD = "demo123456"  # db.seed.DEMO_PASSWORD
RERUN_TIMEOUT = 30.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- setup ---------------------------------------------------------------------------------


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="10,30,60", help="comma-separated levels")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per level")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between reruns")
    parser.add_argument("--orgs", type=int, default=300, help="organisations to seed")
    parser.add_argument("--write-every", type=float, default=0.0, help="bump the change counter")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("TEST_DATABASE_URL")
        or "postgresql://postgres@127.0.0.1:5432/postgres",
    )
    parser.add_argument("--database-url", default="", help="use this (seeded) database as is")
    parser.add_argument("--scenarios", default="one,two", help="one = 1 process; two = 2 + nginx")
    return parser.parse_args()


def _wait_http(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def _app_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DEMO_MODE": "0",
            "SECRET_KEY": SECRET,
            "STREAMLIT_SERVER_COOKIE_SECRET": SECRET,
            "LOGIN_MAX_FAILURES": "100",
            # Every simulated browser logs in from 127.0.0.1 within seconds.
            "LOGIN_RATE_PER_ADDRESS": "10000",
            "LOGIN_RATE_PER_ACCOUNT": "10000",
        }
    )
    return env


class App:
    """One `streamlit run app.py` process on a loopback port."""

    def __init__(self, database_url: str, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_dir / f"app-{self.port}.log", "w")  # noqa: SIM115 - closed in stop()
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
            ],
            cwd=ROOT,
            env=_app_env(database_url),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        _wait_http(self.url + "/healthz")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class Nginx:
    """nginx on loopback with deploy/nginx.conf, its upstream pointed at the given apps."""

    def __init__(self, apps: list[App], work: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        work.mkdir(mode=0o755, exist_ok=True)
        site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
        # Every simulated session logs in from 127.0.0.1 within seconds: the proxy's login
        # limit (10 a minute per address, then 429) is lifted as the apps' own is (_app_env).
        site = re.sub(r"rate=\d+r/m", "rate=60000r/m", site)
        lines, servers_done = [], False
        for line in site.splitlines():
            stripped = line.strip()
            if stripped.startswith("server app") and ":8501" in stripped:
                if not servers_done:
                    lines += [
                        f"    server 127.0.0.1:{a.port} max_fails=3 fail_timeout=10s;" for a in apps
                    ]
                    servers_done = True
                continue
            lines.append(line.replace("listen 80;", f"listen 127.0.0.1:{self.port};"))
        (work / "site.conf").write_text("\n".join(lines), encoding="utf-8")
        (work / "nginx.conf").write_text(
            f"worker_processes 2;\npid {work}/nginx.pid;\nerror_log {work}/error.log;\n"
            "events { worker_connections 4096; }\n"
            f"http {{\n access_log off;\n client_body_temp_path {work}/body;\n"
            f" proxy_temp_path {work}/proxy;\n fastcgi_temp_path {work}/fcgi;\n"
            f" uwsgi_temp_path {work}/uwsgi;\n scgi_temp_path {work}/scgi;\n"
            f" include {work}/site.conf;\n}}\n",
            encoding="utf-8",
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen(
            [nginx, "-c", str(work / "nginx.conf"), "-p", str(work), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        _wait_http(self.url + "/healthz")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _prepare_database(args: argparse.Namespace) -> tuple[str, Callable[[], None]]:
    """A seeded database URL and a function that removes it afterwards."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from db.engine import make_engine

    if args.database_url:
        return args.database_url, lambda: None
    name = f"wx_load_{uuid.uuid4().hex[:10]}"
    admin = make_engine(args.admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.admin_url).set(database=name).render_as_string(hide_password=False)
    year = time.localtime().tm_year
    code = (
        "from db import migrate; from db.engine import get_engine; "
        "from db.seed import CityPlan, seed_city; migrate.upgrade(get_engine()); "
        f"seed_city(CityPlan(orgs={args.orgs}, first_year={year - 2}, last_year={year}, "
        "demo_users=True))"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_app_env(url), check=True)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def _pages_by_user() -> dict[str, str]:
    """Which page each demo account exercises (a city page for city roles)."""
    from permissions import allowed_roles
    from ui.navigation import PAGES

    by_path = {p.url_path: p for p in PAGES}

    def first(role: str, preferred: tuple[str, ...]) -> str:
        for path in preferred:
            if path in by_path and role in allowed_roles(by_path[path].action):
                return path
        return next(p.url_path for p in PAGES if role in p.default_for)

    return {
        "leader": first("leader", ("rankings", "dashboard")),
        "reviewer": first("reviewer", ("review", "dashboard")),
        "branch01": first("branch", ("learning", "overview")),
        "branch02": first("branch", ("standard", "overview")),
    }


# --- the simulated sessions ----------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


def login_cookie(base: str, username: str) -> str:
    """The Cookie header value after a real form login."""
    opener = urllib.request.build_opener(_NoRedirect)
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD}).encode()
    request = urllib.request.Request(base + "/session/login", data=body, headers={"Origin": base})
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as exc:
        if exc.code == 303 and exc.headers.get("set-cookie"):
            return str(exc.headers["set-cookie"]).split(";", 1)[0]
        raise
    raise RuntimeError(f"login of {username} did not set a cookie")


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    first_runs: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def _rerun(ws: ClientConnection, page: str, stats: Stats) -> float | None:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = BackMsg()
    msg.rerun_script.page_name = page
    msg.rerun_script.query_string = ""
    start = time.perf_counter()
    await ws.send(msg.SerializeToString())
    failed = False
    while True:
        raw = await asyncio.wait_for(ws.recv(), RERUN_TIMEOUT)
        fwd = ForwardMsg()
        fwd.ParseFromString(raw)
        kind = fwd.WhichOneof("type")
        if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            if fwd.delta.new_element.WhichOneof("type") == "exception":
                failed = True
        elif kind == "page_not_found":
            failed = True
        elif kind == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(fwd.script_finished)
            if status == "FINISHED_EARLY_FOR_RERUN":
                continue
            if failed or status != "FINISHED_SUCCESSFULLY":
                stats.error("page error")
                return None
            return time.perf_counter() - start


async def _session(
    base: str,
    cookie: str,
    page: str,
    stop_at: float,
    think: float,
    stats: Stats,
    counting: asyncio.Event,
) -> None:
    import websockets
    from websockets.typing import Subprotocol

    ws_url = "ws" + base.removeprefix("http") + "/_stcore/stream"
    try:
        async with websockets.connect(
            ws_url,
            subprotocols=[Subprotocol("streamlit")],
            max_size=None,
            open_timeout=RERUN_TIMEOUT,
            additional_headers={"Cookie": cookie, "Origin": base},
        ) as ws:
            first = await _rerun(ws, page, stats)
            if first is not None:
                stats.first_runs.append(first)
            while time.perf_counter() < stop_at:
                await asyncio.sleep(random.uniform(0.5 * think, 1.5 * think))
                if time.perf_counter() >= stop_at:
                    break
                latency = await _rerun(ws, page, stats)
                if latency is not None and counting.is_set():
                    stats.latencies.append(latency)
    except TimeoutError:
        stats.error("timeout")
    except Exception as exc:  # a dropped or refused connection
        stats.error(type(exc).__name__)


async def _level(
    base: str, cookies: list[tuple[str, str]], duration: float, think: float
) -> tuple[Stats, float]:
    stats = Stats()
    counting = asyncio.Event()
    # Sessions join over 2 s (not all at the same millisecond); counting starts once all did.
    ramp = 2.0
    stop_at = time.perf_counter() + ramp + duration
    tasks = []
    for cookie, page in cookies:
        tasks.append(
            asyncio.create_task(_session(base, cookie, page, stop_at, think, stats, counting))
        )
        await asyncio.sleep(ramp / max(1, len(cookies)))
    counting.set()
    started = time.perf_counter()
    await asyncio.gather(*tasks)
    return stats, max(1e-9, min(time.perf_counter(), stop_at) - started)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _bumper(database_url: str, every: float, stop: threading.Event) -> None:
    from sqlalchemy import text

    from db.engine import make_engine

    engine = make_engine(database_url)
    while not stop.wait(every):
        with engine.begin() as conn:
            conn.execute(text("UPDATE change_counter SET value = value + 1"))
    engine.dispose()


def _run_scenario(
    name: str,
    base: str,
    apps: list[App],
    levels: list[int],
    args: argparse.Namespace,
    database_url: str,
) -> list[str]:
    pages = _pages_by_user()
    users = list(pages)
    lines = []
    # Log in once per simulated session (argon2 at the server; not part of the timing).
    max_level = max(levels)
    cookies = [
        (login_cookie(base, users[i % len(users)]), pages[users[i % len(users)]])
        for i in range(max_level)
    ]
    # Warm every process (first run imports pages and fills the per-process caches).
    for cookie, page in cookies[: 2 * len(users)]:
        asyncio.run(_level(base, [(cookie, page)], 0.1, 0.1))
    for n in levels:
        stop = threading.Event()
        bumper = None
        if args.write_every > 0:
            bumper = threading.Thread(
                target=_bumper, args=(database_url, args.write_every, stop), daemon=True
            )
            bumper.start()
        cpu_before = [a.cpu_seconds() for a in apps]
        stats, elapsed = asyncio.run(_level(base, cookies[:n], args.duration, args.think))
        cpu = [(a.cpu_seconds() - b) / elapsed * 100 for a, b in zip(apps, cpu_before, strict=True)]
        stop.set()
        if bumper:
            bumper.join()
        lat = stats.latencies
        errors = sum(stats.errors.values())
        line = (
            f"{name:<26} {n:>4} sessions  {len(lat) / elapsed:7.1f} reruns/s  "
            f"p50 {_percentile(lat, 0.5) * 1000:6.0f} ms  "
            f"p95 {_percentile(lat, 0.95) * 1000:6.0f} ms"
            f"  max {max(lat, default=float('nan')) * 1000:6.0f} ms  "
            f"first-load p95 {_percentile(stats.first_runs, 0.95) * 1000:6.0f} ms  "
            f"errors {errors}{' ' + str(stats.errors) if errors else ''}  "
            f"CPU {' + '.join(f'{c:.0f}%' for c in cpu)}  "
            f"RSS {' + '.join(f'{a.rss_mb():.0f}' for a in apps)} MB"
        )
        print(line, flush=True)
        lines.append(line)
    return lines


def main() -> int:
    args = _parse()
    levels = [int(x) for x in args.sessions.split(",") if x.strip()]
    scenarios = [s.strip() for s in args.scenarios.split(",")]
    database_url, drop = _prepare_database(args)
    pages = _pages_by_user()
    print(
        f"pages: {pages}; think {args.think:.1f} s ±50 %, {args.duration:.0f} s per level, "
        f"write every {args.write_every or '—'} s; {os.cpu_count()} CPUs"
    )
    work = Path(tempfile.mkdtemp(prefix="wx-load-"))
    work.chmod(0o755)
    apps: list[App] = []
    proxy: Nginx | None = None
    summary: list[str] = []
    try:
        if "one" in scenarios:
            apps = [App(database_url, work)]
            summary += _run_scenario(
                "1 process (direct)", apps[0].url, apps, levels, args, database_url
            )
            for app in apps:
                app.stop()
            apps = []
        if "two" in scenarios:
            apps = [App(database_url, work), App(database_url, work)]
            if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
                proxy = Nginx(apps, work / "nginx")
                summary += _run_scenario(
                    "2 processes (nginx)", proxy.url, apps, levels, args, database_url
                )
            else:
                print("nginx not installed (apt-get install nginx): skipping the proxy scenario")
    finally:
        if proxy:
            proxy.stop()
        for app in apps:
            app.stop()
        drop()
    print("\nsummary")
    print("\n".join(summary))
    print(f"(logs in {work})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
