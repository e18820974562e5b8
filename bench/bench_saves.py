"""Benchmark: 50 branch sessions saving a star page 20 times each, concurrently, on SQLite.

Run: ``python bench/bench_saves.py [--sessions 50] [--saves 20] [--star standard]
[--think-min 1 --think-max 3]``.

A fresh temporary SQLite database is migrated and seeded with ``seed_city``; every session gets
its own branch organisation and user. Each session is a thread calling the service layer the
way the page does: a fresh read of its assessment (``get_assessment``, as when the page
loads), then ``save_star_page`` with the whole page (the largest star has 10 criteria; every
save changes every value). The save call is timed: the server-side save time, including any
wait for SQLite's write lock.

Two scenarios: "people", where each session pauses 1-3 s before each save (a secretary typing
takes far longer; this is already 50 saves every 2 s), and "stress", with no pause at all,
which measures the saturated process: 50 threads sharing one Python interpreter, so a save
then waits for the 49 others (latency = sessions / throughput). Baseline in the same run and
scenario: as many trivial single-row write transactions from the same threads.

Prints p50 / p95 / max, throughput and error counts; always exits 0. Target: p95 <= 100 ms,
zero errors other than stale refusals.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from benchlib import percentile

if TYPE_CHECKING:  # imported at run time only after the environment is set
    from db.services.assessment import AssessmentView
    from db.services.common import Actor
    from db.services.editing import EntryInput

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 100.0


def setup(folder: Path, sessions: int) -> list[Actor]:
    """Migrated, seeded database; one branch user per session (returns their actors)."""
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.db'}"
    os.environ["DEMO_MODE"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-secret-" + "z" * 32)
    from sqlalchemy import update
    from sqlmodel import col, select

    from db import migrate
    from db.engine import get_engine, read_session, write_session
    from db.models import Assessment, Cycle, Organisation, User
    from db.seed import CityPlan, seed_city
    from db.services import auth

    migrate.upgrade(get_engine())
    this_year = time.localtime().tm_year
    seed_city(
        CityPlan(
            orgs=sessions + 10,
            first_year=this_year - 1,
            last_year=this_year,
            seed=50,
            demo_users=False,
        )
    )
    with read_session() as session:
        orgs = list(
            session.exec(
                select(col(Organisation.id))
                .where(col(Organisation.org_type) != "department")
                .order_by(col(Organisation.id))
            )
        )[:sessions]
    # Every session's assessment of the open year starts as an editable draft.
    with write_session() as session:
        session.exec(
            update(Assessment)
            .where(col(Assessment.org_id).in_(orgs))
            .where(
                col(Assessment.cycle_id)
                == select(Cycle.id).where(Cycle.status == "open").scalar_subquery()
            )
            .values(status="draft")
        )
    for i, org_id in enumerate(orgs):
        auth.create_user(
            username=f"bench{i:03d}", password="Bench#2026-saves", role="branch", org_id=org_id
        )
    with read_session() as session:
        users = list(session.exec(select(User).where(User.role == "branch").order_by(col(User.id))))
    return [auth.actor_of(u) for u in users]


def page_entries(view: AssessmentView, star: str, n: int) -> dict[str, EntryInput]:
    """The whole page with values that change on every save (valid half steps / figures)."""
    from db.services.editing import EntryInput

    entries = {}
    for k, c in enumerate(view.rubric.by_star(star)):
        if c.auto is not None:
            base = c.auto.minimum if c.auto.minimum is not None else (c.auto.maximum or 0)
            entries[c.code] = EntryInput(figure=str(base + (n + k) % 5), note=f"第{n}次")
        else:
            steps = int(c.max_points * 2) + 1
            entries[c.code] = EntryInput(points=str(((n + k) % steps) / 2), note=f"第{n}次")
    return entries


def pause(think: tuple[float, float], rng: random.Random) -> None:
    """A person's pause before the next save (nothing when think is (0, 0))."""
    if think[1] > 0:
        time.sleep(rng.uniform(*think))


def run_saves(
    actors: list[Actor],
    saves: int,
    star: str,
    think: tuple[float, float],
) -> tuple[list[float], Counter[str]]:
    from db.services import assessment as A
    from db.services import editing
    from db.services.common import StaleVersion

    times: list[float] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(actors))

    def session(actor: Actor) -> None:
        rng = random.Random(actor.id)
        view = A.my_assessment(actor)
        barrier.wait()
        for n in range(saves):
            view = A.get_assessment(actor, assessment_id=view.id)  # the page's fresh read
            entries = page_entries(view, star, n)
            pause(think, rng)
            start = time.perf_counter()
            try:
                editing.save_star_page(
                    actor, assessment_id=view.id, version=view.version, star=star, entries=entries
                )
            except StaleVersion:
                with lock:
                    errors["stale"] += 1
            except Exception as exc:  # counted, never hidden
                with lock:
                    errors[type(exc).__name__] += 1
            else:
                elapsed = time.perf_counter() - start
                with lock:
                    times.append(elapsed)

    threads = [threading.Thread(target=session, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors


def run_baseline(
    threads_n: int, per_thread: int, think: tuple[float, float]
) -> tuple[list[float], Counter[str]]:
    """Trivial single-row write transactions (the change counter), same concurrency."""
    from db.engine import write_session
    from db.services.common import bump_change_counter

    times: list[float] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(threads_n)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        for _ in range(per_thread):
            pause(think, rng)
            start = time.perf_counter()
            try:
                with write_session() as session:
                    bump_change_counter(session)
            except Exception as exc:
                with lock:
                    errors[type(exc).__name__] += 1
            else:
                elapsed = time.perf_counter() - start
                with lock:
                    times.append(elapsed)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors


def report(name: str, times: list[float], errors: Counter[str], wall: float) -> None:
    ms = [t * 1000 for t in times]
    other = sum(v for k, v in errors.items() if k != "stale")
    print(
        f"{name:<34} n={len(ms):>5}  p50={percentile(ms, 50):7.1f} ms  "
        f"p95={percentile(ms, 95):7.1f} ms  max={max(ms, default=float('nan')):7.1f} ms  "
        f"mean={statistics.fmean(ms) if ms else float('nan'):6.1f} ms  "
        f"{len(ms) / wall:6.1f}/s  stale={errors.get('stale', 0)}  other errors={other}"
        + (f" {dict(errors)}" if other else "")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--star", default="standard")
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=3.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-saves-") as tmp:
        actors = setup(Path(tmp), args.sessions)
        from db.engine import dispose_engines
        from db.services.cycles import current_cycle, rubric_of_cycle

        who = actors[0]
        criteria = len(rubric_of_cycle(who, current_cycle(who).id).by_star(args.star))
        print(
            f"SQLite, {len(actors)} concurrent sessions x {args.saves} saves of the "
            f"{args.star} page ({criteria} criteria), a fresh read of the assessment before "
            f"each save; baseline: as many 1-row write transactions, same threads and pauses"
        )
        verdicts = []
        for label, think in (
            (
                f"people: {args.think_min:g}-{args.think_max:g} s pause before each save",
                (args.think_min, args.think_max),
            ),
            ("stress: no pause at all (saturation)", (0.0, 0.0)),
        ):
            print(f"\n-- {label}")
            start = time.perf_counter()
            save_times, save_errors = run_saves(actors, args.saves, args.star, think)
            save_wall = time.perf_counter() - start
            start = time.perf_counter()
            base_times, base_errors = run_baseline(len(actors), args.saves, think)
            base_wall = time.perf_counter() - start
            report("save_star_page (server side)", save_times, save_errors, save_wall)
            report("baseline: 1-row write transaction", base_times, base_errors, base_wall)
            p95 = percentile([t * 1000 for t in save_times], 95)
            other = sum(v for k, v in save_errors.items() if k != "stale")
            ok = p95 <= TARGET_P95_MS and other == 0
            verdicts.append(ok)
            print(
                f"{'PASS' if ok else 'FAIL'}: p95 {p95:.1f} ms (target <= {TARGET_P95_MS:.0f} ms),"
                f" errors other than stale refusals: {other}"
            )
        dispose_engines()
    return 0


if __name__ == "__main__":
    sys.exit(main())
