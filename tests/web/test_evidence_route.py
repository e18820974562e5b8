"""Evidence files only behind a valid session (issue 12, finding 1): every evidence link the
pages draw, fetched without a cookie, with another organisation's cookie and after logout, is
refused; with the right cookie it is an attachment that the browser will not sniff."""

from __future__ import annotations

import json
from urllib.parse import unquote

from sqlmodel import select
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient

from db.engine import read_session
from db.models import AuditLog
from db.seed import DEMO_PASSWORD
from db.services import assessment as A
from db.services import editing
from db.services import evidence as E
from tests.assessment_helpers import PDF, fill_all
from tests.utils import actor, open_page
from web.cookies import COOKIE_NAME
from web.middleware import SecurityMiddleware
from web.routes import ROUTES, evidence_url

ORIGIN = {"origin": "http://testserver"}
# A name that Markdown would turn into an image fetched from elsewhere.
TRICKY_NAME = "![x](evil.png) :red[会议记录] <img src=x onerror=alert(1)>.pdf"


def _client() -> TestClient:
    app = Starlette(routes=ROUTES, middleware=[Middleware(SecurityMiddleware)])
    return TestClient(app, follow_redirects=False)


def _logged_in(username: str) -> TestClient:
    client = _client()
    response = client.post(
        "/session/login", data={"username": username, "password": DEMO_PASSWORD}, headers=ORIGIN
    )
    assert response.status_code == 303
    assert COOKIE_NAME in client.cookies
    return client


def _branch01_file() -> int:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    info = E.upload_evidence(
        branch, assessment_id=view.id, code="L3.4", filename=TRICKY_NAME, content=PDF
    )
    return info.id


def _assert_refused(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (403, 404), (url, response.status_code)
    assert PDF not in response.content
    assert "attachment" not in response.headers.get("content-disposition", "")


def test_download_needs_the_session_and_the_organisation(city: str) -> None:
    file_id = _branch01_file()
    url = evidence_url(file_id)
    owner = _logged_in("branch01")
    response = owner.get(url)
    assert response.status_code == 200
    assert response.content == PDF
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == TRICKY_NAME
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "no-store" in response.headers["cache-control"]
    for city_role in ("reviewer", "leader", "admin"):
        assert _logged_in(city_role).get(url).status_code == 200

    _assert_refused(_client(), url)  # no cookie
    _assert_refused(_logged_in("branch02"), url)  # another organisation's session
    forged = _client()
    forged.cookies.set(COOKIE_NAME, "forged.value")
    _assert_refused(forged, url)
    owner.post("/session/logout", headers=ORIGIN)
    _assert_refused(owner, url)  # after logout (the browser dropped the cookie)
    stolen = _client()  # ... and the old cookie kept by someone else
    stolen.cookies.set(COOKIE_NAME, response.request.headers["cookie"].split("=", 1)[1])
    _assert_refused(stolen, url)


def test_downloads_and_refusals_are_logged(city: str) -> None:
    file_id = _branch01_file()
    _logged_in("reviewer").get(evidence_url(file_id))
    _client().get(evidence_url(file_id))
    with read_session() as session:
        rows = session.exec(select(AuditLog).where(AuditLog.target_id == str(file_id))).all()
    actions = [(r.action, r.actor_name) for r in rows]
    assert ("download_evidence", "reviewer") in actions
    denied = [r for r in rows if r.action == "access_denied"]
    assert denied
    assert json.loads(denied[0].detail)["attempted"] == "view_assessment"


def test_an_unknown_file_is_not_found_only_for_logged_in_city_roles(city: str) -> None:
    _assert_refused(_client(), evidence_url(999_999))
    assert _logged_in("reviewer").get(evidence_url(999_999)).status_code == 404


def _evidence_links(at) -> list[str]:
    return [e.proto.url for e in at.get("link_button") if "/evidence/" in e.proto.url]


def _no_evidence_bytes_in_download_buttons(at, file_name: str) -> None:
    for button in at.get("download_button"):
        assert file_name not in button.proto.label


def test_every_evidence_link_the_pages_draw_is_refused_without_the_right_session(
    demo_city: str,
) -> None:
    file_id = _branch01_file()
    branch = actor("branch01")
    view = fill_all(branch)
    editing.submit_assessment(branch, assessment_id=view.id, version=view.version)
    urls: set[str] = set()

    at = open_page("branch01", "pages/learning.py", timeout=90)
    assert not at.exception
    urls.update(_evidence_links(at))
    _no_evidence_bytes_in_download_buttons(at, "会议记录")

    at = open_page("reviewer", "pages/review.py", timeout=90)
    at.session_state["review:pick"] = view.id
    at.run()
    assert not at.exception
    urls.update(_evidence_links(at))
    _no_evidence_bytes_in_download_buttons(at, "会议记录")
    # The file name is the link's label, escaped: no image link reaches the browser as Markdown.
    labels = [e.proto.label for e in at.get("link_button") if "/evidence/" in e.proto.url]
    assert labels
    assert all("![x](evil" not in label for label in labels)

    at = open_page("leader", "pages/rankings.py", timeout=90)
    at.session_state["rk_detail"] = branch.org_id
    at.run()
    assert not at.exception
    urls.update(_evidence_links(at))

    assert evidence_url(file_id) in urls
    assert len(urls) > 10  # fill_all attached a file to every criterion that asks for one
    owner, other = _logged_in("branch01"), _logged_in("branch02")
    anonymous, gone = _client(), _logged_in("leader")
    gone.post("/session/logout", headers=ORIGIN)
    for url in sorted(urls):
        assert owner.get(url).status_code == 200
        _assert_refused(anonymous, url)
        _assert_refused(other, url)
        _assert_refused(gone, url)
