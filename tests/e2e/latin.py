"""Finding Latin-script words a user can see on a page (text, tooltips, placeholders, tab title).

Allowed: units, file types and formats, and codes (any token with a digit: L2.3, branch01).
Everything else written in Latin letters is English chrome a Chinese user should not meet.
"""

from __future__ import annotations

import re

# Units, file extensions/formats and names of keys: what a Chinese interface writes in Latin.
ALLOWED_WORDS = frozenset(
    {
        *("pdf", "jpg", "jpeg", "png", "docx", "doc", "xlsx", "xls", "csv", "yaml", "yml"),
        *("txt", "html", "excel", "word", "zip", "kb", "mb", "gb", "px"),
        *("ctrl", "enter", "esc", "tab", "shift"),
    }
)
# The demo accounts are login names a user types (shown on the demo login page and the sidebar).
ACCOUNT_NAMES = frozenset({"admin", "reviewer", "leader", "keqiao", "city"})
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")

# Every visible text node (Material Symbols ligatures are drawn as icons, not words), the title,
# placeholder and alt attributes of visible elements, what a screen reader says of them
# (aria-label, aria-roledescription, aria-description, unless hidden from it: a chart's
# description, its axes and marks, icons, buttons), and the tab title. Tooltips are read by
# hovering (tests/e2e/test_every_page.py).
VISIBLE_TEXT_JS = """() => {
  const out = [document.title];
  const visible = (el) => el && el.checkVisibility({visibilityProperty: true});
  const walker = document.createTreeWalker(
    document.body, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.nodeType === 1) {
      if (!visible(n)) continue;
      for (const a of ["title", "placeholder", "alt"]) {
        const v = n.getAttribute(a); if (v) out.push(v);
      }
      if (n.closest('[aria-hidden="true"]')) continue;
      for (const a of ["aria-label", "aria-roledescription", "aria-description"]) {
        const v = n.getAttribute(a); if (v) out.push(v);
      }
      continue;
    }
    const parent = n.parentElement;
    if (!parent || parent.closest('[data-testid="stIconMaterial"], script, style')) continue;
    if (!visible(parent)) continue;
    if (getComputedStyle(parent).fontFamily.includes("Material Symbols")) continue;
    const text = n.nodeValue.trim();
    if (text) out.push(text);
  }
  return out;
}"""


def latin_words(text: str) -> set[str]:
    """Latin-script words in `text` that are neither codes nor on the allowed lists."""
    found: set[str] = set()
    for token in TOKEN.findall(text):
        if any(ch.isdigit() for ch in token):
            continue  # a code: L2.3, 2026, branch01, v1.2
        for word in re.findall(r"[A-Za-z]+", token):
            lower = word.lower()
            if len(word) == 1:
                continue  # a key (Ctrl+P) or a unit letter, not a word
            if lower not in ALLOWED_WORDS and lower not in ACCOUNT_NAMES:
                found.add(word)
    return found


def latin_texts(texts: list[str]) -> set[str]:
    """The texts (shortened) that contain a Latin-script word outside the allowed lists."""
    return {text[:80] for text in texts if latin_words(text)}


def page_latin_texts(page) -> set[str]:
    return latin_texts(page.evaluate(VISIBLE_TEXT_JS))
