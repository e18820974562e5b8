"""Each web test starts with empty login rate limiters (they live for the process)."""

from __future__ import annotations

import pytest

from web.routes import limiters


@pytest.fixture(autouse=True)
def _fresh_limiters() -> None:
    limiters.cache_clear()
