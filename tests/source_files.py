"""The project's own source files, found without walking into .venv, .git or test output."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_SOURCE = frozenset({".venv", ".git", "test-output", "data", "node_modules", ".mypy_cache"})


def python_files(*, skip: frozenset[str] = frozenset()) -> list[Path]:
    """Every .py file of the project in path order, outside NOT_SOURCE and `skip` folders.

    Folders are pruned before they are entered: a rglob over ROOT walks the whole virtualenv
    first (tens of thousands of files) and only then filters.
    """
    pruned = NOT_SOURCE | skip
    found: list[Path] = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in pruned]
        found += [Path(folder, name) for name in files if name.endswith(".py")]
    return sorted(found)
