"""The browser tests' two groups (tests/conftest.py): one per worker under scripts/test.sh."""

from pathlib import Path

from tests.conftest import browser_group

ROOT = Path(__file__).resolve().parents[2]


def test_modules_on_the_shared_server_go_together_and_the_rest_to_the_other_group() -> None:
    groups: dict[str, set[str]] = {}
    for path in sorted((ROOT / "tests" / "e2e").glob("test_*.py")):
        module = path.relative_to(ROOT).as_posix()
        groups.setdefault(browser_group(module + "::test"), set()).add(path.stem)
    assert set(groups) == {"browser-shared", "browser-own"}
    assert {"test_every_page", "test_bookmarks"} <= groups["browser-shared"]
    assert {"test_multiprocess", "test_sso"} <= groups["browser-own"]
    for name in groups["browser-own"]:
        assert "live_server" not in (ROOT / "tests" / "e2e" / f"{name}.py").read_text()


def test_other_tests_have_no_browser_group() -> None:
    assert browser_group("tests/services/test_review.py::test_x[sqlite]") == ""
