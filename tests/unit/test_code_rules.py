"""What README and docs/architecture.md promise about the code itself, checked on the files.

- a type-ignore comment names its error code and says why, on the same line;
- no module in db/services passes 600 lines (business actions only, one concern each);
- every setting in .env.example is documented in README.md or docs/;
- Chinese wording lives in texts/ (and rubric.py), not in the application code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from tests.source_files import ROOT, python_files

SERVICE_LINES_MAX = 600

# `# type: ignore[code]  # reason`: the code in brackets, then a comment of its own.
IGNORE = re.compile(r"#\s*type:\s*ignore\b(?P<rest>.*)$")
EXPLAINED = re.compile(r"^\[[a-z0-9-]+(,\s*[a-z0-9-]+)*\]\s+#\s*\S")


def unexplained_ignores(text: str) -> list[int]:
    """Line numbers of `type: ignore` comments without an error code and a reason."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if (found := IGNORE.search(line)) and not EXPLAINED.match(found.group("rest").strip())
    ]


def test_every_type_ignore_names_its_code_and_says_why() -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in python_files()
        for number in unexplained_ignores(path.read_text(encoding="utf-8"))
    ]
    assert bad == [], "write `# type: ignore[code]  # why` (or fix the type):\n" + "\n".join(bad)


def test_the_ignore_check_tells_a_reason_from_none() -> None:
    tag = "# type: " + "ignore"  # split, so this file holds no ignore comment itself
    assert unexplained_ignores(f"x = f()  {tag}") == [1]
    assert unexplained_ignores(f"x = f()  {tag}[arg-type]") == [1]
    assert unexplained_ignores(f"x = f()  {tag}  # stubs are wrong") == [1]
    assert unexplained_ignores(f"x = f()  {tag}[arg-type]  # pandas stubs lack Int64") == []
    assert unexplained_ignores(f"ok = 1\nx = f()  {tag}[misc, arg-type]  # see #12") == []


def test_no_service_module_passes_600_lines() -> None:
    modules = sorted((ROOT / "db" / "services").glob("*.py"))
    assert len(modules) > 10, "the services were found"
    long = {
        path.name: lines
        for path in modules
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > SERVICE_LINES_MAX
    }
    assert long == {}, f"split these by concern (at most {SERVICE_LINES_MAX} lines): {long}"


def _env_example_settings() -> list[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE)


def test_every_setting_in_env_example_is_documented() -> None:
    docs = (ROOT / "README.md").read_text(encoding="utf-8") + "\n".join(
        path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs").rglob("*.md"))
    )
    settings = _env_example_settings()
    assert len(settings) > 10, "the settings were found"
    missing = [name for name in settings if not re.search(rf"\b{name}\b", docs)]
    assert missing == [], "settings not described in README.md or docs/: " + ", ".join(missing)


# ----------------------------------------------------------------------------- Chinese text

HAN = re.compile(r"[\u3400-\u9fff]")
APP_CODE = [
    "app.py",
    "formatting.py",
    "logs.py",
    "permissions.py",
    "scoring.py",
    "settings.py",
    "vanguard.py",
    "db",
    "documents",
    "pages",
    "ui",
    "web",
]
# Chinese that is data, not wording: what the database stores and the demo city's content.
DATA_MODULES = {
    "db/models.py": "the values stored in the database (regions, 业绩 grades)",
    "db/seed.py": "the demo city's made-up names and notes",
    "db/seed_scores.py": "the demo city's made-up notes and grades",
    "db/seed_levels.py": "the demo city's made-up committee name",
    "db/demo_files.py": "the demo evidence files' names and content",
    "scoring.py": "the grade value 优秀 (as stored) and the counting units of a figure (次, 人…)",
}
# Wording not yet moved to texts/: a count per module that may only go down (move, then lower
# it); empty now, kept for a module whose wording is moved in steps.
NOT_YET_MOVED: dict[str, int] = {}


def _app_modules() -> Iterator[Path]:
    for name in APP_CODE:
        path = ROOT / name
        found = [path] if path.is_file() else sorted(path.rglob("*.py"))
        yield from (p for p in found if "migrations" not in p.relative_to(ROOT).parts)


def chinese_literals(source: str) -> list[str]:
    """The string constants with Chinese characters, docstrings left out."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            docstrings.add(id(body[0].value))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and HAN.search(node.value)
    ]


def test_chinese_wording_lives_in_texts() -> None:
    modules = list(_app_modules())
    assert len(modules) > 50, "the application code was found"
    found = {
        name: len(literals)
        for path in modules
        if (name := path.relative_to(ROOT).as_posix()) not in DATA_MODULES
        and (literals := chinese_literals(path.read_text(encoding="utf-8")))
    }
    over = {name: count for name, count in found.items() if count > NOT_YET_MOVED.get(name, 0)}
    assert over == {}, f"move these strings to texts/ (Chinese literals per module): {over}"
    moved = {name: found.get(name, 0) for name, count in NOT_YET_MOVED.items()}
    assert moved == NOT_YET_MOVED, f"fewer literals left: lower NOT_YET_MOVED to {moved}"


def test_the_chinese_check_skips_docstrings_and_comments() -> None:
    source = 'def f() -> str:\n    """说明。"""\n    # 注释\n    return "标题" + "abc"\n'
    assert chinese_literals(source) == ["标题"]
