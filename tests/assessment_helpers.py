"""Shared steps of the self-assessment tests: sample files and filling an assessment."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import scoring
from db.services import assessment as A
from db.services import editing
from db.services import evidence as E
from db.services.common import Actor

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"


def ooxml(part: str) -> bytes:
    """A minimal zip with the given main part (word/document.xml or xl/workbook.xml)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


DOCX = ooxml("word/document.xml")
XLSX = ooxml("xl/workbook.xml")


def full_entries(view: A.AssessmentView, star: str) -> dict[str, editing.EntryInput]:
    """Full points on every criterion of a star (auto items get a figure inside the range)."""
    entries = {}
    for c in view.rubric.by_star(star):
        if c.auto is not None:
            figure = c.auto.minimum if c.auto.minimum is not None else c.auto.maximum
            entries[c.code] = editing.EntryInput(figure=str(figure), note="测试")
        else:
            entries[c.code] = editing.EntryInput(points=str(c.max_points), note="测试")
    return entries


def fill_all(
    actor: Actor, *, evidence: bool = True, stars: tuple[str, ...] = scoring.STAR_KEYS
) -> A.AssessmentView:
    """Score every criterion of `stars` at full points and attach a PDF where none is."""
    view = A.my_assessment(actor)
    for star in stars:
        view = A.my_assessment(actor)
        editing.save_star_page(
            actor,
            assessment_id=view.id,
            version=view.version,
            star=star,
            entries=full_entries(view, star),
        )
        if evidence:
            for e in view.star_entries(star):
                if e.criterion.evidence_required and not e.evidence:
                    E.upload_evidence(
                        actor,
                        assessment_id=view.id,
                        code=e.code,
                        filename=f"{e.code}.pdf",
                        content=PDF,
                    )
    return A.my_assessment(actor)


def star_points(view: A.AssessmentView, star: str) -> dict[str, Decimal | None]:
    return {e.code: e.self_points for e in view.star_entries(star)}
