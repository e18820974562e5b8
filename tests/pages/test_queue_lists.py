"""The review queues' one column definition (ui/queue.py) and their lists for phones.

Both levels build their columns with the same functions: an assessment waiting at the 初审 reads
the same (name, days waited, self composite and level, hand-in time, code) in the 初审 queue and
in the 复核 page's queue. On a phone each queue is a list (ui.phone.table_or_list) beside its
table, at most ui.queue.PHONE_LIMIT entries with the rest counted.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.testing.v1 import AppTest

from db.services import first_review, review
from tests.pages.test_first_review_page import _submit_branch01
from tests.utils import actor, open_page
from texts import review as T
from ui import queue as Q


def test_both_levels_read_an_assessment_alike(demo_city: str) -> None:
    view = _submit_branch01()
    first = first_review.first_queue(actor("dept01"), year=view.year)
    second = review.load_queue(actor("reviewer"), view.year)
    one = Q.queue_frame(first[first["assessment_id"] == view.id], Q.FIRST_LEVEL)
    other = Q.queue_frame(second[second["assessment_id"] == view.id], Q.SECOND_LEVEL)
    assert list(one.columns) == list(Q.FIRST_LEVEL)
    assert list(other.columns) == list(Q.SECOND_LEVEL)
    shared = [c for c in Q.FIRST_LEVEL if c in Q.SECOND_LEVEL]
    assert shared == [
        "name",
        "waiting",
        "self_composite",
        "self_level_name",
        "submitted_at",
        "code",
    ]
    pd.testing.assert_frame_equal(one[shared], other[shared], check_dtype=False)
    assert one.loc[0, "waiting"] == 0  # handed in today
    # Every column a level shows has its heading in one place.
    assert set(Q.FIRST_LEVEL) | set(Q.SECOND_LEVEL) == set(Q.COLUMNS) == set(T.QUEUE_COLUMNS)
    # ... and its width; the name comes first.
    assert set(Q.WIDTHS) == set(Q.COLUMNS)
    assert Q.FIRST_LEVEL[0] == Q.SECOND_LEVEL[0] == "name"


def test_the_first_review_queue_is_also_a_list(demo_city: str) -> None:
    st.cache_data.clear()
    view = _submit_branch01()
    at = open_page("dept01", "pages/first_review.py", timeout=90)
    assert not at.exception
    headings = list(at.dataframe[0].value.columns)
    assert headings == list(Q.FIRST_LEVEL)
    lines = "\n".join(str(m.value) for m in at.markdown)
    entry = next(line for line in lines.splitlines() if view.org_name in line)
    assert entry.startswith("- **")
    assert "已等待（天） 0" in entry
    assert "自评综合分" in entry


def test_the_review_queue_is_also_a_list(demo_city: str) -> None:
    st.cache_data.clear()
    at = open_page("reviewer", "pages/review.py", timeout=90)
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == list(Q.SECOND_LEVEL)
    listed = next(str(m.value) for m in at.markdown if str(m.value).startswith("- **"))
    assert len(listed.splitlines()) == min(len(table), Q.PHONE_LIMIT)
    assert "状态 已提交" in listed  # the pending ones, shown first


def _long_list() -> None:
    import pandas as pd

    from ui.phone import table_or_list

    frame = pd.DataFrame({"name": [f"组织{i}" for i in range(45)], "n": range(45)})
    table_or_list(frame, "long", "name", labels={"name": "名称", "n": "数目"}, limit=30)


def test_a_long_list_shows_the_first_entries_and_counts_the_rest() -> None:
    at = AppTest.from_function(_long_list).run()
    assert not at.exception
    lines = str(at.markdown[0].value).splitlines()
    assert len(lines) == 30
    assert lines[0] == "- **组织0** 数目 0"
    assert any("另有 15 条未列出" in c.value for c in at.caption)
    assert list(at.dataframe[0].value.columns) == ["name", "n"]
