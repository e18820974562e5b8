"""Small, valid PDF and PNG files for the demo city's evidence (generated, not shipped).

One file per criterion, shared by every demo assessment that needs it: the seed stays fast and
the files pass the same content checks as real uploads (`evidence.detect_kind`).
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from dataclasses import dataclass

from rubric import Rubric

_SEPARATORS = re.compile(r"[、，,；;。（(]")
NAME_MAX = 30


@dataclass(frozen=True)
class DemoFile:
    filename: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def demo_pdf(label: str) -> bytes:
    """A one-page PDF that shows `label` (ASCII), with a correct cross-reference table."""
    text = label.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 24 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length " + str(len(stream)).encode() + b">>stream\n" + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj".encode() + body + b"endobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def demo_png(rgb: tuple[int, int, int], size: int = 16) -> bytes:
    """A small solid-colour PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * size
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def demo_files(rubric: Rubric) -> dict[str, DemoFile]:
    """A file per criterion and 加分项: a PNG where the rubric asks for photos, else a PDF."""
    files = {}
    for i, c in enumerate(c for c in rubric.criteria if c.kind in ("criterion", "bonus")):
        first = _SEPARATORS.split(c.evidence or "")[0].strip()[:NAME_MAX] or "佐证材料"
        if "照片" in (c.evidence or ""):
            colour = (192, 57 + (i * 13) % 120, 43)
            files[c.code] = DemoFile(f"{c.code}-活动照片.png", "image/png", demo_png(colour))
        else:
            files[c.code] = DemoFile(f"{c.code}-{first}.pdf", "application/pdf", demo_pdf(c.code))
    return files


__all__ = ["DemoFile", "demo_files", "demo_pdf", "demo_png"]
