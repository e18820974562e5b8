"""The Chinese texts stay one place and earn their keep: every constant in texts/ is used."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "test-output", "data", ".git"}


def _code_outside_texts() -> str:
    parts = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).parts
        if SKIP.intersection(relative) or relative[0] == "texts":
            continue
        parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


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
    code = _code_outside_texts()
    texts_code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "texts").glob("*.py"))
    unused = [
        f"texts/{module}.py: {name}"
        for module, name in _constants()
        # Used by the app, or by another text (one defined in terms of another).
        if not re.search(rf"\b{name}\b", code) and len(re.findall(rf"\b{name}\b", texts_code)) <= 1
    ]
    assert unused == [], "text constants nobody shows:\n" + "\n".join(unused)


def test_the_check_sees_a_constant() -> None:
    assert ("common", "APP_TITLE") in _constants()
