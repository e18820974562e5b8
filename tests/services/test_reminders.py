"""Reminders end to end on both databases: the hourly run against a local SMTP server
(aiosmtpd) and a local HTTP server standing in for the group robot; each reminder once, also
under a second run; a failing channel retried on the next run and logged; nothing for a closed
year; the 催报 button's service; the in-app notice; a region's own robot (a second local
server) getting its region's reminders instead of the city's robot."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import (
    REGIONS,
    SUBMITTED_STATUSES,
    Assessment,
    Cycle,
    CycleStatus,
    Organisation,
    Reminder,
    ReminderChannel,
    ReminderStatus,
    User,
)
from db.services import reminders, robots
from db.services.common import InvalidInput, PermissionDenied, ServiceError, StaleVersion
from settings import get_settings
from tests.services.cycle_helpers import audit_rows
from tests.utils import actor

YEAR = 2026
DEADLINE = date(2026, 12, 20)


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        parsed["X-Rcpt"] = ",".join(envelope.rcpt_tos)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Rcpt"]]


@dataclass
class Robot:
    posts: list[dict[str, Any]] = field(default_factory=list)
    failing: bool = False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@contextmanager
def _robot_server() -> Iterator[tuple[Robot, str]]:
    """A local HTTP server answering as a DingTalk group robot, recording what it is sent."""
    state = Robot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if state.failing:
                self.send_response(500)
                self.end_headers()
                return
            state.posts.append(json.loads(body))
            answer = b'{"errcode":0,"errmsg":"ok"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/robot/send?access_token=t"
    server.shutdown()
    server.server_close()


@pytest.fixture
def robot() -> Iterator[tuple[Robot, str]]:
    with _robot_server() as served:
        yield served


@pytest.fixture
def keqiao_robot() -> Iterator[tuple[Robot, str]]:
    """柯桥区's own group robot."""
    with _robot_server() as served:
        yield served


@pytest.fixture
def channels(
    city: str,
    mailbox: tuple[Mailbox, int],
    robot: tuple[Robot, str],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Mailbox, Robot]:
    """The demo city with e-mail and the robot configured, addresses on branch01 and the
    reviewer, and the open year's deadline on DEADLINE."""
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(mailbox[1]))
    monkeypatch.setenv("REMINDER_WEBHOOK_URL", robot[1])
    monkeypatch.setenv("PUBLIC_URL", "http://wuxing.example.gov:8501")
    get_settings.cache_clear()
    with write_session() as session:
        session.execute(update(Cycle).where(Cycle.year == YEAR).values(deadline=DEADLINE))
        for name in ("branch01", "reviewer"):
            session.execute(
                update(User).where(User.username == name).values(email=f"{name}@sx.gov.cn")
            )
    return mailbox[0], robot[0]


def _not_submitted() -> set[int]:
    """Evaluated organisations of the open year that have not submitted (SUBMITTED_STATUSES)."""
    with read_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.year == YEAR)).one()
        rows = session.exec(
            select(Assessment.org_id, Assessment.status).where(Assessment.cycle_id == cycle.id)
        ).all()
    return {org for org, status in rows if status not in SUBMITTED_STATUSES}


def _rows(**where: Any) -> list[Reminder]:
    with read_session() as session:
        query = select(Reminder)
        for name, value in where.items():
            query = query.where(getattr(Reminder, name) == value)
        return list(session.exec(query).all())


def _deadline_posts(robot: Robot) -> list[str]:
    return [p["text"]["content"] for p in robot.posts if "截止" in p["text"]["content"]]


def test_seven_three_and_one_days_before_each_once_by_email_robot_and_notice(
    channels: tuple[Mailbox, Robot],
) -> None:
    mailbox, robot = channels
    own = actor("branch01")
    pending = _not_submitted()
    assert own.org_id in pending
    assert len(pending) >= 2
    for before in (8, 7, 7, 6, 3, 3, 1, 1, 0, -1):
        reminders.run_due(DEADLINE - timedelta(days=before))
    mails = [m for m in mailbox.to("branch01@sx.gov.cn") if "截止" in m["Subject"]]
    assert [m["Subject"] for m in mails] == [
        "【五星评定】2026年度自评将于2026-12-20截止，还有7天",
        "【五星评定】2026年度自评将于2026-12-20截止，还有3天",
        "【五星评定】2026年度自评将于2026-12-20截止，还有1天",
    ]
    body = mails[0].get_content()
    assert "尚未提交" in body
    assert "http://wuxing.example.gov:8501/overview" in body
    assert all(p["msgtype"] == "text" for p in robot.posts)
    # One robot message per organisation not submitted and slot; none for a submitted one.
    assert len(_deadline_posts(robot)) == 3 * len(pending)
    rows = _rows(kind="deadline")
    assert {r.org_id for r in rows} == pending
    assert all(r.status == ReminderStatus.SENT for r in rows)
    assert len(rows) == len({(r.slot, r.recipient, r.channel) for r in rows})
    notices = reminders.notices(own)
    assert [n.subject for n in notices] == [mails[-1]["Subject"]]
    # The reviewer got a summary on each day of the last week (6 … 0 days before) it ran on:
    # 6, 3, 1 and 0 days before, once each.
    summaries = [m for m in mailbox.to("reviewer@sx.gov.cn") if "日报" in m["Subject"]]
    assert len(summaries) == 4
    assert "已提交" in summaries[0].get_content()


def test_a_failing_robot_is_retried_on_the_next_run_and_logged(
    channels: tuple[Mailbox, Robot], caplog: pytest.LogCaptureFixture
) -> None:
    _mailbox, robot = channels
    robot.failing = True
    with caplog.at_level(logging.WARNING, logger="wuxing.reminders"):
        first = reminders.run_due(DEADLINE - timedelta(days=7))
    pending = _not_submitted()
    failed = _rows(channel=ReminderChannel.WEBHOOK)
    # One per organisation not submitted, and the reviewers' reminders of old queue items.
    assert len([r for r in failed if r.kind == "deadline"]) == len(pending)
    assert first[YEAR].failed == len(failed)
    assert "failed" in caplog.text
    assert "webhook" in caplog.text
    assert {r.status for r in failed} == {ReminderStatus.FAILED}
    assert all(r.attempts == 1 and "500" in r.last_error for r in failed)
    notices_before = len(_rows(channel=ReminderChannel.NOTICE))
    robot.failing = False
    second = reminders.run_due(DEADLINE - timedelta(days=7))
    assert second[YEAR].due == 0  # nothing new: only the retries
    assert second[YEAR].count(ReminderChannel.WEBHOOK) == len(failed)
    assert len(_deadline_posts(robot)) == len(pending)
    assert len(_rows(channel=ReminderChannel.NOTICE)) == notices_before
    assert {r.status for r in _rows(channel=ReminderChannel.WEBHOOK)} == {ReminderStatus.SENT}
    reminders.run_due(DEADLINE - timedelta(days=7))
    assert len(_deadline_posts(robot)) == len(pending)


def test_an_unreachable_mail_relay_is_retried_until_the_limit(
    channels: tuple[Mailbox, Robot], monkeypatch: pytest.MonkeyPatch
) -> None:
    mailbox, _robot = channels
    good_port = get_settings().smtp_port
    monkeypatch.setenv("SMTP_PORT", str(_free_port()))
    monkeypatch.setenv("REMINDER_MAX_ATTEMPTS", "2")
    get_settings.cache_clear()
    reminders.run_due(DEADLINE - timedelta(days=3))
    reminders.run_due(DEADLINE - timedelta(days=3))
    mail = _rows(channel=ReminderChannel.EMAIL, recipient=f"org:{actor('branch01').org_id}")
    assert [(r.status, r.attempts) for r in mail] == [(ReminderStatus.FAILED, 2)]
    monkeypatch.setenv("SMTP_PORT", str(good_port))
    get_settings.cache_clear()
    reminders.run_due(DEADLINE - timedelta(days=3))  # past the limit: left as failed
    assert not mailbox.to("branch01@sx.gov.cn")


def test_nothing_for_a_closed_year_not_even_a_retry(channels: tuple[Mailbox, Robot]) -> None:
    mailbox, robot = channels
    robot.failing = True
    reminders.run_due(DEADLINE - timedelta(days=7))
    robot.failing = False
    sent_mail = len(mailbox.messages)
    with write_session() as session:
        session.execute(update(Cycle).where(Cycle.year == YEAR).values(status=CycleStatus.CLOSED))
    rows = len(_rows())
    assert reminders.run_due(DEADLINE - timedelta(days=3)) == {}
    assert len(_rows()) == rows
    assert not robot.posts
    assert len(mailbox.messages) == sent_mail
    assert reminders.notices(actor("branch01")) == []
    with pytest.raises(ServiceError, match="不在填报中"):
        reminders.chase_now(actor("leader"), YEAR, [actor("branch01").org_id or 0])


def test_chase_now_reaches_the_chosen_organisations_that_have_not_submitted(
    channels: tuple[Mailbox, Robot],
) -> None:
    mailbox, robot = channels
    own = actor("branch01").org_id
    assert own is not None
    with read_session() as session:
        done = session.exec(
            select(Assessment.org_id).where(col(Assessment.status).in_(SUBMITTED_STATUSES))
        ).first()
    assert done is not None
    other = next(o for o in _not_submitted() if o != own)
    outcome = reminders.chase_now(actor("leader"), YEAR, [own, other, done])
    assert (outcome.orgs, outcome.skipped, outcome.failed) == (2, 1, 0)
    assert outcome.count(ReminderChannel.NOTICE) == 2
    assert outcome.count(ReminderChannel.WEBHOOK) == 2
    assert outcome.count(ReminderChannel.EMAIL) == 1  # only branch01 has an address
    [mail] = mailbox.to("branch01@sx.gov.cn")
    assert mail["Subject"] == "【五星评定】催报：请尽快提交2026年度自评"
    assert "领导" in mail.get_content() or "leader" in mail.get_content()
    assert len(robot.posts) == 2
    assert reminders.notices(actor("branch01"))[0].subject == mail["Subject"]
    # A second press sends again (a 催报 is a new reminder each time).
    again = reminders.chase_now(actor("leader"), YEAR, [own])
    assert again.orgs == 1
    assert len(mailbox.to("branch01@sx.gov.cn")) == 2


def test_chase_refuses_a_branch_and_an_organisation_out_of_scope(city: str) -> None:
    import dataclasses

    own = actor("branch01").org_id or 0
    with pytest.raises(PermissionDenied):
        reminders.chase_now(actor("branch01"), YEAR, [own])
    with read_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.year == YEAR)).one()
        region = session.exec(
            select(Assessment.org_id).where(Assessment.cycle_id == cycle.id)
        ).first()
    assert region is not None
    outsider = dataclasses.replace(actor("reviewer"), scope_region="不存在的地区")
    with pytest.raises(PermissionDenied):
        reminders.chase_now(outsider, YEAR, [own])
    assert _rows() == []


def test_the_reviewer_is_reminded_before_the_review_deadline_once_per_slot(
    channels: tuple[Mailbox, Robot],
) -> None:
    mailbox, _robot = channels
    review_deadline = DEADLINE + timedelta(days=10)
    with write_session() as session:
        session.execute(
            update(Cycle).where(Cycle.year == YEAR).values(review_deadline=review_deadline)
        )
        cycle = session.exec(select(Cycle).where(Cycle.year == YEAR)).one()
        row = session.exec(select(Assessment).where(Assessment.cycle_id == cycle.id)).first()
        assert row is not None
        row.status = "submitted"
        row.submitted_at = datetime.now(UTC)
        session.add(row)
    for _ in range(2):
        reminders.run_due(review_deadline - timedelta(days=3))
    mails = [m for m in mailbox.to("reviewer@sx.gov.cn") if "复核将于" in m["Subject"]]
    assert len(mails) == 1
    assert mails[0]["Subject"].startswith("【五星评定】复核将于2026-12-30截止，还有3天")
    assert "/review" in mails[0].get_content()
    assert {r.slot for r in _rows(kind="level", user_id=actor("reviewer").id)} == {"second-3"}


# ----------------------------------------------------------------------------- regions' robots


def _regions() -> dict[int, str]:
    with read_session() as session:
        return {
            int(i): str(r) for i, r in session.exec(select(Organisation.id, Organisation.region))
        }


def _names(org_ids: set[int]) -> set[str]:
    with read_session() as session:
        return set(
            session.exec(select(Organisation.name).where(col(Organisation.id).in_(org_ids))).all()
        )


def _naming(posts: list[str], names: set[str]) -> list[str]:
    return [p for p in posts if any(n in p for n in names)]


def test_a_keqiao_reminder_reaches_the_keqiao_robot_and_not_the_citys(
    channels: tuple[Mailbox, Robot], keqiao_robot: tuple[Robot, str]
) -> None:
    _mailbox, city_robot = channels
    kq_robot, kq_url = keqiao_robot
    robots.set_robot(actor("keqiao_admin"), region="柯桥区", url=kq_url, version=0)
    regions = _regions()
    pending = _not_submitted()
    keqiao = {o for o in pending if regions[o] == "柯桥区"}
    others = pending - keqiao
    assert keqiao
    assert others
    reminders.run_due(DEADLINE - timedelta(days=7))

    kq_posts = _deadline_posts(kq_robot)
    city_posts = _deadline_posts(city_robot)
    kq_deadline = [p for p in kq_posts if "自评" in p and "尚未提交" in p]
    city_deadline = [p for p in city_posts if "自评" in p and "尚未提交" in p]
    assert len(kq_deadline) == len(keqiao)
    assert len(city_deadline) == len(others)
    assert len(_naming(kq_deadline, _names(keqiao))) == len(keqiao)
    assert not _naming(city_posts, _names(keqiao)), "a 柯桥区 reminder reached the city's robot"
    assert not _naming(kq_posts, _names(others)), "another region's reminder reached 柯桥区's"
    # Where each went is recorded with the row; the city's robot for the rest.
    rows = _rows(kind="deadline", channel=ReminderChannel.WEBHOOK)
    assert {r.address for r in rows if regions[r.org_id or 0] == "柯桥区"} == {kq_url}
    assert {r.address for r in rows if regions[r.org_id or 0] != "柯桥区"} == {
        get_settings().reminder_webhook_url
    }


def test_a_keqiao_reviewer_is_reminded_in_the_keqiao_group(
    channels: tuple[Mailbox, Robot], keqiao_robot: tuple[Robot, str]
) -> None:
    """The region's reviewer, with an item waiting at the 复核 before its deadline, is reminded in
    its region's group; the city's reviewer in the city's."""
    _mailbox, city_robot = channels
    kq_robot, kq_url = keqiao_robot
    robots.set_robot(actor("admin"), region="柯桥区", url=kq_url, version=0)
    with write_session() as session:
        session.execute(update(Cycle).where(Cycle.year == YEAR).values(review_deadline=DEADLINE))
        cycle = session.exec(select(Cycle).where(Cycle.year == YEAR)).one()
        waiting = session.exec(
            select(Assessment)
            .join(Organisation, col(Organisation.id) == Assessment.org_id)
            .where(Assessment.cycle_id == cycle.id, Organisation.region == "柯桥区")
        ).first()
        assert waiting is not None
        waiting.status = "submitted"
        waiting.submitted_at = datetime.now(UTC)
        session.add(waiting)
    reminders.run_due(DEADLINE - timedelta(days=3))
    kq_name, city_name = actor("keqiao_reviewer").label, actor("reviewer").label
    kq_level = [p["text"]["content"] for p in kq_robot.posts if "复核将于" in p["text"]["content"]]
    city_level = [
        p["text"]["content"] for p in city_robot.posts if "复核将于" in p["text"]["content"]
    ]
    assert len(kq_level) == 1
    assert kq_level[0].split("\n")[1].startswith(kq_name)
    assert [p for p in city_level if p.split("\n")[1].startswith(city_name)]
    assert not [p for p in city_level if p.split("\n")[1].startswith(kq_name)]
    rows = _rows(kind="level", channel=ReminderChannel.WEBHOOK)
    by_user = {r.user_id: r.address for r in rows}
    assert by_user[actor("keqiao_reviewer").id] == kq_url
    assert by_user[actor("reviewer").id] == get_settings().reminder_webhook_url


def test_without_its_robot_a_region_falls_back_to_the_citys(
    channels: tuple[Mailbox, Robot], keqiao_robot: tuple[Robot, str]
) -> None:
    _mailbox, city_robot = channels
    kq_robot, kq_url = keqiao_robot
    admin = actor("keqiao_admin")
    robots.set_robot(admin, region="柯桥区", url=kq_url, version=0)
    [row] = robots.robot_settings(admin).rows
    assert (row.region, row.url, row.version) == ("柯桥区", kq_url, 1)
    robots.set_robot(admin, region="柯桥区", url="", version=1)
    assert robots.robot_settings(admin).rows[0].url == ""
    regions = _regions()
    keqiao = next(o for o in _not_submitted() if regions[o] == "柯桥区")
    reminders.chase_now(actor("keqiao_reviewer"), YEAR, [keqiao])
    assert len(city_robot.posts) == 1
    assert not kq_robot.posts
    removed = [json.loads(e.detail) for e in audit_rows("robot_removed")]
    assert removed == [{"region": "柯桥区", "before": robots.shown_address(kq_url), "after": ""}]
    assert "access_token" not in robots.shown_address(kq_url)


def test_region_robots_are_set_by_the_regions_admin_with_a_valid_address(city: str) -> None:
    admin, city_admin = actor("keqiao_admin"), actor("admin")
    assert [r.region for r in robots.robot_settings(admin).rows] == ["柯桥区"]
    assert len(robots.robot_settings(city_admin).rows) == len(REGIONS)
    with pytest.raises(PermissionDenied):
        robots.set_robot(
            admin, region="越城区", url="https://oapi.dingtalk.com/robot/send", version=0
        )
    for bad in ("oapi.dingtalk.com/robot/send", "ftp://robot/x", "https://", "https://a b/c"):
        with pytest.raises(InvalidInput) as refused:
            robots.set_robot(admin, region="柯桥区", url=bad, version=0)
        assert "机器人地址格式不正确" in refused.value.message
    with pytest.raises(InvalidInput, match="不能超过"):
        robots.set_robot(admin, region="柯桥区", url="https://a.cn/" + "x" * 500, version=0)
    with pytest.raises(InvalidInput, match="没有"):
        robots.set_robot(city_admin, region="火星区", url="https://a.cn/x", version=0)
    assert robots.robot_settings(admin).rows[0].version == 0
    secret = "https://oapi.dingtalk.com/robot/send?access_token=abc123secret"
    robots.set_robot(admin, region="柯桥区", url=secret, version=0)
    with pytest.raises(StaleVersion):
        robots.set_robot(city_admin, region="柯桥区", url="https://b.cn/x", version=0)
    [entry] = audit_rows("robot_set")
    assert "abc123secret" not in entry.detail
    assert json.loads(entry.detail)["after"] == "oapi.dingtalk.com/robot/send"
    assert robots.robot_settings(city_admin).city_default is False
