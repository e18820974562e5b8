"""Logging for the application's `wuxing.*` loggers, configured once per process.

Lines go to stderr (journald, docker logs) with a timestamp, level and logger name; the level
comes from settings (LOG_LEVEL). Streamlit configures only its own loggers, so without this
`log.info` is dropped and `log.exception` prints without a time.
"""

from __future__ import annotations

import logging
import sys

from settings import get_settings

LOGGER = "wuxing"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_MARK = "_wuxing_handler"


def configure_logging(level: str | None = None) -> logging.Logger:
    """Attach one timestamped stderr handler to `wuxing` (again: only the level changes)."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel((level or get_settings().log_level).upper())
    if not any(getattr(h, _MARK, False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        setattr(handler, _MARK, True)
        logger.addHandler(handler)
    return logger


__all__ = ["FORMAT", "LOGGER", "configure_logging"]
