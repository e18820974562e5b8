"""`python -m db prepare` (run by scripts/start.sh before the server starts): the demo city is
loaded into an empty database with a progress bar, and a second run only says it is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.__main__ import main
from db.engine import dispose_engines
from settings import get_settings


def test_prepare_loads_the_demo_once_with_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("DEMO_MODE", "1")
    get_settings.cache_clear()
    try:
        assert main(["prepare"]) == 0
        first = capsys.readouterr().out
        assert "正在载入演示数据" in first
        bars = [line for line in first.splitlines() if line.strip().startswith("[")]
        assert bars[0].strip().startswith("[....")
        assert bars[-1].strip().startswith("[####")
        assert any("2018 年" in line for line in bars)
        assert "演示数据已载入" in first

        assert main(["prepare"]) == 0
        second = capsys.readouterr().out
        assert "演示数据已在库中" in second
        assert "正在载入" not in second
    finally:
        dispose_engines()
        get_settings.cache_clear()
