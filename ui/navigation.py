"""Which pages each user sees; app.py builds st.navigation from this table.

Each page names the permission it needs (permissions.Action); the menu lists the pages
`permissions.can` allows, and the page checks the same action again when it opens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from db.models import Role
from db.services.common import Actor
from permissions import Action, Principal, ScopeKind, can
from texts import navigation as N
from texts.auth import NOT_FOUND_TITLE

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    url_path: str
    icon: str
    action: Action
    section: str
    default_for: tuple[Role, ...] = ()
    # where an account of these scopes lands, whatever its role (before default_for)
    home_of_scopes: tuple[ScopeKind, ...] = ()


# Order here is the order in the menu. Sections group the sidebar: a role's own work first
# (a branch's 自评; the city's results and the reviews for the others), then 党员.
PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "pages/overview.py",
        N.PAGE_TITLES["overview"],
        "overview",
        ":material/home:",
        Action.SELF_ASSESS,
        N.SECTION_SELF,
        default_for=(Role.BRANCH,),
    ),
    PageSpec(
        "pages/learning.py",
        N.PAGE_TITLES["learning"],
        "learning",
        ":material/menu_book:",
        Action.SELF_ASSESS,
        N.SECTION_SELF,
    ),
    PageSpec(
        "pages/standard.py",
        N.PAGE_TITLES["standard"],
        "standard",
        ":material/rule:",
        Action.SELF_ASSESS,
        N.SECTION_SELF,
    ),
    PageSpec(
        "pages/service.py",
        N.PAGE_TITLES["service"],
        "service",
        ":material/volunteer_activism:",
        Action.SELF_ASSESS,
        N.SECTION_SELF,
    ),
    PageSpec(
        "pages/democracy.py",
        N.PAGE_TITLES["democracy"],
        "democracy",
        ":material/how_to_vote:",
        Action.SELF_ASSESS,
        N.SECTION_SELF,
    ),
    PageSpec(
        "pages/innovation.py",
        N.PAGE_TITLES["innovation"],
        "innovation",
        ":material/lightbulb:",
        Action.SELF_ASSESS,
        N.SECTION_SELF,
    ),
    PageSpec(
        "pages/dashboard.py",
        N.PAGE_TITLES["dashboard"],
        "dashboard",
        ":material/dashboard:",
        Action.VIEW_RESULTS,
        N.SECTION_CITY,
        default_for=(Role.REVIEWER, Role.LEADER, Role.ADMIN),
    ),
    PageSpec(
        "pages/department.py",
        N.PAGE_TITLES["department"],
        "department",
        ":material/account_tree:",
        Action.VIEW_RESULTS,
        N.SECTION_CITY,
        home_of_scopes=(ScopeKind.DEPARTMENT,),
    ),
    PageSpec(
        "pages/rankings.py",
        N.PAGE_TITLES["rankings"],
        "rankings",
        ":material/leaderboard:",
        Action.VIEW_RESULTS,
        N.SECTION_CITY,
    ),
    PageSpec(
        "pages/trends.py",
        N.PAGE_TITLES["trends"],
        "trends",
        ":material/trending_up:",
        Action.VIEW_RESULTS,
        N.SECTION_CITY,
    ),
    PageSpec(
        "pages/excellence.py",
        N.PAGE_TITLES["excellence"],
        "excellence",
        ":material/workspace_premium:",
        Action.VIEW_RESULTS,
        N.SECTION_CITY,
    ),
    PageSpec(
        "pages/report.py",
        N.PAGE_TITLES["report"],
        "report",
        ":material/print:",
        Action.VIEW_RESULTS,
        N.SECTION_CITY,
    ),
    PageSpec(
        "pages/screen.py",
        N.PAGE_TITLES["screen"],
        "screen",
        ":material/tv:",
        Action.VIEW_RESULTS,
        N.SECTION_CITY,
    ),
    PageSpec(
        "pages/first_review.py",
        N.PAGE_TITLES["first-review"],
        "first-review",
        ":material/rule_folder:",
        Action.FIRST_REVIEW,
        N.SECTION_REVIEW,
        default_for=(Role.DEPARTMENT,),
    ),
    PageSpec(
        "pages/review.py",
        N.PAGE_TITLES["review"],
        "review",
        ":material/fact_check:",
        Action.REVIEW,
        N.SECTION_REVIEW,
    ),
    PageSpec(
        "pages/publication.py",
        N.PAGE_TITLES["publication"],
        "publication",
        ":material/campaign:",
        Action.VIEW_PUBLICATION,
        N.SECTION_REVIEW,
    ),
    PageSpec(
        "pages/members.py",
        N.PAGE_TITLES["members"],
        "members",
        ":material/groups:",
        Action.VIEW_MEMBERS,
        N.SECTION_MEMBERS,
    ),
    PageSpec(
        "pages/vanguard_index.py",
        N.PAGE_TITLES["vanguard"],
        "vanguard",
        ":material/military_tech:",
        Action.VIEW_MEMBERS,
        N.SECTION_MEMBERS,
    ),
    PageSpec(
        "pages/ballots.py",
        N.PAGE_TITLES["ballots"],
        "ballots",
        ":material/ballot:",
        Action.ISSUE_BALLOTS,
        N.SECTION_MEMBERS,
    ),
    PageSpec(
        "pages/admin.py",
        N.PAGE_TITLES["admin"],
        "admin",
        ":material/settings:",
        Action.ADMINISTER,
        N.SECTION_SYSTEM,
    ),
    PageSpec(
        "pages/audit.py",
        N.PAGE_TITLES["audit"],
        "audit",
        ":material/history:",
        Action.VIEW_AUDIT,
        N.SECTION_SYSTEM,
    ),
    PageSpec(
        "pages/account.py",
        N.PAGE_TITLES["account"],
        "account",
        ":material/key:",
        Action.CHANGE_OWN_PASSWORD,
        N.SECTION_ACCOUNT,
    ),
)


def section_title(actor: Actor, section: str) -> str:
    """A menu section's heading: the results section is headed by the account's scope (全市, or
    柯桥区, or its department), the others as written."""
    if section != N.SECTION_CITY:
        return section
    from ui.data import scope_label  # the cached scope name (ui.data reads the database)

    return scope_label(actor, N.SECTION_CITY)


def pages_for(actor: Actor | None) -> list[PageSpec]:
    """The pages `actor` may open, in menu order (none for anonymous visitors)."""
    return [p for p in PAGES if can(actor, p.action)]


def home_spec(actor: Principal) -> PageSpec | None:
    """The page an account lands on: its scope's (a department's account: 部门进度), else its
    role's; only a page the account may open."""
    mine = [p for p in PAGES if can(actor, p.action)]
    by_scope = [p for p in mine if actor.scope.kind in p.home_of_scopes]
    by_role = [p for p in mine if actor.role in p.default_for]
    return next(iter(by_scope + by_role), None)


def home_path(actor: Principal) -> str:
    """The url path of an account's first page (where a login without a bookmark lands)."""
    spec = home_spec(actor)
    return spec.url_path if spec is not None else ""


def _login_at(url_path: str) -> Callable[[], None]:
    """The login page served under a bookmarked path, which the form keeps as its target."""

    def login_page() -> None:
        from ui.login_view import show_login

        show_login(next_path=url_path)

    return login_page


def _no_access_at(spec: PageSpec, home: StreamlitPage | None) -> Callable[[], None]:
    """A Chinese "no access" page under a path the role may not open (not Streamlit's modal)."""

    def no_access() -> None:
        from ui.login_view import show_no_access

        show_no_access(spec.title, home)

    return no_access


def requested_path() -> str:
    """The path this run was asked for by address ("" when by a link or the menu, or for "/")."""
    ctx = get_script_run_ctx()
    if ctx is None or ctx.pages_manager.intended_page_script_hash:
        return ""
    return (ctx.pages_manager.intended_page_name or "").strip("/")


def unknown_path_page(
    taken: set[str], home: StreamlitPage | None, *, signed_in: bool
) -> StreamlitPage | None:
    """A hidden page answering an address that is no page at all (/foo), or None.

    Left alone, Streamlit shows its English "Page not found" dialog over the main page. This
    page says so in Chinese under that very address (web/chrome.py sends a nested one, /foo/bar,
    to its first part; "/" becomes "-" should one arrive): anonymous visitors get the login form
    with the notice (and land on their home page after logging in), signed-in users the notice
    and the way home.
    """
    path = requested_path()
    if not path or path in taken:
        return None
    url_path = path.replace("/", "-")
    if url_path in taken:
        return None

    def not_found() -> None:
        from ui.login_view import show_login, show_not_found

        if signed_in:
            show_not_found(path, home)
        else:
            show_login(not_found=path)

    return st.Page(not_found, title=NOT_FOUND_TITLE, url_path=url_path, visibility="hidden")


def build_navigation(actor: Actor | None) -> StreamlitPage:
    """st.navigation for this actor: its role's pages in the menu, every other path hidden.

    Every path of PAGES answers: anonymous visitors get the login form there (and land on that
    page after logging in), a role that may not open it gets a Chinese "no access" page. Any
    other address gets a Chinese "no such page" answer (unknown_path_page). Hidden pages are
    answers, not access: the page files themselves are never registered for them.
    """
    if actor is None:
        login = st.Page(
            str(ROOT / "pages" / "login.py"),
            title=N.LOGIN,
            url_path="login",
            icon=":material/login:",
            default=True,
        )
        bookmarks = [
            st.Page(
                _login_at(spec.url_path), title=N.LOGIN, url_path=spec.url_path, visibility="hidden"
            )
            for spec in PAGES
        ]
        unknown = unknown_path_page({"login", *(p.url_path for p in PAGES)}, None, signed_in=False)
        extra = [unknown] if unknown is not None else []
        return st.navigation([login, *bookmarks, *extra], position="hidden")
    sections: dict[str, list[StreamlitPage]] = {}
    home = None
    mine = pages_for(actor)
    home_page_spec = home_spec(actor)
    for spec in mine:
        page = st.Page(
            str(ROOT / spec.file), title=spec.title, url_path=spec.url_path, icon=spec.icon
        )
        if spec == home_page_spec:
            home = page
        sections.setdefault(section_title(actor, spec.section), []).append(page)
    hidden = sections.setdefault("", [])
    if home is not None:
        # Streamlit serves the default page at "/" only; a hidden landing page that forwards
        # to the role's home keeps that home reachable under its own path (/overview, …).
        landing = st.Page(
            lambda: st.switch_page(home),
            title=home.title,
            url_path="start",
            default=True,
            visibility="hidden",
        )
        hidden.append(landing)
        # A bookmarked login page (or the login redirect) of a signed-in user goes home.
        hidden.append(
            st.Page(
                lambda: st.switch_page(home),
                title=home.title,
                url_path="login",
                visibility="hidden",
            )
        )
    hidden.extend(
        st.Page(
            _no_access_at(spec, home), title=spec.title, url_path=spec.url_path, visibility="hidden"
        )
        for spec in PAGES
        if spec not in mine
    )
    unknown = unknown_path_page(
        {"start", "login", *(p.url_path for p in PAGES)}, home, signed_in=True
    )
    if unknown is not None:
        hidden.append(unknown)
    if not hidden:
        del sections[""]
    return st.navigation(sections, expanded=True)
