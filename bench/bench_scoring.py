"""Benchmark scoring.evaluate_frame against a bare pandas groupby on the same rows.

Run: ``python bench/bench_scoring.py``. Always exits 0; the verdict is printed.
Targets: 100,000 orgs (~4.5M criterion rows) in <= 3 s, and <= 1.5x the bare groupby.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pandas as pd

import scoring

CRITERIA_PER_STAR = 9
BASES = {"learning": 20, "standard": 18, "service": 20, "democracy": 13, "innovation": 15}
TARGET_SECONDS = 3.0
TARGET_RATIO = 1.5
TARGET_ORGS = 100_000
REPEATS = 3


def make_rows(n_orgs: int, seed: int = 0) -> pd.DataFrame:
    """Long-format criterion rows: 9 per star, points in 0.5 steps that keep stars within base."""
    rng = np.random.default_rng(seed)
    per_org = CRITERIA_PER_STAR * len(scoring.STAR_KEYS)
    stars = np.repeat(np.array(scoring.STAR_KEYS, dtype=object), CRITERIA_PER_STAR)
    # Per-criterion cap in half points so that nine criteria never exceed the star base.
    cap_halves = np.repeat(
        [int(BASES[k] * 2) // CRITERIA_PER_STAR for k in scoring.STAR_KEYS], CRITERIA_PER_STAR
    )
    halves = rng.integers(0, cap_halves + 1, size=(n_orgs, per_org))
    return pd.DataFrame(
        {
            "org_id": np.repeat(np.arange(1, n_orgs + 1, dtype=np.int64), per_org),
            "star": pd.array(np.tile(stars, n_orgs), dtype="str"),
            "points": (halves * 0.5).ravel(),
        }
    )


def _group_sum(rows: pd.DataFrame) -> pd.Series:
    """The plain pandas baseline: points summed per organisation and star."""
    return rows.groupby(["org_id", "star"], observed=True)["points"].sum()


def best_of(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    """Best wall time of several runs."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    """Run the benchmark table and print PASS/FAIL per row; always returns 0."""
    print(f"pandas {pd.__version__}, numpy {np.__version__}; best of {REPEATS}")
    header = (
        f"{'orgs':>8} {'rows':>10} {'star dtype':>11} {'evaluate_frame s':>17} "
        f"{'groupby s':>10} {'ratio':>6}  verdict"
    )
    print(header)
    print("-" * len(header))
    all_pass = True
    for n_orgs in (2_000, TARGET_ORGS):
        plain = make_rows(n_orgs)
        variants = {
            "str": plain,
            "object": plain.assign(star=plain["star"].astype(object)),
            "category": plain.assign(star=plain["star"].astype("category")),
        }
        for label, rows in variants.items():
            result = scoring.evaluate_frame(rows, BASES)
            assert len(result) == n_orgs
            t_eval = best_of(partial(scoring.evaluate_frame, rows, BASES))
            t_group = best_of(partial(_group_sum, rows))
            ratio = t_eval / t_group
            ok = ratio <= TARGET_RATIO and (n_orgs < TARGET_ORGS or t_eval <= TARGET_SECONDS)
            all_pass &= ok
            print(
                f"{n_orgs:>8,} {len(rows):>10,} {label:>11} {t_eval:>17.3f} "
                f"{t_group:>10.3f} {ratio:>6.2f}  {'PASS' if ok else 'FAIL'}"
            )
    print(
        f"targets: {TARGET_ORGS:,} orgs <= {TARGET_SECONDS} s and ratio <= {TARGET_RATIO}"
        f" -> {'PASS' if all_pass else 'FAIL'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
