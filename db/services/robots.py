"""Each region's own group robot for reminders (管理 → 工作群机器人).

A 区县's 机关工委 has its own DingTalk / 浙政钉-style group. An admin whose scope holds the
region (the city's, or the region's own) sets the robot's webhook address; reminders for the
region's organisations and for its reviewers then go to that robot, and to REMINDER_WEBHOOK_URL
(the city's robot, from the settings) wherever a region has none (`robot_for`). The address
carries the robot's access token: the audit log records only where it points (`shown_address`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import REGIONS, RegionRobot, User, utcnow
from db.services.common import (
    Actor,
    StaleVersion,
    audit,
    bump_change_counter,
    invalid,
    require,
)
from permissions import Action, Target, can
from settings import Settings, get_settings
from texts import reminders as T

URL_MAX = 500


@dataclass(frozen=True)
class RobotRow:
    """One region's robot as the admin sees it ("" and version 0: none set)."""

    region: str
    url: str
    version: int
    updated_at: datetime | None
    updated_by: str


@dataclass(frozen=True)
class RobotSettings:
    """The regions the admin may set a robot for, and whether the city's default is set."""

    rows: tuple[RobotRow, ...]
    city_default: bool


def _region_target(region: str) -> Target:
    return Target.of_region(region, kind="region_robot", id=region)


def shown_address(url: str) -> str:
    """Where a webhook address points, without its token: "oapi.dingtalk.com/robot/send"."""
    if not url:
        return ""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


def check_url(value: str | None) -> tuple[str, list[str]]:
    """A webhook address as stored (trimmed; "" removes the region's robot) and its problems."""
    url = (value or "").strip()
    if not url:
        return "", []
    if len(url) > URL_MAX:
        return url, [T.ERR_ROBOT_URL_LONG.format(n=URL_MAX)]
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(ch.isspace() or ord(ch) < 32 for ch in url)
    ):
        return url, [T.ERR_ROBOT_URL]
    return url, []


def robot_urls(session: Session) -> dict[str, str]:
    """Every region's robot address (the reminders' own read, inside their transaction)."""
    return {
        str(region): str(url)
        for region, url in session.exec(select(RegionRobot.region, RegionRobot.webhook_url)).all()
    }


def robot_for(region: str | None, robots: Mapping[str, str], settings: Settings) -> str:
    """The robot a reminder about `region` goes to: the region's own, else the city's ("" for
    none at all)."""
    return (robots.get(region, "") if region else "") or settings.reminder_webhook_url


def robot_settings(actor: Actor | None) -> RobotSettings:
    """The robots of the regions in the admin's scope (a department's admin has none)."""
    actor = require(actor, Action.MANAGE_ROBOTS)
    regions = [r for r in REGIONS if can(actor, Action.MANAGE_ROBOTS, _region_target(r))]
    with read_session() as session:
        stored = {
            r.region: r
            for r in session.exec(
                select(RegionRobot).where(col(RegionRobot.region).in_(regions))
            ).all()
        }
        names = dict(
            session.exec(
                select(User.id, User.display_name).where(
                    col(User.id).in_([r.updated_by for r in stored.values() if r.updated_by])
                )
            ).all()
        )
    rows = []
    for region in regions:
        row = stored.get(region)
        rows.append(
            RobotRow(region, "", 0, None, "")
            if row is None
            else RobotRow(
                region,
                row.webhook_url,
                row.version,
                row.updated_at,
                str(names.get(row.updated_by, "")) if row.updated_by else "",
            )
        )
    return RobotSettings(tuple(rows), bool(get_settings().reminder_webhook_url))


def set_robot(actor: Actor | None, *, region: str, url: str, version: int) -> None:
    """Set (or with "" remove) a region's robot; `version` is the one shown (0: none was set).
    Refused and logged for an admin whose scope does not hold the region."""
    if region not in REGIONS:
        raise invalid([T.ERR_ROBOT_REGION.format(region=region)])
    actor = require(actor, Action.MANAGE_ROBOTS, _region_target(region))
    address, problems = check_url(url)
    if problems:
        raise invalid(problems)
    try:
        with write_session() as session:
            row = session.get(RegionRobot, region)
            if (row.version if row else 0) != version:
                raise StaleVersion(T.ERR_ROBOT_STALE)
            before = row.webhook_url if row else ""
            if before == address:
                return
            if row is not None and not address:
                session.delete(row)
            elif row is None:
                session.add(RegionRobot(region=region, webhook_url=address, updated_by=actor.id))
            else:
                row.webhook_url = address
                row.updated_at = utcnow()
                row.updated_by = actor.id
                row.version += 1
                session.add(row)
            audit(
                session,
                actor,
                "robot_set" if address else "robot_removed",
                "region_robot",
                region,
                {
                    "region": region,
                    "before": shown_address(before),
                    "after": shown_address(address),
                },
            )
            bump_change_counter(session)
    except IntegrityError as error:  # another admin set the region's first robot meanwhile
        raise StaleVersion(T.ERR_ROBOT_STALE) from error


__all__ = [
    "URL_MAX",
    "RobotRow",
    "RobotSettings",
    "check_url",
    "robot_for",
    "robot_settings",
    "robot_urls",
    "set_robot",
    "shown_address",
]
