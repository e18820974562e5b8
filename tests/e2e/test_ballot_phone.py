"""On a phone (390×844): a member opens a ballot code's link, rates every member and the branch,
submits and sees 已提交; opening the same link again is refused. Screenshots of each step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import LiveServer, demo_server
from texts import ballot as T

pytestmark = pytest.mark.e2e

# Run in the database before the server starts: a branch with a roster, an open round and its
# codes (written to a file only this test reads; the database holds their hashes).
SETUP = """
import json
from db.services import ballots
from tests.ballot_helpers import ballot_branch
branch = ballot_branch(members=6)
issued = ballots.issue_codes(branch.secretary, round_id=branch.round_id, org_id=branch.org_id)
open({path!r}, "w").write(json.dumps(list(issued.codes)))
"""


@pytest.fixture(scope="module")
def ballot_server(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: str
) -> Iterator[tuple[LiveServer, list[str]]]:
    codes_file = tmp_path_factory.mktemp("ballot-codes") / "codes.json"
    setup = SETUP.format(path=str(codes_file))
    with demo_server(tmp_path_factory, "ballot-phone", before_start=setup) as server:
        yield server, json.loads(Path(codes_file).read_text())


def test_a_member_votes_once_on_a_phone(ballot_server, browser, shots) -> None:
    from db.services.ballots import format_code

    server, codes = ballot_server
    link = f"{server.url}/ballot#{format_code(codes[0])}"
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        external: list[str] = []
        page.on(
            "request",
            lambda r: external.append(r.url) if not r.url.startswith(server.url) else None,
        )
        page.goto(link)
        page.wait_for_selector("fieldset")
        assert "#" not in page.url  # the code left the address bar
        fieldsets = page.locator("fieldset")
        assert fieldsets.count() == 7  # six members and the branch's work
        # Readable at phone width: nothing wider than the screen.
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390
        shots(page, "form")
        for i in range(fieldsets.count()):
            fieldsets.nth(i).get_by_text("合格", exact=True).click()
        page.get_by_role("button", name=T.SUBMIT).click()
        page.wait_for_selector("text=" + T.DONE_TITLE)
        shots(page, "submitted")
        assert T.DONE_TEXT in page.inner_text("body")

        again = context.new_page()
        again.goto(link)
        again.wait_for_selector("text=" + T.REFUSED_TITLE)
        body = again.inner_text("body")
        assert T.ERR_CODE_USED in body
        assert "党员01" not in body
        shots(again, "refused")
        assert external == []
    finally:
        context.close()
