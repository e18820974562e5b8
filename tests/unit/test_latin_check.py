"""The Latin-script check of the browser test finds English and lets units, formats and codes by."""

from __future__ import annotations

from tests.e2e.latin import latin_texts, latin_words


def test_english_is_found() -> None:
    assert latin_words("Show/hide columns") == {"Show", "hide", "columns"}
    assert latin_words("Page not found") == {"Page", "not", "found"}
    assert latin_texts(["学习星", "Upload", "上传"]) == {"Upload"}


def test_units_formats_and_codes_pass() -> None:
    for text in (
        "单个文件不超过 10 MB，支持 PDF、JPG、PNG、Word（.docx）、Excel（.xlsx）",
        "L2.3-学时登记表.pdf",
        "演示账号 branch01、admin",
        "下载打印版（HTML，按 Ctrl+P 打印）",
        "2026（进行中）",
    ):
        assert not latin_words(text), text
