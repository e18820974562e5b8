"""The Chinese texts stay one place and earn their keep: every constant in texts/ is used."""

from __future__ import annotations

import ast
import re
from collections import Counter

from tests.source_files import ROOT, python_files

NAME = re.compile(r"\b[A-Z_][A-Z0-9_]*\b")  # how a text constant is named and referred to


def _code_outside_texts() -> str:
    sources = python_files(skip=frozenset({"tests", "texts"}))
    return "\n".join(path.read_text(encoding="utf-8") for path in sources)


def _constants() -> list[tuple[str, str]]:
    """(module, NAME) of every upper-case module-level constant in texts/."""
    found = []
    for path in sorted((ROOT / "texts").glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            found += [
                (path.stem, t.id) for t in targets if isinstance(t, ast.Name) and t.id.isupper()
            ]
    return found


def test_every_text_constant_is_used() -> None:
    used = set(NAME.findall(_code_outside_texts()))
    texts_code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "texts").glob("*.py"))
    in_texts = Counter(NAME.findall(texts_code))
    unused = [
        f"texts/{module}.py: {name}"
        for module, name in _constants()
        # Used by the app, or by another text (one defined in terms of another).
        if name not in used and in_texts[name] <= 1
    ]
    assert unused == [], "text constants nobody shows:\n" + "\n".join(unused)


def test_the_check_sees_a_constant() -> None:
    assert ("common", "APP_TITLE") in _constants()
