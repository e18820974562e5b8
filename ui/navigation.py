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

from db.models import Role
from db.services.common import Actor
from permissions import Action, Principal, ScopeKind, can

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


# Order here is the order in the menu. Sections group the sidebar.
PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "pages/overview.py",
        "我的支部",
        "overview",
        ":material/home:",
        Action.SELF_ASSESS,
        "自评",
        default_for=(Role.BRANCH,),
    ),
    PageSpec(
        "pages/learning.py",
        "学习星",
        "learning",
        ":material/menu_book:",
        Action.SELF_ASSESS,
        "自评",
    ),
    PageSpec(
        "pages/standard.py", "规范星", "standard", ":material/rule:", Action.SELF_ASSESS, "自评"
    ),
    PageSpec(
        "pages/service.py",
        "服务星",
        "service",
        ":material/volunteer_activism:",
        Action.SELF_ASSESS,
        "自评",
    ),
    PageSpec(
        "pages/democracy.py",
        "民主星",
        "democracy",
        ":material/how_to_vote:",
        Action.SELF_ASSESS,
        "自评",
    ),
    PageSpec(
        "pages/innovation.py",
        "创新星",
        "innovation",
        ":material/lightbulb:",
        Action.SELF_ASSESS,
        "自评",
    ),
    PageSpec(
        "pages/ballots.py",
        "民主评议",
        "ballots",
        ":material/ballot:",
        Action.ISSUE_BALLOTS,
        "党员",
    ),
    PageSpec(
        "pages/dashboard.py",
        "总览",
        "dashboard",
        ":material/dashboard:",
        Action.VIEW_RESULTS,
        "全市",
        default_for=(Role.REVIEWER, Role.LEADER, Role.ADMIN),
    ),
    PageSpec(
        "pages/department.py",
        "部门进度",
        "department",
        ":material/account_tree:",
        Action.VIEW_RESULTS,
        "全市",
        home_of_scopes=(ScopeKind.DEPARTMENT,),
    ),
    PageSpec(
        "pages/rankings.py",
        "实时排名",
        "rankings",
        ":material/leaderboard:",
        Action.VIEW_RESULTS,
        "全市",
    ),
    PageSpec(
        "pages/trends.py",
        "历年趋势",
        "trends",
        ":material/trending_up:",
        Action.VIEW_RESULTS,
        "全市",
    ),
    PageSpec(
        "pages/excellence.py",
        "双优",
        "excellence",
        ":material/workspace_premium:",
        Action.VIEW_RESULTS,
        "全市",
    ),
    PageSpec(
        "pages/report.py",
        "导出与打印",
        "report",
        ":material/print:",
        Action.VIEW_RESULTS,
        "全市",
    ),
    PageSpec(
        "pages/screen.py",
        "大屏",
        "screen",
        ":material/tv:",
        Action.VIEW_RESULTS,
        "全市",
    ),
    PageSpec(
        "pages/review.py",
        "审核",
        "review",
        ":material/fact_check:",
        Action.REVIEW,
        "审核与公示",
    ),
    PageSpec(
        "pages/publication.py",
        "公示",
        "publication",
        ":material/campaign:",
        Action.VIEW_PUBLICATION,
        "审核与公示",
    ),
    PageSpec("pages/admin.py", "管理", "admin", ":material/settings:", Action.ADMINISTER, "系统"),
    PageSpec(
        "pages/audit.py", "审计日志", "audit", ":material/history:", Action.VIEW_AUDIT, "系统"
    ),
    PageSpec(
        "pages/account.py",
        "修改密码",
        "account",
        ":material/key:",
        Action.CHANGE_OWN_PASSWORD,
        "账号",
    ),
)


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


def build_navigation(actor: Actor | None) -> StreamlitPage:
    """st.navigation for this actor: its role's pages in the menu, every other known path hidden.

    Every path of PAGES answers: anonymous visitors get the login form there (and land on that
    page after logging in), a role that may not open it gets a Chinese "no access" page. Hidden
    pages are answers, not access: the page files themselves are never registered for them.
    """
    if actor is None:
        login = st.Page(
            str(ROOT / "pages" / "login.py"),
            title="登录",
            url_path="login",
            icon=":material/login:",
            default=True,
        )
        bookmarks = [
            st.Page(
                _login_at(spec.url_path), title="登录", url_path=spec.url_path, visibility="hidden"
            )
            for spec in PAGES
        ]
        return st.navigation([login, *bookmarks], position="hidden")
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
        sections.setdefault(spec.section, []).append(page)
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
    if not hidden:
        del sections[""]
    return st.navigation(sections, expanded=True)
