"""Every audit action the code writes reads as a Chinese sentence (db/services/audit_text.py).

The actions are found by walking the source: each call of `audit(session, actor, ACTION, …)` or
`audit_now(actor, ACTION, …)`, with ACTION a literal, a conditional of literals, or a parameter
(then the literals the function's callers pass). A new action without a template and a sample
here fails the test.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from db.services.audit_text import Entry, Names, sentence
from texts import audit as T

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for d in ("db", "web", "ui", "pages") for p in (ROOT / d).rglob("*.py")]
ACTION_POSITION = {"audit": 2, "audit_now": 1}


def _literals(node: ast.AST, func: ast.FunctionDef | None, tree: ast.Module) -> set[str] | None:
    """The strings an action argument can take, or None if the test cannot tell."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        a, b = _literals(node.body, func, tree), _literals(node.orelse, func, tree)
        return None if a is None or b is None else a | b
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literals(node.left, func, tree), _literals(node.right, func, tree)
        if left is None or right is None:
            return None
        return {x + y for x in left for y in right}
    if isinstance(node, ast.Name) and func is not None:
        names = [a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)]
        if node.id not in names:
            return None
        position = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
        found: set[str] = set()
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            callee = call.func
            called = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
            if called != func.name:
                continue
            values = [k.value for k in call.keywords if k.arg == node.id]
            if node.id in position and len(call.args) > position.index(node.id):
                values.append(call.args[position.index(node.id)])
            for value in values:
                got = _literals(value, None, tree)
                if got is None:
                    return None
                found |= got
        return found or None
    return None


def written_actions() -> set[str]:
    actions: set[str] = set()
    unresolved = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for func in functions:
            if func.name in ACTION_POSITION:
                continue  # the recorders themselves pass their parameter through
            for call in ast.walk(func):
                if not isinstance(call, ast.Call):
                    continue
                callee = call.func
                name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
                if name not in ACTION_POSITION or len(call.args) <= ACTION_POSITION[name]:
                    continue
                got = _literals(call.args[ACTION_POSITION[name]], func, tree)
                if got is None:
                    unresolved.append(f"{path.relative_to(ROOT)}:{call.lineno}")
                else:
                    actions |= got
    assert not unresolved, f"audit actions the test cannot resolve: {unresolved}"
    return actions


NAMES = Names(
    users={1: "张三", 2: "李四"},
    usernames={1: "zhangsan", 2: "lisi"},
    orgs={10: "中共市财政局第二党支部", 11: "中共市教育局机关委员会"},
    assessments={100: ("中共市财政局第二党支部", 2026)},
)
PAGE = {"points": "2", "figure": None, "note": "已学习"}
PAGE_AFTER = {"points": "2.5", "figure": None, "note": "已学习"}
USER = {"username": "lisi", "display_name": "李四", "role": "branch", "org_id": 10, "active": True}
ORG = {"code": "B01", "name": "中共市财政局第二党支部", "org_type": "branch", "region": "市直"}
MEMBER = {
    "name": "王五",
    "service": "in_service",
    "status": "full",
    "joined_on": "2001-07-01",
    "active": True,
}
REVIEW_CHANGE = [
    {
        "code": "L2.3",
        "before": {"reviewed": None, "comment": ""},
        "after": {"reviewed": "2", "comment": "台账不全"},
    }
]
# (target type, target id, detail) per action, shaped as the services write them.
SAMPLES: dict[str, tuple[str, str, dict]] = {
    "login": ("user", "1", {}),
    "logout": ("user", "1", {}),
    "login_failed": ("user", "1", {"failures": 3}),
    "login_refused_locked": ("user", "1", {}),
    "login_refused_sso_only": ("user", "1", {}),
    "sso_refused": ("user", "1", {"reason": "disabled"}),
    "sso_registered": ("user", "2", {"username": "lisi"}),
    "registration_approved": ("user", "2", {"username": "lisi", "org_id": 10}),
    "registration_rejected": ("user", "2", {"username": "lisi"}),
    "access_denied": ("assessment", "100", {"attempted": "review"}),
    "password_changed": ("user", "1", {"sessions_ended": 2}),
    "password_change_failed": ("user", "1", {}),
    "email_changed": ("user", "1", {"before": "", "after": "lisi@sx.gov.cn"}),
    "robot_set": (
        "region_robot",
        "柯桥区",
        {"region": "柯桥区", "before": "", "after": "10.0.0.8/robot/send"},
    ),
    "robot_removed": (
        "region_robot",
        "柯桥区",
        {"region": "柯桥区", "before": "10.0.0.8/robot/send", "after": ""},
    ),
    "password_reset": ("user", "2", {"username": "lisi", "sessions_ended": 1}),
    "user_created": ("user", "2", {"before": None, "after": USER}),
    "user_changed": ("user", "2", {"before": USER, "after": {**USER, "role": "reviewer"}}),
    "user_disabled": ("user", "2", {"before": USER, "after": {**USER, "active": False}}),
    "user_enabled": ("user", "2", {"before": {**USER, "active": False}, "after": USER}),
    "user_unlocked": ("user", "2", {"before": {"failed_logins": 5}, "after": {}}),
    "organisation_created": ("organisation", "10", {"before": None, "after": ORG}),
    "organisation_changed": (
        "organisation",
        "10",
        {"before": ORG, "after": {**ORG, "region": "越城区"}},
    ),
    "year_created": (
        "cycle",
        "3",
        {"year": 2027, "copied_from": 2026, "deadline": "2027-12-31", "assessments": 150},
    ),
    "year_status_changed": (
        "cycle",
        "3",
        {"year": 2026, "before": {"status": "open"}, "after": {"status": "closed"}},
    ),
    "reminders_chased": ("cycle", "3", {"year": 2026, "n": 2, "org_ids": [10, 11]}),
    "deadline_changed": (
        "cycle",
        "3",
        {"year": 2026, "before": {"deadline": "2026-12-01"}, "after": {"deadline": "2026-12-15"}},
    ),
    "excellence_quota_changed": (
        "cycle",
        "3",
        {"year": 2026, "before": {"quota": "city"}, "after": {"quota": "region"}},
    ),
    "region_published": (
        "cycle",
        "3",
        {
            "year": 2026,
            "region": "柯桥区",
            "days": 5,
            "ends": "2026-12-20",
            "published": 20,
            "not_rated": 3,
        },
    ),
    "rubric_points_recomputed": (
        "assessment",
        "100",
        {
            "year": 2026,
            "changes": [
                {
                    "code": "L2.3",
                    "figure": "30",
                    "before": {"self": "2.5", "reviewed": None},
                    "after": {"self": "2", "reviewed": None},
                }
            ],
        },
    ),
    "rubric_imported": (
        "cycle",
        "3",
        {"year": 2026, "added": ["L9.1"], "removed": [], "changed": ["L2.3"]},
    ),
    "import_organisations": (
        "organisations",
        "",
        {"filename": "组织.xlsx", "created": 2, "updated": 1, "unchanged": 9, "changes": []},
    ),
    "import_users": (
        "users",
        "",
        {"filename": "账号.csv", "created": 1, "updated": 0, "unchanged": 0, "changes": []},
    ),
    "import_grades": (
        "grades",
        "",
        {"filename": "业绩.xlsx", "created": 5, "updated": 0, "unchanged": 0, "changes": []},
    ),
    "vanguard_round_opened": ("vanguard_round", "1", {"year": 2026, "half": 2}),
    "vanguard_round_closed": ("vanguard_round", "1", {"year": 2026, "half": 1}),
    "vanguard_sheet_saved": (
        "party_member",
        "7",
        {
            "org_id": 10,
            "name": "王五",
            "year": 2026,
            "half": 1,
            "changes": {
                "P1": {
                    "before": {"declared": None, "assessed": None},
                    "after": {"declared": "18", "assessed": "17.5"},
                }
            },
        },
    ),
    "member_added": ("party_member", "7", {"org_id": 10, "before": None, "after": MEMBER}),
    "member_changed": (
        "party_member",
        "7",
        {
            "org_id": 10,
            "before": MEMBER,
            "after": {**MEMBER, "service": "retired", "active": False},
        },
    ),
    "import_members": (
        "members",
        "",
        {"filename": "名册.csv", "created": 30, "updated": 2, "unchanged": 0, "organisations": 3},
    ),
    "import_rejected": ("users", "", {"filename": "账号.csv", "problems": 3, "first": ["x"]}),
    "assessment_create": ("assessment", "100", {"org_id": 10, "cycle_id": 3}),
    "save_star_page": (
        "assessment",
        "100",
        {
            "page": "learning",
            "version": [1, 2],
            "changes": {"L2.3": {"before": PAGE, "after": PAGE_AFTER}},
        },
    ),
    "save_bonus_items": (
        "assessment",
        "100",
        {
            "page": "bonus",
            "changes": {"J1": {"before": {"points": None}, "after": {"points": "1"}}},
        },
    ),
    "first_review_passed": (
        "assessment",
        "100",
        {"org_id": 10, "year": 2026, "status": ["first_review", "submitted"], "comment": "齐全"},
    ),
    "first_review_returned": (
        "assessment",
        "100",
        {"org_id": 10, "year": 2026, "status": ["first_review", "returned"], "comment": "补材料"},
    ),
    "review_deadlines_set": (
        "cycle",
        "3",
        {"year": 2026, "first": [None, "2026-12-10"], "review": ["2026-12-20", "2026-12-31"]},
    ),
    "first_level_switched": (
        "cycle",
        "3",
        {"year": 2026, "region": "柯桥区", "enabled": [True, False]},
    ),
    "submit_assessment": (
        "assessment",
        "100",
        {"status": ["draft", "submitted"], "composite": "92.5", "level": 5},
    ),
    "upload_evidence": (
        "evidence",
        "7",
        {"assessment_id": 100, "code": "L2.3", "filename": "学时登记表.pdf", "size": 20480},
    ),
    "download_evidence": (
        "evidence",
        "7",
        {"assessment_id": 100, "filename": "学时登记表.pdf"},
    ),
    "delete_evidence": (
        "evidence",
        "7",
        {"assessment_id": 100, "criterion_id": 4, "filename": "学时登记表.pdf", "size": 20480},
    ),
    "review_saved": ("assessment", "100", {"org_id": 10, "year": 2026, "changes": REVIEW_CHANGE}),
    "review_corrected": (
        "assessment",
        "100",
        {"org_id": 10, "year": 2026, "changes": REVIEW_CHANGE},
    ),
    "review_returned": (
        "assessment",
        "100",
        {
            "org_id": 10,
            "year": 2026,
            "before": {"status": "submitted"},
            "after": {"status": "returned", "return_comment": "请补充签到表"},
            "changes": [],
        },
    ),
    "review_approved": (
        "assessment",
        "100",
        {
            "org_id": 10,
            "year": 2026,
            "before": {"status": "submitted"},
            "after": {"status": "reviewed"},
            "changes": REVIEW_CHANGE,
            "confirmed_self_points": 44,
        },
    ),
    "set_grade": ("year", "2026", {"changes": {"10": {"before": None, "after": "优秀"}}}),
    "confirm_excellence": (
        "cycle",
        "3",
        {
            "year": 2026,
            "quota": 3,
            "five_star": 12,
            "progress": {"drafts": 4, "returned": 1, "unreviewed": 0, "reviewed": 19},
            "recommended": [10, 11],
            "before": [],
            "after": [10],
            "changes": {"11": "年内发生安全责任事故"},
        },
    ),
    "publication_published": (
        "cycle",
        "3",
        {"year": 2026, "days": 5, "ends": "2026-12-20", "published": 68, "not_rated": 82},
    ),
    "publication_finalized": ("cycle", "3", {"year": 2026, "automatic": False}),
    "objection_recorded": (
        "objection",
        "1",
        {"year": 2026, "org_id": 10, "raised_by": "本单位党员", "content": "学习星核减过多"},
    ),
    "objection_resolved": (
        "objection",
        "1",
        {
            "org_id": 10,
            "before": {"outcome": ""},
            "after": {"outcome": "maintained", "note": "维持"},
        },
    ),
    "audit_exported": ("audit_log", "", {"rows": 120, "format": "xlsx"}),
    "export_workbook": ("year", "2026", {"orgs": 150}),
    "ballot_codes_issued": (
        "organisation",
        "10",
        {
            "org_id": 10,
            "round_id": 3,
            "round": "2026 年上半年",
            "count": 12,
            "used": 0,
            "replaced": 0,
        },
    ),
}
ALLOWED_LATIN = re.compile(r"\b(?:[A-Z]\d+(?:\.\d+)?|KB|MB|XLSX|CSV|Excel|pdf|xlsx|csv)\b")


def _render(action: str) -> str:
    target_type, target_id, detail = SAMPLES[action]
    return sentence(
        Entry(
            action=action,
            actor_id=1,
            actor_name="zhangsan",
            target_type=target_type,
            target_id=target_id,
            detail=json.dumps(detail, ensure_ascii=False),
        ),
        NAMES,
    )


def test_every_written_action_has_a_template_and_a_sample() -> None:
    actions = written_actions()
    assert {"login", "review_approved", "save_star_page", "import_users"} <= actions
    assert actions - set(T.SENTENCES) == set(), "actions without a sentence template"
    assert actions - set(SAMPLES) == set(), "actions without a sample in this test"


@pytest.mark.parametrize("action", sorted(SAMPLES))
def test_each_action_reads_as_a_chinese_sentence(action: str) -> None:
    text = _render(action)
    assert text.startswith("张三 ")
    assert action not in text
    assert not set('{}[]"') & set(text), text
    assert "—" not in text, text
    # A username and an e-mail address are data.
    latin = ALLOWED_LATIN.sub("", text.replace("lisi@sx.gov.cn", "")).replace("lisi", "")
    assert not re.search(r"[A-Za-z]{2,}", latin), text


def test_the_sentences_name_what_changed() -> None:
    assert _render("save_star_page") == (
        "张三 保存了 中共市财政局第二党支部（2026 年度） 的学习星自评：L2.3 自评分由 2 改为 2.5"
    )
    assert "L2.3 审核分由 空 改为 2；L2.3 审核意见已修改；44 项采用支部自评分" in _render(
        "review_approved"
    )
    assert _render("user_changed") == "张三 修改了账号 lisi：角色由 支部书记 改为 机关工委审核员"
    assert "中共市财政局第二党支部 由 空 改为 优秀" in _render("set_grade")
    assert "调整 1 处：中共市教育局机关委员会" in _render("confirm_excellence")
    assert "“查看" not in _render("access_denied")
    assert "“审核”" in _render("access_denied")
    assert _render("rubric_points_recomputed").endswith("：L2.3 自评分由 2.5 改为 2")
    assert _render("password_changed") == "张三 修改了自己的密码（2 个登录会话已退出）"


def test_unknown_login_and_automatic_finalisation_have_no_actor() -> None:
    unknown = Entry("login_failed", None, "", "user", "no***dy", '{"reason": "unknown"}')
    assert sentence(unknown) == "有人以用户名“no***dy”登录失败：用户名不存在或账号已停用"
    auto = Entry(
        "publication_finalized", None, "", "cycle", "3", '{"year": 2026, "automatic": true}'
    )
    assert sentence(auto).startswith("2026 年度公示期满")


def test_an_action_without_a_template_still_reads_in_chinese() -> None:
    text = sentence(Entry("something_new", 1, "zhangsan", "", "", "{}"), NAMES)
    assert text.startswith("张三 ")
    assert "{" not in text
