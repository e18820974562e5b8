"""Benchmark every page of every role on a 2,000-organisation city in headless Chromium.

Run: ``python bench/bench_pages.py`` (about 10 minutes; prints figures and PASS/FAIL; exit 0).
``BENCH_ORGS`` (2000) and ``BENCH_SAMPLES`` (3) change the city and the samples per figure;
``BENCH_PAGES=0`` skips step 3 (the page sweep, most of the run).

1. Seeds a temporary SQLite database: ``python -m db seed --orgs 2000 --years 2024-2026
   --demo-users``, then starts ``streamlit run app.py`` on it.
2. Login: for each role, the time from pressing 登录 until the role's first page is drawn
   (median of BENCH_SAMPLES fresh browser contexts).
3. First load of every page of every role (branch01, reviewer, leader, admin): the time from
   navigation in a fresh tab (a new Streamlit session) until the run has finished and the page's
   title is shown; 实时排名 also until its grid has painted more than ten rows (the hidden
   accessible table Streamlit's grid fills about 0.3 s later is printed for reference). Each
   page is visited once first (the shared caches of the process are warm, as on a server in
   use). The baseline is the lightest page of the same run; every page is reported as a ratio
   to it.
4. On a loaded 实时排名 page, the time from picking a region in the filter until the table
   and its count show the filtered rows (median of 5).
5. Opens 20 leader sessions on 实时排名 and reads the server's resident memory (VmRSS).

Targets: login <= 1.5 s; every page <= 2x the lightest, 实时排名 <= 1.5x; filter change <= 0.3 s
median; memory <= 1 GB.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

import benchlib

ROOT = benchlib.ROOT
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ORGS = int(os.environ.get("BENCH_ORGS", "2000"))
YEARS = "2024-2026"
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "3"))
FILTER_SAMPLES = 5
SESSIONS = 20
PASSWORD = "demo123456"
# Rows of the ranking grid drawn: Streamlit's grid (glide-data-grid) paints its rows on a
# canvas; the hidden accessible <table> it mirrors them into follows ~0.3 s later whatever the
# data (a debounce), so the canvas is what the user sees. A row is a band of canvas lines with
# dark text pixels (grid lines are light grey); the header has a canvas of its own.
# The probe runs on every animation frame while the page loads, on the page's own main thread:
# it reads only a strip a third of the way in (the star columns, dark text in every row; the
# pinned 名次 and 组织名称 draw in a lighter grey than the threshold) and stops at eleven
# bands. Reading the whole 1,038 x 558 canvas cost ~10 ms a frame, time taken from the grid it
# was timing (0.22 s from title to rows painted, 13 probes).
PROBE_WIDTH = 160
ROWS_PAINTED_JS = f"""() => {{
  for (const c of document.querySelectorAll('[data-testid="stDataFrame"] canvas')) {{
    if (c.width < 100 || c.height < 200) continue;
    const w = Math.min(c.width, {PROBE_WIDTH}), x = Math.floor((c.width - w) / 3);
    const d = c.getContext('2d').getImageData(x, 0, w, c.height).data;
    let bands = 0, inside = false;
    for (let y = 0; y < c.height; y++) {{
      let dark = 0;
      for (let i = y * w * 4; i < (y + 1) * w * 4; i += 4)
        if (d[i] < 120 && d[i + 3] > 200) dark++;
      if (dark > 3 && !inside && ++bands > 10) return bands;
      inside = dark > 3;
    }}
    return bands;
  }}
  return 0; }}"""
TABLE_ROWS_JS = """() => { const t = document.querySelector('[data-testid="stDataFrame"] table');
                          return t ? t.rows.length : 0; }"""
TARGET_LOAD_RATIO = 2.0
CAPTION_JS = """() => {
  for (const el of document.querySelectorAll('[data-testid="stCaptionContainer"]'))
    { if (el.innerText.startsWith('显示 ')) return el.innerText; }
  return ''; }"""
TARGET_RANKINGS_RATIO = 1.5
TARGET_FILTER_S = 0.3
TARGET_LOGIN_S = 1.5
TARGET_MEMORY_MB = 1024
USERS = {"branch": "branch01", "reviewer": "reviewer", "leader": "leader", "admin": "admin"}
# A finished run of a connected app whose main area shows the page's title.
PAGE_DRAWN_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app && app.dataset.testConnectionState === 'CONNECTED'
    && app.dataset.testScriptState === 'notRunning'
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && !!document.querySelector('[data-testid="stMain"] h1');
}"""


def _env(db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": db_url,
            "DEMO_MODE": "0",
            "SECRET_KEY": "bench-secret-" + "z" * 40,
            "PYTHONUNBUFFERED": "1",
            # Login is timed several times per role from one address within a minute.
            "LOGIN_RATE_PER_ADDRESS": "10000",
            "LOGIN_RATE_PER_ACCOUNT": "10000",
        }
    )
    return env


def seed(db_url: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "db", "seed", "--orgs", str(ORGS), "--years", YEARS, "--demo-users"],
        cwd=ROOT,
        env=_env(db_url),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def start_server(db_url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    return benchlib.start_server(_env(db_url), log, timeout=120)


def rss_mb(pid: int) -> float:
    """Resident memory of the process and its children (MB), from /proc."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def login(context: BrowserContext, url: str, username: str) -> float:
    """Log in; seconds from pressing 登录 until the role's first page is drawn."""
    page = context.new_page()
    page.goto(url + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    started = time.perf_counter()
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=120_000)
    page_ready(page)
    elapsed = time.perf_counter() - started
    page.close()
    return elapsed


def timed_load(
    context: BrowserContext,
    url: str,
    ready: Callable[[Page], None],
    *,
    then: Callable[[Page], None] | None = None,
) -> tuple[float, float]:
    """Seconds from navigation to `ready(page)` in a fresh tab (a new Streamlit session), and
    to `then(page)` after it when given (else the first figure again)."""
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    ready(page)
    elapsed = time.perf_counter() - started
    if then is not None:
        then(page)
    later = time.perf_counter() - started
    page.close()
    return elapsed, later


def page_ready(page: Page) -> None:
    page.wait_for_function(PAGE_DRAWN_JS, timeout=120_000)


def rankings_ready(page: Page) -> None:
    """The title drawn (the run finished) and more than ten rows painted in the grid."""
    page_ready(page)
    page.wait_for_function(f"() => ({ROWS_PAINTED_JS})() > 10", timeout=120_000)


def ready_for(url_path: str) -> Callable[[Page], None]:
    return rankings_ready if url_path == "rankings" else page_ready


def accessible_rows(page: Page) -> None:
    """The grid's hidden accessible table holds more than ten rows (reported for reference)."""
    page.wait_for_function(f"() => ({TABLE_ROWS_JS})() > 10", timeout=120_000)


def caption_text(page: Page) -> str:
    return str(page.evaluate(CAPTION_JS))


def filter_changes(context: BrowserContext, url: str, regions: list[str]) -> list[float]:
    """Seconds from picking one more region until the table and count show the filtered rows."""
    page = context.new_page()
    page.goto(url + "/rankings")
    rankings_ready(page)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="地区").first
    times = []
    for region in regions:
        before = caption_text(page)
        # The input, not the box's middle: that is where the chosen regions' chips (and their
        # remove buttons) sit.
        box.locator("input").click()
        box.locator("input").fill(region)
        option = page.get_by_role("option", name=region, exact=True)
        option.wait_for(timeout=30_000)
        started = time.perf_counter()
        option.click()
        page.wait_for_function(
            """(before) => { for (const el of document.querySelectorAll(
                  '[data-testid="stCaptionContainer"]')) { if (el.innerText.startsWith('显示 '))
                  return el.innerText !== before; } return false; }""",
            arg=before,
            timeout=60_000,
        )
        times.append(time.perf_counter() - started)
        page.keyboard.press("Escape")
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
        )
        time.sleep(0.3)
    page.close()
    return times


Loads = dict[tuple[str, str], list[float]]


def measure_pages(browser: Browser, url: str) -> tuple[dict[str, list[float]], Loads, Loads]:
    """Login times per role, first-load times per (role, page), each BENCH_SAMPLES long, and
    for 实时排名 the times until the grid's accessible table is filled too."""
    from permissions import allowed_roles
    from ui.navigation import PAGES

    logins: dict[str, list[float]] = {}
    loads: Loads = {}
    accessible: Loads = {}
    for role, username in USERS.items():
        logins[role] = []
        for _ in range(SAMPLES):
            context = browser.new_context(viewport={"width": 1500, "height": 1000})
            logins[role].append(login(context, url, username))
            context.close()
        context = browser.new_context(viewport={"width": 1500, "height": 1000})
        login(context, url, username)
        specs = [spec for spec in PAGES if role in allowed_roles(spec.action)]
        for spec in specs:  # warm-up: the shared caches of this process
            timed_load(context, f"{url}/{spec.url_path}", ready_for(spec.url_path))
        for _ in range(SAMPLES):
            for spec in specs:
                key = (role, spec.url_path)
                then = accessible_rows if spec.url_path == "rankings" else None
                drawn, later = timed_load(
                    context, f"{url}/{spec.url_path}", ready_for(spec.url_path), then=then
                )
                loads.setdefault(key, []).append(drawn)
                if then is not None:
                    accessible.setdefault(key, []).append(later)
        context.close()
        print(f"  measured {role}: {len(specs)} pages", flush=True)
    return logins, loads, accessible


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report_pages(
    logins: dict[str, list[float]], loads: Loads, accessible: Loads, load_start: float
) -> None:
    """Print login times and every page's first load against the lightest page of the run."""
    from ui.navigation import PAGES

    titles = {spec.url_path: spec.title for spec in PAGES}
    medians = {key: statistics.median(values) for key, values in loads.items()}
    (base_role, base_path), base = min(medians.items(), key=lambda item: item[1])
    print(f"city: {ORGS} organisations x 3 years (SQLite), headless Chromium, medians of {SAMPLES}")
    print(
        f"machine: {os.cpu_count()} CPUs, 1-min load average {load_start:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} after the pages (other processes compete for the same CPUs)"
    )
    for role, values in logins.items():
        login_s = statistics.median(values)
        print(
            f"login -> first page ({role:<8}) : {login_s:.2f} s   samples {_fmt(values)}  "
            f"target <= {TARGET_LOGIN_S} s  {verdict(login_s <= TARGET_LOGIN_S)}"
        )
    print(f"lightest page: {titles[base_path]} ({base_role}) {base:.2f} s = baseline 1.00x")
    for (role, path), median in medians.items():
        ratio = median / base if base else float("inf")
        target = TARGET_RANKINGS_RATIO if path == "rankings" else TARGET_LOAD_RATIO
        name = titles[path] + ("（表格已显示）" if path == "rankings" else "")
        print(
            f"  {role:<8} {name:<14} {median:5.2f} s  {ratio:4.2f}x  target <= {target}x  "
            f"{verdict(ratio <= target)}   samples {_fmt(loads[(role, path)])}"
        )
        if (role, path) in accessible:
            later = accessible[(role, path)]
            print(
                f"  {role:<8} {titles[path]}（无障碍表格已填）  {statistics.median(later):5.2f} s  "
                f"{statistics.median(later) / base:4.2f}x  for reference   samples {_fmt(later)}"
            )


def main() -> int:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        return 0
    load_start = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="bench_pages_"))
    db_url = f"sqlite:///{work / 'bench.db'}"
    print(f"seeding {ORGS} organisations x {YEARS} into {db_url} ...", flush=True)
    print(f"seeded in {seed(db_url):.1f} s", flush=True)
    proc, url = start_server(db_url, work / "server.log")
    regions = ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市"][:FILTER_SAMPLES]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-dev-shm-usage"],
            )
            if os.environ.get("BENCH_PAGES", "1") != "0":  # BENCH_PAGES=0: filter and memory only
                logins, loads, accessible = measure_pages(browser, url)
                report_pages(logins, loads, accessible, load_start)
            context = browser.new_context(viewport={"width": 1500, "height": 1000})
            login(context, url, "leader")
            rss_idle = rss_mb(proc.pid)
            filter_times = filter_changes(context, url, regions)
            filt = statistics.median(filter_times)
            print(
                f"filter change (region)            : {filt:.2f} s   samples "
                f"{_fmt(filter_times)}  target <= {TARGET_FILTER_S} s  "
                f"{verdict(filt <= TARGET_FILTER_S)}",
                flush=True,
            )

            pages = []
            for _ in range(SESSIONS):
                page = context.new_page()
                # Twenty sessions at once on a busy machine: the page may take a while.
                page.goto(url + "/rankings", timeout=180_000, wait_until="commit")
                pages.append(page)
            for page in pages:
                rankings_ready(page)
            time.sleep(25)  # let every session's live refresh tick a couple of times
            rss_sessions = rss_mb(proc.pid)
            for page in pages:
                page.close()
            browser.close()
    finally:
        benchlib.stop_server(proc)

    print(f"server RSS idle after logins      : {rss_idle:.0f} MB")
    print(
        f"server RSS, {SESSIONS} leader sessions   : {rss_sessions:.0f} MB  "
        f"target <= {TARGET_MEMORY_MB} MB  {verdict(rss_sessions <= TARGET_MEMORY_MB)}"
    )
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _fmt(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.2f}" for v in values) + "]"


if __name__ == "__main__":
    raise SystemExit(main())
