"""Many evidence files at once: checked on arrival, held, assigned by name or choice, saved
together or not at all; the upload route in front of it; whole-number figures for counts."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import col, func, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from db.engine import read_session
from db.models import AuditLog, Evidence, EvidenceUpload
from db.services import assessment as A
from db.services import editing
from db.services import evidence as E
from db.services import evidence_batch as B
from db.services.common import InvalidInput, PermissionDenied
from settings import get_settings
from tests.assessment_helpers import JPG, PDF, PNG, XLSX
from tests.utils import actor, token_for
from web.cookies import COOKIE_NAME, sign_token
from web.routes import ROUTES

CODES = ("L1.1", "L2.3", "L2.31", "S4", "S4.3", "B1")


def _count(table: type) -> int:
    with read_session() as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("UPLOAD_MAX_MB", "1")
    monkeypatch.setenv("UPLOAD_MAX_FILES", "2")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


# --------------------------------------------------------------------------- names → codes


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("L2.3-学时登记表.pdf", "L2.3"),
        ("l2.3 学时登记.PDF", "L2.3"),
        ("Ｌ２．３　全角编号.pdf", "L2.3"),
        ("L2.31台账.pdf", "L2.31"),
        ("S4.3.pdf", "S4.3"),
        ("S4-支部.png", "S4"),
        ("2026年B1获奖证书.jpg", "B1"),
        ("XL2.3.pdf", None),  # part of a longer token
        ("L2.3和L1.1合订.pdf", None),  # two codes: the branch chooses
        ("学习记录.pdf", None),
    ],
)
def test_code_in_name(name: str, code: str | None) -> None:
    assert B.code_in_name(name, CODES) == code


@given(st.sampled_from(CODES), st.text(alphabet="学习台账记录表-_ ", max_size=12))
def test_a_name_starting_with_a_code_and_a_separator_finds_it(code: str, rest: str) -> None:
    assert B.code_in_name(f"{code}-{rest}.pdf", CODES) == code


# --------------------------------------------------------------------------- staging and saving


def _stage(name: str, content: bytes, who: str = "branch01") -> B.StagedFile:
    view = A.my_assessment(actor("branch01"))
    return B.stage_evidence(actor(who), assessment_id=view.id, filename=name, content=content)


def test_many_files_are_held_then_saved_where_their_names_say(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    before = {c: len(view.entries[c].evidence) for c in ("L1.1", "L2.3", "S4.1")}
    staged = [
        _stage("L1.1-学习计划.pdf", PDF),
        _stage("L2.3-学时登记表.xlsx", XLSX),
        _stage("现场照片.jpg", JPG),
    ]
    assert [s.suggested for s in staged] == ["L1.1", "L2.3", None]
    assert [s.id for s in B.list_staged(branch, assessment_id=view.id)] == [s.id for s in staged]
    evidence_before = _count(Evidence)
    plan = {staged[0].id: "L1.1", staged[1].id: "L2.3", staged[2].id: "S4.1"}
    stored = B.save_staged(branch, assessment_id=view.id, plan=plan)
    assert [(s.code, s.filename) for s in stored] == [
        ("L1.1", "L1.1-学习计划.pdf"),
        ("L2.3", "L2.3-学时登记表.xlsx"),
        ("S4.1", "现场照片.jpg"),
    ]
    assert _count(Evidence) == evidence_before + 3
    assert B.list_staged(branch, assessment_id=view.id) == []
    after = A.my_assessment(branch)
    assert {c: len(after.entries[c].evidence) - before[c] for c in before} == {
        "L1.1": 1,
        "L2.3": 1,
        "S4.1": 1,
    }
    assert E.download_evidence(branch, evidence_id=stored[1].id).content == XLSX
    with read_session() as session:
        audits = session.exec(select(AuditLog).where(AuditLog.action == "upload_evidence")).all()
    assert {json.loads(a.detail)["filename"] for a in audits} >= {s.filename for s in stored}
    # Saving evidence never makes a page that is open stale.
    assert after.version == view.version


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("L1.1-伪装.pdf", b"just text", "内容与扩展名"),
        ("L1.1-程序.exe", PDF, "类型不支持"),
        ("L1.1-空.pdf", b"", "空文件"),
        ("L1.1-照片.png", JPG, "内容与扩展名"),
    ],
)
def test_a_bad_file_is_refused_on_arrival_and_nothing_is_held(
    city: str, name: str, content: bytes, reason: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _stage(name, content)
    assert reason in refused.value.message
    assert _count(EvidenceUpload) == 0


def test_size_limit_applies_to_every_held_file(city: str, limits) -> None:
    big = PDF + b"0" * (limits.upload_max_bytes - len(PDF) + 1)
    with pytest.raises(InvalidInput) as refused:
        _stage("L1.1-大.pdf", big)
    assert "超过了单个文件 1.0 MB 的上限" in refused.value.message
    assert _count(EvidenceUpload) == 0


def test_a_set_with_a_problem_is_refused_whole(city: str, limits) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    have = len(view.entries["L3.1"].evidence)
    a, b, c, d = (_stage(f"L3.1-{i}.pdf", PDF) for i in range(4))
    evidence_before = _count(Evidence)
    plan = {a.id: "L3.1", b.id: "L3.1", c.id: None, d.id: "X9.9"}
    with pytest.raises(InvalidInput) as refused:
        B.save_staged(branch, assessment_id=view.id, plan=plan)
    errors = refused.value.errors
    assert any("还没有选择对应的细则" in e and "L3.1-2.pdf" in e for e in errors)
    assert any("X9.9" in e for e in errors)
    assert _count(Evidence) == evidence_before
    assert len(B.list_staged(branch, assessment_id=view.id)) == 4
    # One file more than the limit on one criterion: refused, even with every target chosen.
    plan = {a.id: "L3.1", b.id: "L3.1", c.id: "L3.1", d.id: "L3.3"}
    with pytest.raises(InvalidInput) as refused:
        B.save_staged(branch, assessment_id=view.id, plan=plan)
    assert refused.value.errors == [
        f"细则 L3.1 已有 {have} 个佐证材料，再加 3 个将超过每项 2 个的上限。"
    ]
    assert _count(Evidence) == evidence_before
    # Within the limit it lands; the rest can be removed.
    assert B.discard_staged(branch, assessment_id=view.id, ids=[b.id, c.id]) == 2
    stored = B.save_staged(branch, assessment_id=view.id, plan={a.id: "L3.2", d.id: "B1"})
    assert [s.code for s in stored] == ["L3.2", "B1"]
    assert _count(Evidence) == evidence_before + 2
    assert _count(EvidenceUpload) == 0


def test_held_files_of_a_saved_or_removed_set_cannot_be_saved_twice(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    f = _stage("L1.1-a.pdf", PDF)
    B.save_staged(branch, assessment_id=view.id, plan={f.id: "L1.1"})
    with pytest.raises(InvalidInput) as refused:
        B.save_staged(branch, assessment_id=view.id, plan={f.id: "L1.1"})
    assert "刷新页面" in refused.value.message


def test_only_the_owner_may_stage_list_save_or_remove(city: str) -> None:
    view = A.my_assessment(actor("branch01"))
    f = _stage("L1.1-a.pdf", PDF)
    for who in ("branch02", "reviewer", "leader", "admin"):
        other = actor(who)
        with pytest.raises(PermissionDenied):
            B.stage_evidence(other, assessment_id=view.id, filename="L1.1.pdf", content=PDF)
        with pytest.raises(PermissionDenied):
            B.list_staged(other, assessment_id=view.id)
        with pytest.raises(PermissionDenied):
            B.save_staged(other, assessment_id=view.id, plan={f.id: "L1.1"})
        with pytest.raises(PermissionDenied):
            B.discard_staged(other, assessment_id=view.id)
    assert _count(EvidenceUpload) == 1


def test_a_submitted_assessment_takes_no_more_files(city: str) -> None:
    from tests.assessment_helpers import fill_all

    branch = actor("branch01")
    f = _stage("L1.1-a.pdf", PDF)
    view = fill_all(branch)
    editing.submit_assessment(
        branch, assessment_id=view.id, version=A.my_assessment(branch).version
    )
    with pytest.raises(A.NotEditable):
        _stage("L1.1-b.pdf", PDF)
    with pytest.raises(A.NotEditable):
        B.save_staged(branch, assessment_id=view.id, plan={f.id: "L1.1"})


def test_submission_drops_the_files_held_but_never_saved(city: str) -> None:
    """A file dropped in the many-file zone but not saved is no part of what was handed in:
    submitting removes the branch's held files (only its own) in the same transaction."""
    from tests.assessment_helpers import fill_all

    branch = actor("branch01")
    _stage("L1.1-a.pdf", PDF)
    _stage("L2.3-b.png", PNG)
    other = A.my_assessment(actor("branch02"))
    B.stage_evidence(actor("branch02"), assessment_id=other.id, filename="L1.1-c.pdf", content=PDF)
    view = fill_all(branch)
    evidence_before = _count(Evidence)
    editing.submit_assessment(
        branch, assessment_id=view.id, version=A.my_assessment(branch).version
    )
    with read_session() as session:
        held = session.exec(select(EvidenceUpload.assessment_id)).all()
        entry = session.exec(
            select(AuditLog)
            .where(AuditLog.action == "submit_assessment", AuditLog.target_id == str(view.id))
            .order_by(col(AuditLog.id).desc())
        ).first()
    assert held == [other.id]
    assert _count(Evidence) == evidence_before
    assert entry is not None
    assert json.loads(entry.detail)["held_files_dropped"] == 2


# --------------------------------------------------------------------------- the route


@pytest.fixture
def client(city: str) -> TestClient:
    return TestClient(Starlette(routes=ROUTES), follow_redirects=False)


def _post(
    client: TestClient, name: str, content: bytes, *, code: str | None = None, who: str = "branch01"
):
    assessment_id = A.my_assessment(actor("branch01")).id
    url = f"/evidence/upload?assessment={assessment_id}" + (f"&code={code}" if code else "")
    from urllib.parse import quote

    client.cookies.set(COOKIE_NAME, sign_token(token_for(who)))
    return client.post(
        url,
        content=content,
        headers={"origin": "http://testserver", "x-file-name": quote(name)},
    )


def test_route_holds_a_dropped_file_and_stores_a_criterion_file(client: TestClient) -> None:
    held = _post(client, "L2.3-学时登记表.pdf", PDF)
    assert held.status_code == 200
    assert held.json() == {
        "ok": True,
        "message": "已接收：L2.3-学时登记表.pdf",
    }
    assert _count(EvidenceUpload) == 1
    before = _count(Evidence)
    stored = _post(client, "照片.png", PNG, code="L3.4")
    assert stored.status_code == 200
    assert stored.json()["ok"] is True
    assert _count(Evidence) == before + 1


def test_route_refuses_bad_files_in_chinese_and_writes_nothing(client: TestClient, limits) -> None:
    before = (_count(Evidence), _count(EvidenceUpload))
    for name, content, reason in [
        ("假的.pdf", b"hello", "内容与扩展名"),
        ("大.pdf", PDF + b"0" * limits.upload_max_bytes, "超过了单个文件"),
        ("病毒.exe", PDF, "类型不支持"),
    ]:
        for code in (None, "L3.4"):
            answer = _post(client, name, content, code=code)
            assert answer.status_code == 400
            assert answer.json()["ok"] is False
            assert reason in answer.json()["message"]
    assert (_count(Evidence), _count(EvidenceUpload)) == before


def test_route_refuses_strangers_and_cross_site_posts(client: TestClient) -> None:
    before = (_count(Evidence), _count(EvidenceUpload))
    assert _post(client, "L1.1.pdf", PDF, who="branch02").status_code == 403
    assert _post(client, "L1.1.pdf", PDF, who="reviewer", code="L1.1").status_code == 403
    client.cookies.clear()
    assessment_id = A.my_assessment(actor("branch01")).id
    anonymous = client.post(
        f"/evidence/upload?assessment={assessment_id}",
        content=PDF,
        headers={"origin": "http://testserver", "x-file-name": "a.pdf"},
    )
    assert anonymous.status_code == 401
    assert "登录" in anonymous.json()["message"]
    client.cookies.set(COOKIE_NAME, sign_token(token_for("branch01")))
    cross = client.post(
        f"/evidence/upload?assessment={assessment_id}",
        content=PDF,
        headers={"origin": "http://evil.example", "x-file-name": "a.pdf"},
    )
    assert cross.status_code == 403
    assert (_count(Evidence), _count(EvidenceUpload)) == before


# --------------------------------------------------------------------------- counts are whole


def test_count_figures_take_whole_numbers_only(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    rule = view.rubric.criterion("L3.2").auto
    assert rule is not None
    assert rule.unit == "次"
    assert rule.whole
    with pytest.raises(InvalidInput) as refused:
        editing.save_star_page(
            branch,
            assessment_id=view.id,
            version=view.version,
            star="learning",
            entries={"L3.2": {"figure": "2.3"}},
        )
    assert "只能填写整数" in " ".join([*refused.value.errors, refused.value.message])
    assert A.my_assessment(branch).version == view.version
    editing.save_star_page(
        branch,
        assessment_id=view.id,
        version=view.version,
        star="learning",
        entries={"L3.2": {"figure": "3"}, "L2.3": {"figure": "24.5"}},
    )
    saved = A.my_assessment(branch).entries
    assert saved["L3.2"].figure == Decimal(3)
    assert saved["L2.3"].figure == Decimal("24.5")


# --------------------------------------------------------------------------- unfinished list


def test_the_unfinished_list_names_each_criterion_once(city: str) -> None:
    view = A.my_assessment(actor("branch02"))  # nothing scored, no evidence
    done = editing.completion(view)
    codes = [m.code for m in done.missing]
    assert len(codes) == len(set(codes)) == done.criteria_total
    both = [m for m in done.missing if m.kind == "score_evidence"]
    assert len(both) == done.evidence_needed
    assert all("尚未评分、尚未上传佐证材料" in m.message for m in both)
