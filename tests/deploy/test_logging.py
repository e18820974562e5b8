"""The application's log lines reach stderr once, with a time, at the configured level."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from logs import LOGGER, configure_logging
from settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
STAMP = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}"


@pytest.fixture
def wuxing() -> Iterator[logging.Logger]:
    logger = logging.getLogger(LOGGER)
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_info_and_exceptions_are_timestamped_on_stderr(
    wuxing: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    wuxing.handlers.clear()
    configure_logging("INFO")
    configure_logging("INFO")  # a second call adds no second handler
    logging.getLogger("wuxing.services").info("saved %s", "L1.1")
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("wuxing.web").exception("route failed")
    logging.getLogger("wuxing.services").debug("not shown at INFO")
    err = capsys.readouterr().err
    assert re.search(rf"^{STAMP} INFO wuxing\.services: saved L1\.1$", err, re.M), err
    assert re.search(rf"^{STAMP} ERROR wuxing\.web: route failed$", err, re.M), err
    assert "ValueError: boom" in err
    assert "not shown" not in err
    assert err.count("saved L1.1") == 1


def test_level_comes_from_settings(wuxing: logging.Logger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    try:
        assert configure_logging().level == logging.WARNING
    finally:
        get_settings.cache_clear()


def test_app_configures_logging_when_the_server_imports_it() -> None:
    """Importing app.py (what `streamlit run` does) leaves `wuxing` with its stderr handler."""
    code = (
        "import logging, app; "
        "h = logging.getLogger('wuxing').handlers; "
        "print(len(h), logging.getLogger('wuxing').level)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DEMO_MODE": "1", "LOG_LEVEL": "DEBUG", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert out.stdout.split() == ["1", str(logging.DEBUG)]
