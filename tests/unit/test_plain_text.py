"""ui.text.plain: user-written names shown exactly as written in Markdown-rendering elements."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.text import plain

TRICKS = [
    "![x](http://evil.example/a.png)",
    "[点我](javascript:alert(1))",
    ":red[红色] :material/home: :smile:",
    "<img src=x onerror=alert(1)>",
    "&lt;b&gt;",
    "**粗体** _斜体_ `代码` ~~删除~~ $x^2$",
    "# 标题\n- 列表\n| 表 | 格 |",
    "第一行\r\n第二行\u2028第三行",
]


@pytest.mark.parametrize("text", TRICKS)
def test_every_markdown_character_is_escaped(text: str) -> None:
    shown = plain(text)
    assert "\n" not in shown
    assert "\r" not in shown
    assert "\u2028" not in shown
    # Every ASCII punctuation mark that Markdown, directives, HTML or LaTeX use is escaped.
    for match in re.finditer(r"[\[\]()!<>:&*_`~$#|\-]", shown):
        assert shown[match.start() - 1] == "\\", (text, shown)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_removing_the_escapes_gives_the_text_back(text: str) -> None:
    flat = re.sub(r"[\r\n\u2028\u2029\x0b\x0c\x85]+", " ", text)
    assert re.sub(r"\\(.)", r"\1", plain(text), flags=re.S) == flat


def test_chinese_names_are_unchanged() -> None:
    assert plain("中共绍兴市示例局第一党支部") == "中共绍兴市示例局第一党支部"
    assert plain(None) == ""
