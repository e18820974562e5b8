"""The phone page of 民主评议 (web/ballot.py): plain HTML, no external assets, Chinese, CSRF-safe;
a code opens the form once, casts once, and an unknown code shows its refusal and nothing else."""

from __future__ import annotations

import re
import warnings

from starlette.applications import Starlette

from db.services import ballots as B
from tests.ballot_helpers import ballot_branch
from texts import ballot as T
from web import routes
from web.chrome import _is_page_request

with warnings.catch_warnings():  # "use httpx2" notice of recent Starlette releases
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ORIGIN = {"origin": "http://testserver"}


def _client() -> TestClient:
    return TestClient(Starlette(routes=routes.ROUTES), follow_redirects=False)


def _self_contained(html: str) -> None:
    assert '<html lang="zh-CN">' in html
    assert 'name="viewport"' in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "external asset"
    assert "<link" not in html
    assert "@import" not in html


def test_the_code_page_is_plain_and_takes_the_code_from_the_fragment(demo_city: str) -> None:
    response = _client().get("/ballot")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    _self_contained(html)
    assert T.CODE_LABEL in html
    assert T.OPEN_BUTTON in html
    assert "location.hash" in html  # the code never travels in the request line
    # Streamlit's page rewriting leaves this page alone.
    assert not _is_page_request({"type": "http", "method": "GET", "path": "/ballot"})


def test_a_member_opens_rates_and_submits_once(demo_city: str) -> None:
    branch = ballot_branch(members=5)
    code = B.issue_codes(branch.secretary, round_id=branch.round_id, org_id=branch.org_id).codes[0]
    client = _client()
    opened = client.post("/ballot", data={"code": B.format_code(code)}, headers=ORIGIN)
    assert opened.status_code == 200
    html = opened.text
    _self_contained(html)
    assert all(f"党员{n:02d}" in html for n in range(1, 6))
    assert T.BRANCH_LEGEND in html
    assert html.count('type="radio"') == 6 * 4
    form = {"code": B.format_code(code), "branch": "1"}
    form |= {f"m{member_id}": "0" for member_id in branch.member_ids}
    done = client.post("/ballot/cast", data=form, headers=ORIGIN)
    assert done.status_code == 200
    assert T.DONE_TITLE in done.text
    again = client.post("/ballot/cast", data=form, headers=ORIGIN)
    assert again.status_code == 409
    assert T.ERR_CODE_USED in again.text
    reopened = client.post("/ballot", data={"code": code}, headers=ORIGIN)
    assert reopened.status_code == 410
    assert T.ERR_CODE_USED in reopened.text
    assert "党员01" not in reopened.text


def test_refusals_say_why_and_nothing_else(demo_city: str) -> None:
    branch = ballot_branch(members=5)
    code = B.issue_codes(branch.secretary, round_id=branch.round_id, org_id=branch.org_id).codes[0]
    client = _client()
    unknown = client.post("/ballot", data={"code": "2222-3333-4444-5555"}, headers=ORIGIN)
    assert unknown.status_code == 404
    body = re.sub(r"<style>.*?</style>", "", unknown.text, flags=re.S)
    text = re.sub(r"<[^>]+>", "", body)
    assert text == T.PAGE_TITLE + T.REFUSED_TITLE + T.ERR_CODE_UNKNOWN
    # A post from another site (no or foreign Origin) is refused before the code is looked at.
    for headers in ({}, {"origin": "http://evil.example"}):
        forged = client.post("/ballot/cast", data={"code": code}, headers=headers)
        assert forged.status_code == 403
        assert T.REQUEST_REFUSED in forged.text
    # A tampered form writes nothing and keeps the code.
    bad = client.post(
        "/ballot/cast", data={"code": code, f"m{branch.member_ids[0]}": "x"}, headers=ORIGIN
    )
    assert bad.status_code == 400
    assert T.ERR_RATING_INVALID in bad.text
    incomplete = client.post("/ballot/cast", data={"code": code, "branch": "0"}, headers=ORIGIN)
    assert incomplete.status_code == 400
    assert T.ERR_RATING_MISSING in incomplete.text
    assert B.open_ballot(code).members
