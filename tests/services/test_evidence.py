"""Evidence files: allowed types by content, size and count limits, ownership."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlmodel import func, select

from db.engine import read_session
from db.models import AuditLog, Evidence
from db.services import assessment as A
from db.services import editing
from db.services import evidence as E
from db.services.common import InvalidInput, NotFound, PermissionDenied
from settings import get_settings
from tests.assessment_helpers import DOCX, JPG, PDF, PNG, XLSX, fill_all, ooxml
from tests.utils import actor

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def evidence_count() -> int:
    with read_session() as session:
        return int(session.exec(select(func.count()).select_from(Evidence)).one())


def upload(name: str, content: bytes, code: str = "L3.4", who: str = "branch01") -> A.EvidenceInfo:
    branch = actor(who)
    view = A.my_assessment(actor("branch01"))
    return E.upload_evidence(
        branch, assessment_id=view.id, code=code, filename=name, content=content
    )


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch):
    """Small limits (1 MB, 2 files) read from the environment like in production."""
    monkeypatch.setenv("UPLOAD_MAX_MB", "1")
    monkeypatch.setenv("UPLOAD_MAX_FILES", "2")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("会议记录.pdf", PDF, "application/pdf"),
        ("照片.JPG", JPG, "image/jpeg"),
        ("照片.jpeg", JPG, "image/jpeg"),
        ("截图.png", PNG, "image/png"),
        (
            "方案.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("台账.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_allowed_files_are_stored_and_downloaded_intact(
    city: str, name: str, content: bytes, content_type: str
) -> None:
    info = upload(name, content)
    assert info.filename == name
    assert info.content_type == content_type
    assert info.size == len(content)
    branch = actor("branch01")
    got = E.download_evidence(branch, evidence_id=info.id)
    assert got.content == content
    assert got.filename == name
    with read_session() as session:
        assert session.get(Evidence, info.id).sha256 == hashlib.sha256(content).hexdigest()
    listed = E.list_evidence(branch, assessment_id=A.my_assessment(branch).id)
    assert info.id in {f.id for f in listed}
    assert A.my_assessment(branch).entries["L3.4"].evidence[-1].id == info.id
    assert any(json.loads(r.detail)["filename"] == name for r in _audits("upload_evidence"))


def _audits(action: str) -> list[AuditLog]:
    with read_session() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.action == action)))


def test_upload_does_not_make_an_open_page_stale(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    upload("a.pdf", PDF)
    editing.save_star_page(
        branch,
        assessment_id=view.id,
        version=view.version,
        star="learning",
        entries={"L3.4": {"points": "2"}},
    )


def test_oversized_file_is_refused(city: str, limits) -> None:
    before = evidence_count()
    big = PDF + b"0" * (limits.upload_max_bytes - len(PDF) + 1)
    with pytest.raises(InvalidInput) as refused:
        upload("大文件.pdf", big)
    assert "超过了单个文件 1.0 MB 的上限" in refused.value.message
    assert evidence_count() == before
    exact = PDF + b"0" * (limits.upload_max_bytes - len(PDF))
    assert upload("刚好.pdf", exact).size == limits.upload_max_bytes


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("通知.pdf", "这其实是一段文字，不是 PDF".encode()),
        ("setup.pdf", EXE),
        ("photo.png", PDF),
        ("photo.jpg", PNG),
        ("scan.jpeg", b"GIF89a" + b"\x00" * 20),
        ("方案.docx", XLSX),
        ("台账.xlsx", DOCX),
        ("台账.xlsx", ooxml("other/thing.xml")),
        ("方案.docx", b"PK\x03\x04 not really a zip"),
    ],
)
def test_disguised_files_are_refused(city: str, name: str, content: bytes) -> None:
    before = evidence_count()
    with pytest.raises(InvalidInput) as refused:
        upload(name, content)
    assert "内容与扩展名" in refused.value.message
    assert name in refused.value.message
    assert evidence_count() == before


@pytest.mark.parametrize(
    "name",
    ["tool.exe", "说明.txt", "page.html", "archive.zip", "noext", "old.doc", "old.xls", "图.gif"],
)
def test_wrong_types_are_refused(city: str, name: str) -> None:
    before = evidence_count()
    with pytest.raises(InvalidInput) as refused:
        upload(name, PDF)
    assert "类型不支持" in refused.value.message
    assert evidence_count() == before


def test_empty_file_and_empty_name_are_refused(city: str) -> None:
    with pytest.raises(InvalidInput, match="空文件"):
        upload("a.pdf", b"")
    with pytest.raises(InvalidInput, match="文件名"):
        upload("", PDF)


def test_count_limit_per_criterion(city: str, limits) -> None:
    upload("1.pdf", PDF, code="L3.4")
    upload("2.pdf", PDF, code="L3.4")
    before = evidence_count()
    with pytest.raises(InvalidInput) as refused:
        upload("3.pdf", PDF, code="L3.4")
    assert "上限" in refused.value.message
    assert "L3.4" in refused.value.message
    assert evidence_count() == before
    upload("other.pdf", PDF, code="L3.1")  # the limit is per criterion


def test_path_and_control_characters_are_stripped_from_names(city: str) -> None:
    assert upload("../../etc/会议\x00记录.pdf", PDF).filename == "会议记录.pdf"
    assert upload("C:\\Users\\x\\台账.pdf", PDF, code="L3.1").filename == "台账.pdf"
    long = "很" * 300 + ".pdf"
    assert len(upload(long, PDF, code="L3.2").filename) == 200


def test_evidence_only_on_criteria_and_bonus_items(city: str) -> None:
    assert upload("证书.pdf", PDF, code="B1").code == "B1"
    with pytest.raises(InvalidInput, match="评价细则或加分项"):
        upload("x.pdf", PDF, code="V1")
    with pytest.raises(InvalidInput):
        upload("x.pdf", PDF, code="D1")
    with pytest.raises(NotFound):
        upload("x.pdf", PDF, code="Z9.9")


def test_ownership_of_upload_list_download_and_delete(city: str) -> None:
    info = upload("会议记录.pdf", PDF)
    own = A.my_assessment(actor("branch01"))
    intruder = actor("branch02")
    with pytest.raises(PermissionDenied):
        upload("x.pdf", PDF, who="branch02")
    with pytest.raises(PermissionDenied):
        E.list_evidence(intruder, assessment_id=own.id)
    with pytest.raises(PermissionDenied):
        E.download_evidence(intruder, evidence_id=info.id)
    with pytest.raises(PermissionDenied):
        E.delete_evidence(intruder, evidence_id=info.id)
    with pytest.raises(PermissionDenied):
        E.download_evidence(None, evidence_id=info.id)
    refusals = [
        json.loads(r.detail)["attempted"]
        for r in _audits("access_denied")
        if r.actor_name == "branch02"
    ]
    assert {"self_assess", "view_assessment"} <= set(refusals)
    for name in ("reviewer", "leader", "admin"):
        assert E.download_evidence(actor(name), evidence_id=info.id).content == PDF
        with pytest.raises(PermissionDenied):
            E.delete_evidence(actor(name), evidence_id=info.id)
    with pytest.raises(PermissionDenied):
        E.download_evidence(intruder, evidence_id=987_654)
    with pytest.raises(NotFound):
        E.download_evidence(actor("reviewer"), evidence_id=987_654)
    E.delete_evidence(actor("branch01"), evidence_id=info.id)
    with pytest.raises(NotFound):
        E.download_evidence(actor("reviewer"), evidence_id=info.id)
    assert _audits("delete_evidence")


def test_evidence_is_read_only_after_submission(city: str) -> None:
    branch = actor("branch01")
    view = fill_all(branch)
    editing.submit_assessment(branch, assessment_id=view.id, version=view.version)
    first = view.entries["L1.1"].evidence[0]
    with pytest.raises(A.NotEditable):
        E.delete_evidence(branch, evidence_id=first.id)
    with pytest.raises(A.NotEditable):
        upload("late.pdf", PDF, code="L1.1")
    assert E.download_evidence(branch, evidence_id=first.id).content
