"""Many saves of the same assessment at once: each lands or is refused as stale, nothing else."""

from __future__ import annotations

import threading
from decimal import Decimal

from db.services import assessment as A
from db.services import editing
from db.services.common import StaleVersion
from tests.utils import actor

THREADS = 8
SAVES = 50
MANUAL = ("L1.1", "L2.1", "L2.2", "L3.1", "L3.4")


def payload(view: A.AssessmentView, thread: int, n: int) -> dict[str, editing.EntryInput]:
    """A page that differs for every (thread, n): half-step points within each maximum."""
    entries = {}
    for k, code in enumerate(MANUAL):
        steps = int(view.rubric.criterion(code).max_points * 2) + 1
        points = Decimal((thread * 7 + n * 3 + k) % steps) / 2
        entries[code] = editing.EntryInput(points=str(points), note=f"t{thread}-n{n}")
    entries["L2.3"] = editing.EntryInput(figure=str(10 + thread + n % 20), note=f"t{thread}-n{n}")
    return entries


def test_concurrent_saves_land_or_are_stale(city: str) -> None:
    branch = actor("branch01")
    start = A.my_assessment(branch)
    landed: list[tuple[int, dict[str, editing.EntryInput]]] = []
    stale: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(thread: int) -> None:
        barrier.wait()
        for n in range(SAVES):
            try:
                view = A.get_assessment(branch, assessment_id=start.id)  # a fresh read
                entries = payload(view, thread, n)
                version = editing.save_star_page(
                    branch,
                    assessment_id=view.id,
                    version=view.version,
                    star="learning",
                    entries=entries,
                )
            except StaleVersion:
                with lock:
                    stale.append(thread)
            except BaseException as exc:  # anything else fails the test
                with lock:
                    errors.append(exc)
            else:
                with lock:
                    landed.append((version, entries))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not any(t.is_alive() for t in threads)

    assert errors == []
    assert len(landed) + len(stale) == THREADS * SAVES
    assert landed, "at least one save lands"
    versions = sorted(v for v, _ in landed)
    # Each landed save moved the version by exactly one: no two saves from the same version.
    assert versions == list(range(start.version + 1, start.version + 1 + len(landed)))

    final = A.get_assessment(branch, assessment_id=start.id)
    assert final.version == versions[-1]
    last = max(landed, key=lambda item: item[0])[1]
    for code, value in last.items():
        entry = final.entries[code]
        assert entry.note == value.note
        if value.figure is not None:
            assert entry.figure == Decimal(value.figure)
        else:
            assert entry.self_points == Decimal(value.points)
