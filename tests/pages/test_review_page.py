"""AppTest of the review page's batch approval and the search that lists its matches."""

from __future__ import annotations

import pandas as pd
import pytest

from db.services import readmodels, reviewing
from db.services.common import StaleVersion
from tests.services.cycle_helpers import assessment, assessments_with, audit_rows
from tests.utils import actor, leader, open_page
from ui.text import plain


def _texts(at) -> str:
    parts = [*at.caption, *at.markdown, *at.info, *at.success, *at.warning, *at.error]
    return "\n".join(str(e.value) for e in parts)


def test_batch_approval_approves_the_chosen_ones(demo_city: str) -> None:
    at = open_page("reviewer", "pages/review.py", timeout=90)
    pending = assessments_with("submitted")
    assert len(pending) >= 3
    batch = at.multiselect(key="review:batch")
    assert len(batch.options) == len(pending)
    approve = at.button(key="review:batch-approve")
    assert approve.disabled  # nothing chosen yet
    chosen = pending[:2]
    batch.set_value(chosen).run()
    approve = at.button(key="review:batch-approve")
    assert approve.label == "审核通过选中的 2 份"
    assert not approve.disabled
    before = len(audit_rows("review_approved"))
    approve.click().run()
    # A confirmation first, naming how many and which; nothing is written yet.
    assert not at.exception
    assert "将审核通过以下 **2 份**测评" in _texts(at)
    names = readmodels.load_org_table(leader(), 2026).set_index("assessment_id")["name"]
    for a in chosen:
        assert plain(names.loc[a]) in _texts(at)
    assert [assessment(a).status for a in chosen] == ["submitted", "submitted"]
    at.button(key="review:batch-cancel").click().run()
    assert not [b for b in at.button if b.key == "review:batch-confirm"]
    assert [assessment(a).status for a in chosen] == ["submitted", "submitted"]
    assert len(audit_rows("review_approved")) == before

    at.button(key="review:batch-approve").click().run()
    at.button(key="review:batch-confirm").click().run()
    assert not at.exception
    assert any("已审核通过 2 份" in s.value for s in at.success)
    assert [assessment(a).status for a in chosen] == ["reviewed", "reviewed"]
    assert all(assessment(a).status == "submitted" for a in pending[2:])
    assert len(audit_rows("review_approved")) == before + 2

    # "Select all" takes every pending one in the current filter.
    at.button(key="review:batch-all").click().run()
    assert sorted(at.multiselect(key="review:batch").value) == sorted(pending[2:])


def test_batch_approval_names_each_failure(demo_city: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page("reviewer", "pages/review.py", timeout=90)
    pending = assessments_with("submitted")
    at.multiselect(key="review:batch").set_value(pending[:2]).run()
    # Someone else saves the first one between the page's last read and the click: the race
    # the page cannot see, reproduced by the service refusing it as stale.
    real = reviewing.approve_assessment

    def racing(actor, *, assessment_id, version, lines=()):
        if assessment_id == pending[0]:
            raise StaleVersion()
        return real(actor, assessment_id=assessment_id, version=version, lines=lines)

    monkeypatch.setattr(reviewing, "approve_assessment", racing)
    at.button(key="review:batch-approve").click().run()
    at.button(key="review:batch-confirm").click().run()
    assert not at.exception
    assert any("已审核通过 1 份" in s.value for s in at.success)
    assert any("有 1 份未能通过" in e.value for e in at.error)
    name = (
        readmodels.load_org_table(leader(), 2026).set_index("assessment_id").loc[pending[0], "name"]
    )
    assert f"- {name}：保存未成功" in _texts(at)
    assert assessment(pending[0]).status == "submitted"
    assert assessment(pending[1]).status == "reviewed"


def test_search_lists_matches_instead_of_opening_the_first(demo_city: str) -> None:
    frame = readmodels.load_org_table(leader(), 2026)
    names = frame["name"].astype(str)
    # A search term shared by several organisations' names.
    common = pd.Series([n[:3] for n in names]).value_counts()
    term = str(common.index[0])
    matches = int(names.str.contains(term, regex=False).sum())
    assert matches > 1
    at = open_page("reviewer", "pages/review.py", timeout=90)
    at.multiselect(key="review:status").set_value([]).run()
    at.text_input(key="review:search").input(term).run()
    assert not at.exception
    assert f"匹配到 {matches} 个党组织" in _texts(at)
    pick = at.selectbox(key="review:pick")
    assert pick.value is None
    assert len(pick.options) == matches
    assert not [b for b in at.button if b.label == "审核通过" and b.key.endswith(":approve")]

    # Choosing one opens exactly that one.
    target = int(frame[names.str.contains(term, regex=False)].iloc[-1]["assessment_id"])
    pick.set_value(target).run()
    assert int(at.selectbox(key="review:pick").value) == target
    assert at.session_state[f"review:{target}:base"] >= 1

    # A search with one match opens it at once.
    code = str(frame.iloc[0]["code"])
    at.text_input(key="review:search").input(code).run()
    assert int(at.selectbox(key="review:pick").value) == int(frame.iloc[0]["assessment_id"])


def test_queue_calls_a_not_started_assessment_not_started(demo_city: str) -> None:
    at = open_page("reviewer", "pages/review.py", timeout=90)
    at.multiselect(key="review:status").set_value([]).run()
    table = at.dataframe[0].value
    name = readmodels.load_org_table(leader(), 2026).loc[actor("branch02").org_id, "name"]
    row = table[table["name"] == name]
    assert row["self_level_name"].tolist() == ["未开始"]


def test_a_search_matching_nothing_offers_no_batch_approval(demo_city: str) -> None:
    at = open_page("reviewer", "pages/review.py", timeout=90)
    assert [e.label for e in at.expander if "批量审核通过" in e.label]
    at.text_input(key="review:search").input("没有这个名字的党组织").run()
    assert not at.exception
    assert "没有符合条件的测评。" in _texts(at)
    assert not [e.label for e in at.expander if "批量审核通过" in e.label]
    assert not [b for b in at.button if b.key == "review:batch-approve"]
