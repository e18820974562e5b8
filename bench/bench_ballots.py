"""Benchmark: 1,000 members of 50 branches cast their 民主评议 ballots over HTTP against one
server process on SQLite.

Run: ``python bench/bench_ballots.py [--branches 50] [--members 20] [--duration 120]
[--concurrency 50]``.

A fresh temporary SQLite database is migrated; 50 branches get 20 in-service members each, one
open 先锋指数 round, and their codes (``ballots.issue_in``, as ``python -m db ballots`` does).
Then ``streamlit run app.py`` starts (one process) and the members arrive in random order,
evenly over ``--duration`` seconds (``0``: all at once, a stress run), at most
``--concurrency`` at a time, each member a phone with its own connection: it opens the form
(POST /ballot with the code, as the link's page does) and casts (POST /ballot/cast with a
rating for each of the branch's 20 members and its work).
"per ballot" is the cast request; the form request is reported beside it. After every cast the
same thread asks for /healthz, a bare request through the same server and database, in the same
run: the baseline. Finally 50 used codes are cast again (each must be refused), and the database
is counted: one ballot and one set of ratings per code, every code used.

Prints p50 / p95 / max per request kind, the ballot rate, errors and double ballots; always
exits 0. Target: p95 <= 200 ms per ballot, 0 errors, 0 double ballots, all within 5 minutes.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

import benchlib
from benchlib import percentile, timed

ROOT = benchlib.ROOT
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 200.0
TARGET_SECONDS = 300.0
SECRET = "bench-ballots-secret-" + "q" * 32


def setup(folder: Path, branches: int, members: int) -> tuple[str, list[str]]:
    """Migrated database with the branches, rosters, an open round and its codes."""
    url = f"sqlite:///{folder / 'bench.db'}"
    os.environ["DATABASE_URL"] = url
    os.environ["DEMO_MODE"] = "0"
    os.environ["SECRET_KEY"] = SECRET
    from db import migrate
    from db.engine import dispose_engines, get_engine, write_session
    from db.models import Cycle, Organisation, OrgType, PartyMember, VanguardRound
    from db.query import pk
    from db.seed import load_rubric_default
    from db.services.ballots import issue_in
    from db.services.cycles import install_rubric

    migrate.upgrade(get_engine())
    codes: list[str] = []
    year = time.localtime().tm_year
    with write_session() as session:
        cycle = Cycle(year=year, status="open")  # the year's rubric keeps the ballot rules
        session.add(cycle)
        session.flush()
        install_rubric(session, cycle, load_rubric_default())
        department = Organisation(
            code="BENCH-D", name="压测部门", org_type=OrgType.DEPARTMENT, region="市直"
        )
        session.add(department)
        round_ = VanguardRound(year=year, half=1, rules=cycle.vanguard_rules)
        session.add(round_)
        session.flush()
        orgs = []
        for b in range(branches):
            org = Organisation(
                code=f"BENCH-{b:03d}",
                name=f"压测第{b + 1}党支部",
                org_type=OrgType.BRANCH,
                region="市直",
                parent_id=department.id,
                department_id=department.id,
                member_count=members,
            )
            session.add(org)
            orgs.append(org)
        session.flush()
        session.add_all(
            PartyMember(org_id=pk(org.id), name=f"党员{b:03d}-{m:02d}", joined_on=date(2001, 7, 1))
            for b, org in enumerate(orgs)
            for m in range(members)
        )
        session.flush()
        for org in orgs:
            codes.extend(issue_in(session, None, round_, org).codes)
    dispose_engines()
    return url, codes


def start_server(url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "DATABASE_URL": url, "DEMO_MODE": "0", "SECRET_KEY": SECRET}
    return benchlib.start_server(env, log, timeout=90)


def member_fields(html: str) -> list[str]:
    """The radio group names of the form (m<id> per member, and branch)."""
    import re

    return sorted(set(re.findall(r'name="(m\d+|branch)"', html)))


def run(base: str, codes: list[str], concurrency: int, duration: float) -> dict[str, object]:
    """Every code casts once. duration > 0: members arrive evenly over that many seconds (an
    open meeting room: nobody waits for anybody); 0: as fast as the threads can go (stress)."""
    import httpx

    from db.services.ballots import format_code

    queue = list(codes)
    random.Random(2026).shuffle(queue)
    lock = threading.Lock()
    times: dict[str, list[float]] = {"cast": [], "form": [], "health": []}
    lag: list[float] = []
    errors: Counter[str] = Counter()
    origin = {"origin": base}
    started = time.perf_counter()
    interval = duration / len(queue) if duration > 0 else 0.0

    local = threading.local()

    def vote(k: int, code: str) -> None:
        # Each member is a phone: a connection of its own, never one kept open for the next.
        if not hasattr(local, "http"):
            limits = httpx.Limits(max_keepalive_connections=0)
            local.http = httpx.Client(base_url=base, timeout=30, limits=limits)
        cast(k, code, local.http)

    def cast(k: int, code: str, http: httpx.Client) -> None:
        rng = random.Random(k)
        lag.append(time.perf_counter() - started - k * interval)
        printed = format_code(code)
        try:
            form_ms, form = timed(
                lambda: http.post("/ballot", data={"code": printed}, headers=origin)
            )
            if form.status_code != 200:
                errors[f"form {form.status_code}"] += 1
                return
            data = {"code": printed}
            data |= {name: str(rng.randrange(4)) for name in member_fields(form.text)}
            cast_ms, cast = timed(lambda: http.post("/ballot/cast", data=data, headers=origin))
            if cast.status_code != 200:
                errors[f"cast {cast.status_code}"] += 1
                return
            health_ms, health = timed(lambda: http.get(benchlib.HEALTH_PATH))
            if health.status_code != 200:
                errors[f"health {health.status_code}"] += 1
        except httpx.HTTPError as exc:
            errors[type(exc).__name__] += 1
            return
        with lock:
            times["form"].append(form_ms)
            times["cast"].append(cast_ms)
            times["health"].append(health_ms)

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for k, code in enumerate(queue):
            due = started + k * interval
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            pool.submit(vote, k, code)
    wall = time.perf_counter() - started
    # Second use of 50 used codes: each must be refused (409) and store nothing.
    refused = 0
    with httpx.Client(base_url=base, timeout=30) as http:
        for code in random.Random(7).sample(codes, min(50, len(codes))):
            again = http.post(
                "/ballot/cast", data={"code": format_code(code), "branch": "0"}, headers=origin
            )
            refused += again.status_code == 409
    return {
        "times": times,
        "errors": errors,
        "wall": wall,
        "refused": refused,
        "lag": max(lag, default=0.0),
    }


def count_database(url: str, codes: int) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        figures = {
            "ballots": conn.execute(text("SELECT count(*) FROM ballot")).scalar_one(),
            "ratings": conn.execute(text("SELECT count(*) FROM ballot_rating")).scalar_one(),
            "used codes": conn.execute(
                text("SELECT count(*) FROM ballot_code WHERE used")
            ).scalar_one(),
        }
    engine.dispose()
    figures["codes"] = codes
    return figures


def line(name: str, ms: list[float], wall: float) -> str:
    return (
        f"{name:<34} n={len(ms):>5}  p50={percentile(ms, 50):7.1f} ms  "
        f"p95={percentile(ms, 95):7.1f} ms  max={max(ms, default=float('nan')):7.1f} ms  "
        f"{len(ms) / wall:6.1f}/s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=50)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=50, help="most members at once")
    parser.add_argument(
        "--duration", type=float, default=120.0, help="arrivals spread over s (0: stress)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ballots-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        url, codes = setup(folder, args.branches, args.members)
        print(
            f"SQLite, one server process: {args.branches} branches x {args.members} members = "
            f"{len(codes)} codes issued in {time.perf_counter() - started:.1f} s; "
            f"members arrive evenly over {args.duration:.0f} s"
            + (" (0: all at once)" if not args.duration else "")
            + f", at most {args.concurrency} at a time, one connection per member"
        )
        process, base = start_server(url, folder / "server.log")
        load_before = benchlib.load_average()
        cpu_before = benchlib.cpu_seconds(process.pid)
        try:
            result = run(base, codes, args.concurrency, args.duration)
        finally:
            load_after = benchlib.load_average()
            cpu = benchlib.cpu_seconds(process.pid) - cpu_before
            benchlib.stop_server(process)
        print(f"machine: {load_before} before the ballots, {load_after} at their end")
        print(
            f"server CPU: {cpu:.1f} s for the run, {1000 * cpu / len(codes):.1f} ms per member "
            "(form, ballot and health request, each on a new connection)"
        )
        times = result["times"]
        errors = result["errors"]
        wall = float(result["wall"])  # type: ignore[arg-type]  # a float put in the dict above
        lag = float(result["lag"])  # type: ignore[arg-type]  # a float put in the dict above
        assert isinstance(times, dict)
        assert isinstance(errors, Counter)
        print(line("cast a ballot (POST /ballot/cast)", times["cast"], wall))
        print(line("open the form (POST /ballot)", times["form"], wall))
        print(line("baseline: GET /healthz", times["health"], wall))
        figures = count_database(url, len(codes))
        doubles = figures["ballots"] - figures["used codes"]
        expected_ratings = figures["ballots"] * (args.members)
        print(
            f"{len(times['cast'])} ballots in {wall:.1f} s ({len(times['cast']) / wall:.1f} "
            f"ballots/s); errors: {sum(errors.values())} {dict(errors) if errors else ''}; "
            f"latest start behind schedule {lag:.1f} s"
        )
        print(
            f"database: {figures['ballots']} ballots, {figures['ratings']} ratings "
            f"(expected {expected_ratings}), {figures['used codes']}/{figures['codes']} codes used;"
            f" second use refused {result['refused']}/50; double ballots: {doubles}"
        )
        p95 = percentile(times["cast"], 95)
        ok = (
            p95 <= TARGET_P95_MS
            and not errors
            and doubles == 0
            and figures["ballots"] == len(codes)
            and figures["ratings"] == expected_ratings
            and result["refused"] == 50
            and wall <= TARGET_SECONDS
        )
        print(
            f"{'PASS' if ok else 'FAIL'}: p95 {p95:.1f} ms per ballot (target <= "
            f"{TARGET_P95_MS:.0f} ms), {sum(errors.values())} errors, {doubles} double ballots, "
            f"{wall:.0f} s (target <= {TARGET_SECONDS:.0f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
