"""规范星: the branch's self-assessment of this star (shared renderer in ui/star_page.py)."""

from ui.star_page import render_star_page

render_star_page("standard")
