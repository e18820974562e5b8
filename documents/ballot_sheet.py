"""The printable sheet of one-time ballot codes: one slip per code, a QR code (inline SVG made
by segno, offline) with the link and the code under it. No database, no Streamlit; nothing
loaded from outside, so it prints from a file as well."""

from __future__ import annotations

from html import escape

import segno

from texts import ballot as T

_STYLE = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#111}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.2rem;margin:0 0 .3rem}
.intro{margin:0 0 .8rem;color:#333}
.slips{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:0}
.slip{border:1px dashed #888;padding:.7rem;text-align:center;break-inside:avoid}
.slip svg{width:9.5rem;height:9.5rem}
.no{font-size:.8rem;color:#555}
.link{font-family:ui-monospace,monospace;font-size:.72rem;word-break:break-all}
.code{font-family:ui-monospace,monospace;font-size:1rem;font-weight:600;letter-spacing:.04em}
@media print{main{max-width:none;padding:0}.slip{page-break-inside:avoid}}
"""


def qr_svg(link: str) -> str:
    """The link as an inline SVG QR code (error correction M: survives a crease)."""
    return str(segno.make(link, error="m").svg_inline(scale=4, border=2, omitsize=True))


def ballot_sheet_html(org_name: str, round_label: str, slips: list[tuple[str, str]]) -> str:
    """The sheet for (link, printed code) pairs, in the order given."""
    title = T.SHEET_TITLE.format(org=org_name, round=round_label)
    cells = "".join(
        '<div class="slip">'
        f'<div class="no">{escape(T.SHEET_SLIP.format(n=n))}</div>'
        f"{qr_svg(link)}"
        f'<div class="link">{escape(link)}</div>'
        f'<div class="code">{escape(T.SHEET_CODE.format(code=code))}</div>'
        "</div>"
        for n, (link, code) in enumerate(slips, start=1)
    )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body><main>"
        f'<h1>{escape(title)}</h1><p class="intro">{escape(T.SHEET_INTRO)}</p>'
        f'<div class="slips">{cells}</div></main></body></html>'
    )
