"""The one way user-written text (file, organisation and user names, notes) reaches the screen.

Streamlit reads labels, captions and markdown as Markdown: a name like ``![x](http://…)`` would
make every reviewer's browser fetch that address, ``:red[…]`` would colour it, ``<b>`` or
``&lt;`` would be interpreted. `plain` escapes all of it so the text shows exactly as written.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character Markdown, Streamlit's directives (:red[…], :material/…:),
# LaTeX ($) or HTML entities (&) could use; CommonMark defines "\" + any of them as literal.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^%\"'@/])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def plain(text: object) -> str:
    """`text` for a Markdown-rendering element (label, caption, markdown) shown as written."""
    value = "" if text is None else str(text)
    # A line break would start a new Markdown block (a heading, a list, a table).
    return _SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", value))


__all__ = ["plain"]
