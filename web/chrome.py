"""Chinese for Streamlit's own frontend labels: a script injected into the app's HTML page.

The page Streamlit serves (index.html) is rewritten on its way out: ``lang="zh-CN"``, the
application's title instead of "Streamlit" in the tab before the first run, and an inline script
that replaces the English labels of texts/chrome.py wherever they appear (text, title,
aria-label, aria-roledescription, placeholder), now and whenever Streamlit draws them later
(tooltips, menus).
Everything is served by this server: nothing is loaded from outside.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from pathlib import Path

import streamlit
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from settings import get_settings
from texts import chrome as T
from texts import common as C

_SCRIPT = """(() => {
  if (window.__wxChrome) return;
  window.__wxChrome = true;
  const T = %(labels)s;
  const P = %(patterns)s.map(([re, to]) => [new RegExp(re), to]);
  const chinese = (key) => {
    if (Object.prototype.hasOwnProperty.call(T, key)) return T[key];
    for (const [re, to] of P) if (re.test(key)) return key.replace(re, to);
    return null;
  };
  const ATTRS = ["title", "aria-label", "aria-roledescription", "placeholder"];
  const fixText = (node) => {
    const value = node.nodeValue;
    const key = value && value.trim();
    if (key && Object.prototype.hasOwnProperty.call(T, key)) {
      node.nodeValue = value.replace(key, T[key]);
    }
  };
  const fixElement = (el) => {
    for (const name of ATTRS) {
      const value = el.getAttribute(name);
      const key = value && value.trim();
      const to = key && chinese(key);
      if (to !== null && to !== undefined && to !== key) el.setAttribute(name, to);
    }
  };
  const fixTree = (root) => {
    if (root.nodeType === 3) return fixText(root);
    if (root.nodeType !== 1) return;
    fixElement(root);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.nodeType === 3) fixText(n); else fixElement(n);
    }
  };
  const observer = new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === "characterData") fixText(m.target);
      else if (m.type === "attributes") fixElement(m.target);
      else m.addedNodes.forEach(fixTree);
    }
  });
  const start = () => {
    fixTree(document.body);
    observer.observe(document.body, {
      subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ATTRS,
    });
  };
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();"""


def chrome_script() -> str:
    """The inline script (labels as JSON; "</" escaped so no label can close the tag)."""
    labels = json.dumps(T.STREAMLIT_LABELS, ensure_ascii=False).replace("</", "<\\/")
    patterns = json.dumps(T.STREAMLIT_PATTERNS, ensure_ascii=False).replace("</", "<\\/")
    return _SCRIPT % {"labels": labels, "patterns": patterns}


# The widgets our pages draw. Streamlit loads each one's code only when it first appears and
# shows a grey placeholder meanwhile (1-2 s on a busy server for the filters of 实时排名);
# importing them as soon as the page has loaded puts every widget on screen with the page.
EAGER_WIDGETS = (
    "DataFrame",
    "Multiselect",
    "Selectbox",
    "TextInput",
    "TextArea",
    "NumberInput",
    "ButtonGroup",
    "DownloadButton",
    "FileUploader",
    "Checkbox",
    "Radio",
    "Html",
    "Metric",
    "Progress",
    "PageLink",
    "Table",
)
# The charts' code (Vega, far the largest) is imported once the browser is idle: compiled at
# page load it held up every page's first drawing (实时排名's grid by ~0.2-0.3 s), and a page
# with a chart imports it the moment the chart arrives anyway.
IDLE_WIDGETS = ("ArrowVegaLiteChart",)


def _chunks(widgets: tuple[str, ...]) -> tuple[str, ...]:
    folder = Path(streamlit.__file__).parent / "static" / "static" / "js"
    names = sorted(p.name for p in folder.glob("*.js"))
    return tuple(n for n in names if n.split(".", 1)[0] in widgets)


@cache
def widget_chunks() -> tuple[str, ...]:
    """File names of the installed Streamlit's code chunks for EAGER_WIDGETS."""
    return _chunks(EAGER_WIDGETS)


@cache
def idle_chunks() -> tuple[str, ...]:
    """File names of the installed Streamlit's code chunks for IDLE_WIDGETS."""
    return _chunks(IDLE_WIDGETS)


def preload_script() -> str:
    """A module script that imports the widget chunks once the page has loaded, and the chart
    chunks when the browser is next idle (within 3 s)."""
    now = json.dumps([f"./static/js/{name}" for name in widget_chunks()])
    idle = json.dumps([f"./static/js/{name}" for name in idle_chunks()])
    return (
        '<script type="module">window.addEventListener("load", () => {'
        "const get = (urls) => { for (const u of urls) import(u).catch(() => {}); };"
        f"get({now});"
        "const later = window.requestIdleCallback || ((f) => setTimeout(f, 1000));"
        f"later(() => get({idle}), {{ timeout: 3000 }});"
        "});</script>"
    )


_STREAMLIT_TITLE = "<title>Streamlit</title>"


def localise_index(html: str) -> str:
    """index.html with the Chinese language tag, title, label script and widget preloads."""
    html = html.replace('<html lang="en">', f'<html lang="{T.HTML_LANG}">', 1)
    html = html.replace(_STREAMLIT_TITLE, f"<title>{escape(C.APP_TITLE)}</title>", 1)
    head = f"<script>{chrome_script()}</script>{preload_script()}</head>"
    return html.replace("</head>", head, 1)


def nested_page_target(path: str, base_url_path: str) -> str | None:
    """Where a page address nested below another (/foo/bar, /learning/x) is sent, or None.

    Streamlit serves its page under any address, but the page loads its code relative to the
    address ("./static/js/…"), which below a nested one is the page again: the browser shows
    nothing at all. The first part of the address is a page address (or an unknown one, which
    the app answers in Chinese), so the visitor is sent there.
    """
    base = base_url_path.strip("/")
    rest = path.strip("/")
    if base:
        if rest != base and not rest.startswith(base + "/"):
            return None
        rest = rest[len(base) :].strip("/")
    if "/" not in rest:
        return None
    first = rest.split("/", 1)[0]
    return "/" + "/".join(p for p in (base, first) if p)


# Our own plain pages (the anonymous ballot): complete as served, no Streamlit code to load.
OWN_PAGES = ("/ballot",)


def _is_page_request(scope: Scope) -> bool:
    """A GET for a Streamlit page (/, /learning, …), not for a script, style, image or API."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    if scope["path"].rstrip("/").endswith(OWN_PAGES):
        return False
    last = scope["path"].rstrip("/").rsplit("/", 1)[-1]
    return "." not in last and "/_stcore/" not in scope["path"] + "/"


class ChineseChrome:
    """ASGI middleware: rewrites the HTML page Streamlit serves (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_page_request(scope):
            await self.app(scope, receive, send)
            return
        # Ask for the page uncompressed: it is a few kB, and it has to be edited.
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
        scope = {**scope, "headers": headers}
        start: Message | None = None
        body = bytearray()
        is_html = False

        async def capture(message: Message) -> None:
            nonlocal start, is_html
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                is_html = content_type.startswith(b"text/html")
                if not is_html:
                    await send(message)
                    return
                start = message
                return
            if not is_html:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            assert start is not None
            text = body.decode("utf-8")
            target = nested_page_target(scope["path"], get_settings().base_url_path)
            if target is not None and _STREAMLIT_TITLE in text:
                query = scope.get("query_string", b"")
                location = target + ("?" + query.decode("latin-1") if query else "")
                await send(
                    {
                        "type": "http.response.start",
                        "status": 302,
                        "headers": [
                            (b"location", location.encode("latin-1")),
                            (b"content-length", b"0"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
            page = localise_index(text).encode("utf-8")
            headers = [
                (k, v)
                for k, v in start.get("headers", [])
                if k.lower() not in (b"content-length", b"etag", b"content-encoding")
            ]
            headers.append((b"content-length", str(len(page)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, capture)
