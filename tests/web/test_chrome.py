"""The HTML page is served in Chinese: language tag, title, label script, widget preloads."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from texts import chrome as T
from web.chrome import ChineseChrome, idle_chunks, nested_page_target, widget_chunks

INDEX = '<!DOCTYPE html><html lang="en"><head><title>Streamlit</title></head><body></body></html>'


def _client() -> TestClient:
    async def index(_request):
        return HTMLResponse(INDEX)

    async def script(_request):
        return PlainTextResponse("</head>", media_type="text/javascript")

    app = Starlette(
        routes=[Route("/{path:path}", index), Route("/static/js/app.js", script)],
        middleware=[Middleware(ChineseChrome)],
    )
    app.router.routes.reverse()  # the script route first
    return TestClient(app)


def test_page_is_rewritten_in_chinese() -> None:
    response = _client().get("/learning", headers={"accept-encoding": "gzip"})
    html = response.text
    assert '<html lang="zh-CN">' in html
    assert "<title>五星示范 · 双优引领</title>" in html
    assert T.STREAMLIT_LABELS["Download as CSV"] in html
    assert int(response.headers["content-length"]) == len(response.content)
    assert "etag" not in response.headers


def test_widget_code_is_imported_with_the_page() -> None:
    chunks = widget_chunks()
    assert any(name.startswith("Multiselect.") for name in chunks)
    assert any(name.startswith("DataFrame.") for name in chunks)
    html = _client().get("/").text
    assert all(f"./static/js/{name}" in html for name in chunks)


def test_chart_code_is_imported_when_the_browser_is_idle() -> None:
    charts = idle_chunks()
    assert any(name.startswith("ArrowVegaLiteChart.") for name in charts)
    assert not set(charts) & set(widget_chunks())
    html = _client().get("/").text
    idle_call = html[html.index("requestIdleCallback") :]
    assert all(f"./static/js/{name}" in idle_call for name in charts)


def test_other_files_pass_untouched() -> None:
    assert _client().get("/static/js/app.js").text == "</head>"


def test_nested_address_is_sent_to_its_first_part() -> None:
    """Below /foo/bar the page's relative code addresses would load the page again (blank)."""
    client = _client()
    response = client.get("/learning/x?y=1", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/learning?y=1"
    response = client.get("/foo/bar/baz/", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/foo"
    assert client.get("/learning", follow_redirects=False).status_code == 200


def test_nested_target_under_a_sub_path() -> None:
    assert nested_page_target("/wuxing/foo/bar", "/wuxing/") == "/wuxing/foo"
    assert nested_page_target("/wuxing/foo", "wuxing") is None
    assert nested_page_target("/wuxing/", "wuxing") is None
    assert nested_page_target("/other/foo/bar", "wuxing") is None
    assert nested_page_target("/foo/bar", "") == "/foo"
    assert nested_page_target("/foo", "") is None
