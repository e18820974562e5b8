"""/healthz answers 200 only when the database answers too."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

with warnings.catch_warnings():  # "use httpx2" notice of recent Starlette releases
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from db.engine import dispose_engines
from settings import get_settings
from web.routes import HEALTH_PATH, ROUTES


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(Starlette(routes=ROUTES)) as test_client:
        yield test_client


def test_health_ok_with_a_migrated_database(db_url: str, client: TestClient) -> None:
    response = client.get(HEALTH_PATH)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_health_503_when_the_database_is_unreachable(
    monkeypatch: pytest.MonkeyPatch, client: TestClient
) -> None:
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:nothing@127.0.0.1:1/none")
    get_settings.cache_clear()
    try:
        response = client.get(HEALTH_PATH)
    finally:
        dispose_engines()
        get_settings.cache_clear()
    assert response.status_code == 503
    assert response.json()["status"] != "ok"


def test_health_503_when_the_sqlite_folder_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, client: TestClient
) -> None:
    # A file that cannot be created (its "folder" is a regular file).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{blocker}/app.db")
    get_settings.cache_clear()
    try:
        response = client.get(HEALTH_PATH)
    except Exception as exc:  # engine creation itself may fail before the route catches it
        pytest.fail(f"/healthz raised instead of answering 503: {exc!r}")
    finally:
        dispose_engines()
        get_settings.cache_clear()
    assert response.status_code == 503
