"""公示: publishing a year's results, objections during the notice period, final results.

The administrator publishes a year once every submitted assessment is reviewed: reviewed
assessments become "published", the cycle "published" with a notice period (default
settings.publication_days). During the period objections (异议) are recorded against an
organisation and each gets a recorded outcome; a justified one is corrected through the review
service. When the period is over and every objection is settled the year is final: the cycle
becomes "final" and freeze.ensure_cycle_editable refuses every later edit.

Per region: a region's admin publishes its own list (`region_publication.publish_region`)
while the year is still open or closed; its published_result rows are frozen then and only its
own republication rewrites them. A region-scoped account sees its region's state, counts and
frozen list; the city sees every region's, and publishes the year (the regions that published
themselves keep their frozen rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import (
    AWAITING_REVIEW_STATUSES,
    REGIONS,
    Assessment,
    AssessmentStatus,
    Cycle,
    ExcellenceDecision,
    Objection,
    Organisation,
)
from db.query import pk
from db.services import freeze, published, readmodels
from db.services.common import (
    Actor,
    InvalidInput,
    NotFound,
    audit,
    bump_change_counter,
    invalid,
    require,
    scope_conditions,
)
from db.services.readmodels import taking_part
from documents import publication_list as publication_list_file
from formatting import china_time
from permissions import Action, Target
from settings import get_settings
from texts import common as C
from texts import review as T

NAMES_SHOWN = 10


# ----------------------------------------------------------------------------- state


@dataclass(frozen=True)
class PublicationInfo:
    """Where a year stands on its way from review to final results."""

    cycle_id: int
    year: int
    status: str
    state: str  # "none", "published", "expired" (period over, not yet final), "final"
    published_at: datetime | None
    publication_ends: datetime | None
    finalized_at: datetime | None
    reviewed: int
    pending: int
    unfinished: int
    excellence_confirmed: bool
    excellence_count: int
    objections: int
    open_objections: int
    region: str | None = None  # the region whose own publication this is (None: the year's)
    # Each region that published its own list: (region, published_at, publication_ends).
    regions: tuple[tuple[str, datetime, datetime], ...] = ()

    @property
    def remaining(self) -> timedelta | None:
        if self.state != "published" or self.publication_ends is None:
            return None
        return max(self.publication_ends - freeze.utcnow(), timedelta(0))


def _state(cycle: Cycle) -> str:
    if cycle.status == "final":
        return "final"
    if cycle.status != "published":
        return "none"
    if cycle.publication_ends is not None and freeze.utcnow() >= cycle.publication_ends:
        return "expired"
    return "published"


def _status_counts(session: Session, cycle: Cycle, actor: Actor) -> dict[str, int]:
    rows = session.exec(
        select(col(Assessment.status), func.count())
        .join(Organisation, col(Organisation.id) == Assessment.org_id)
        .where(
            col(Assessment.cycle_id) == cycle.id,
            *taking_part(cycle.status),
            *scope_conditions(actor),
        )
        .group_by(col(Assessment.status))
    ).all()
    return {status: int(n) for status, n in rows}


def _selected_excellence(session: Session, cycle_id: int) -> list[int]:
    return list(
        session.exec(
            select(col(ExcellenceDecision.org_id)).where(
                col(ExcellenceDecision.cycle_id) == cycle_id,
                col(ExcellenceDecision.selected).is_(True),
            )
        ).all()
    )


def get_cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound()
    return cycle


def cycle_id_of(actor: Actor | None, year: int) -> int:
    """The id of the evaluation year `year`."""
    require(actor, Action.VIEW_YEARS)
    with read_session() as session:
        cycle_id = session.exec(select(Cycle.id).where(Cycle.year == year)).first()
    if cycle_id is None:
        raise NotFound()
    return int(cycle_id)


def finalize_due() -> list[int]:
    """Make final every published year whose period is over with no open objection.

    Called when the publication screens are read, so results become final on time without a
    scheduler; the audit records it as done by the system.
    """
    now = freeze.utcnow()
    with read_session() as session:
        due = [
            pk(c.id)
            for c in session.exec(select(Cycle).where(Cycle.status == "published")).all()
            if c.publication_ends is not None and now >= c.publication_ends
        ]
        due = [cid for cid in due if not freeze.open_objection_count(session, cid)]
    done: list[int] = []
    for cycle_id in due:
        with write_session() as session:
            cycle = get_cycle(session, cycle_id)
            if not freeze.cycle_frozen(session, cycle) or cycle.status != "published":
                continue
            _make_final(session, None, cycle, automatic=True)
            done.append(cycle_id)
    return done


def _make_final(session: Session, actor: Actor | None, cycle: Cycle, *, automatic: bool) -> None:
    now = freeze.utcnow()
    result = session.exec(
        update(Cycle)
        .where(col(Cycle.id) == cycle.id, col(Cycle.status) == "published")
        .values(status="final", finalized_at=now, version=col(Cycle.version) + 1)
    )
    if result.rowcount != 1:
        raise invalid([T.ERR_ALREADY_FINAL.format(year=cycle.year)])
    audit(
        session,
        actor,
        "publication_finalized",
        "cycle",
        cycle.id,
        {
            "year": cycle.year,
            "automatic": automatic,
            "before": {"status": "published"},
            "after": {"status": "final"},
        },
    )
    bump_change_counter(session)


def publication_info(actor: Actor | None, *, cycle_id: int) -> PublicationInfo:
    """The publication state of a year in the actor's scope (admin, reviewer, leader): a
    scoped account's counts are its scope's, and before the year is published its region's
    own publication is its state."""
    actor = require(actor, Action.VIEW_PUBLICATION)
    finalize_due()
    with read_session() as session:
        cycle = get_cycle(session, cycle_id)
        counts = _status_counts(session, cycle, actor)
        total_objections = int(
            session.exec(
                select(func.count())
                .select_from(Objection)
                .join(Organisation, col(Organisation.id) == Objection.org_id)
                .where(Objection.cycle_id == cycle_id, *scope_conditions(actor))
            ).one()
        )
        open_objections = freeze.open_objection_count(session, cycle_id)
        excellence = _selected_excellence(session, cycle_id)
        region = published.actor_region(session, actor)
        own = published.region_publications(session, cycle_id)
        assert cycle.id is not None
        state = _state(cycle)
        published_at, ends = cycle.published_at, cycle.publication_ends
        mine = own.get(region) if region is not None else None
        if state == "none" and mine is not None:
            state = "published" if freeze.utcnow() < mine.publication_ends else "expired"
            published_at, ends = mine.published_at, mine.publication_ends
        shown = {r: p for r, p in own.items() if region is None or r == region}
        return PublicationInfo(
            cycle_id=cycle.id,
            year=cycle.year,
            status=cycle.status,
            state=state,
            published_at=published_at,
            publication_ends=ends,
            finalized_at=cycle.finalized_at,
            reviewed=counts.get("reviewed", 0) + counts.get("published", 0),
            pending=sum(counts.get(s, 0) for s in AWAITING_REVIEW_STATUSES),
            unfinished=counts.get("draft", 0) + counts.get("returned", 0),
            excellence_confirmed=cycle.excellence_confirmed_at is not None,
            excellence_count=len(excellence) if cycle.excellence_confirmed_at else 0,
            objections=total_objections,
            open_objections=open_objections,
            region=region if mine is not None and cycle.status in ("open", "closed") else None,
            regions=tuple(
                (r, p.published_at, p.publication_ends)
                for r, p in sorted(shown.items(), key=lambda i: REGIONS.index(i[0]))
            ),
        )


# ----------------------------------------------------------------------------- publishing


def names_with_status(
    session: Session, cycle: Cycle, statuses: tuple[str, ...], *conditions: Any
) -> tuple[int, str]:
    names = list(
        session.exec(
            select(col(Organisation.name))
            .join(Assessment, col(Assessment.org_id) == Organisation.id)
            .where(
                col(Assessment.cycle_id) == cycle.id,
                col(Assessment.status).in_(statuses),
                *taking_part(cycle.status),
                *conditions,
            )
            .order_by(col(Organisation.code))
        ).all()
    )
    shown = "、".join(names[:NAMES_SHOWN]) + (T.AND_MORE if len(names) > NAMES_SHOWN else "")
    return len(names), shown


def _status_refused(year: int, status: str) -> InvalidInput:
    """The refusal to publish a year in this status, the status by its Chinese name."""
    return invalid(
        [T.ERR_PUB_STATUS.format(year=year, status=C.CYCLE_STATUS_NAMES.get(status, status))]
    )


def publishable_cycle(
    session: Session,
    cycle_id: int,
    *,
    include_unfinished: bool,
    rated: tuple[str, ...],
    conditions: tuple[Any, ...] = (),
) -> tuple[Cycle, int, int]:
    """The year to publish (its organisations narrowed by `conditions`), refused in Chinese
    unless it can be: open or closed, nothing awaiting review, no draft or returned assessment
    left (unless `include_unfinished`), and at least one assessment in a `rated` status.
    Returns the year, how many are rated and how many unfinished (for the audit)."""
    cycle = get_cycle(session, cycle_id)
    if cycle.status not in ("open", "closed"):
        raise _status_refused(cycle.year, cycle.status)
    pending, pending_names = names_with_status(
        session, cycle, AWAITING_REVIEW_STATUSES, *conditions
    )
    if pending:
        raise invalid([T.ERR_PUB_PENDING.format(n=pending, names=pending_names)])
    unfinished, unfinished_names = names_with_status(
        session, cycle, ("draft", "returned"), *conditions
    )
    if unfinished and not include_unfinished:
        raise invalid([T.ERR_PUB_UNFINISHED.format(n=unfinished, names=unfinished_names)])
    rated_count, _ = names_with_status(session, cycle, rated, *conditions)
    if not rated_count:
        raise invalid([T.ERR_PUB_NO_RESULTS])
    return cycle, rated_count, unfinished


def publish_year(
    actor: Actor | None,
    *,
    cycle_id: int,
    days: int | None = None,
    include_unfinished: bool = False,
    without_excellence: bool = False,
) -> datetime:
    """Publish a year's results for `days` days (a city-wide admin); returns the end of the
    period (UTC). Regions that published their own list keep its frozen rows."""
    actor = require(actor, Action.MANAGE_PUBLICATION, Target.whole_city(kind="cycle", id=cycle_id))
    days = checked_days(days)
    with write_session() as session:
        cycle, reviewed, unfinished = publishable_cycle(
            session, cycle_id, include_unfinished=include_unfinished, rated=("reviewed",)
        )
        if cycle.excellence_confirmed_at is None and not without_excellence:
            raise invalid([T.ERR_PUB_EXCELLENCE])
        now = freeze.utcnow()
        ends = now + timedelta(days=days)
        result = session.exec(
            update(Cycle)
            .where(col(Cycle.id) == cycle_id, col(Cycle.status).in_(("open", "closed")))
            .values(
                status="published",
                published_at=now,
                publication_ends=ends,
                finalized_at=None,
                version=col(Cycle.version) + 1,
            )
        )
        if result.rowcount != 1:  # another publish came first: say the status it left
            # Read afresh: the session's Cycle object still holds the status checked above.
            status = session.exec(select(Cycle.status).where(col(Cycle.id) == cycle_id)).one()
            raise _status_refused(cycle.year, status)
        # The published results count the organisations counted now: record the set.
        session.exec(
            update(Assessment)
            .where(
                col(Assessment.cycle_id) == cycle_id,
                col(Assessment.org_id).in_(
                    select(Organisation.id).where(col(Organisation.active).is_(False))
                ),
            )
            .values(counted=False)
        )
        session.exec(
            update(Assessment)
            .where(col(Assessment.cycle_id) == cycle_id, col(Assessment.status) == "reviewed")
            .values(
                status="published",
                version=col(Assessment.version) + 1,
                updated_at=now,
                updated_by=actor.id,
            )
        )
        # ... and freeze it as it is now: names, places, statuses and reviewed sums.
        published.record_publication(session, cycle_id)
        audit(
            session,
            actor,
            "publication_published",
            "cycle",
            cycle_id,
            {
                "year": cycle.year,
                "days": days,
                "ends": ends.isoformat(),
                "published": reviewed,
                "not_rated": unfinished,
                "excellence": None
                if without_excellence and cycle.excellence_confirmed_at is None
                else sorted(_selected_excellence(session, cycle_id)),
                "before": {"status": cycle.status},
                "after": {"status": "published"},
            },
        )
        bump_change_counter(session)
    return ends


def checked_days(days: int | None) -> int:
    days = get_settings().publication_days if days is None else days
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
        raise invalid([T.ERR_PUB_DAYS])
    return days


def finalize_year(actor: Actor | None, *, cycle_id: int) -> None:
    """定档 by hand once the period is over and every objection has its outcome (a city-wide
    admin)."""
    actor = require(actor, Action.MANAGE_PUBLICATION, Target.whole_city(kind="cycle", id=cycle_id))
    with write_session() as session:
        cycle = get_cycle(session, cycle_id)
        if cycle.status == "final":
            raise invalid([T.ERR_ALREADY_FINAL.format(year=cycle.year)])
        if cycle.status != "published" or cycle.publication_ends is None:
            raise invalid([T.ERR_NOT_PUBLISHED.format(year=cycle.year)])
        if freeze.utcnow() < cycle.publication_ends:
            raise invalid(
                [T.ERR_FINALIZE_EARLY.format(ends=china_time(cycle.publication_ends, missing="—"))]
            )
        open_count = freeze.open_objection_count(session, cycle_id)
        if open_count:
            raise invalid([T.ERR_FINALIZE_OPEN.format(n=open_count)])
        _make_final(session, actor, cycle, automatic=False)


# ----------------------------------------------------------------------------- the list


LIST_COLUMNS = [
    "no",
    "rank",
    "org_id",
    "code",
    "name",
    "department",
    "region",
    "org_type",
    "composite",
    "level",
    "level_name",
    "five_star",
    "vetoed",
    "excellence",
]


def _level_name(level: int, vetoed: bool) -> str:
    return T.VETOED if vetoed else C.LEVEL_NAMES.get(int(level), str(level))


def publication_list(actor: Actor | None, *, cycle_id: int) -> pd.DataFrame:
    """The published results of the actor's scope: every rated organisation's composite,
    level and 双优 mark (its rank the city's). Before the year is published: the lists the
    regions of the scope published themselves, as frozen (each ranked within its region)."""
    actor = require(actor, Action.VIEW_PUBLICATION)
    with read_session() as session:
        cycle = get_cycle(session, cycle_id)
        year = cycle.year
        published_year = cycle.status in ("published", "final")
        excellence = (
            set(_selected_excellence(session, cycle_id))
            if (cycle.excellence_confirmed_at is not None)
            else set()
        )
        region = published.actor_region(session, actor)
        regions = [
            r
            for r in published.region_publications(session, cycle_id)
            if region is None or r == region
        ]
    if published_year:
        frame = readmodels.load_city_frame(actor, year, "reviewed")
    elif regions:
        parts = [
            readmodels.load_region_publication(actor, year, r)
            for r in sorted(regions, key=REGIONS.index)
        ]
        frame = pd.concat(parts) if len(parts) > 1 else parts[0]
    else:
        return pd.DataFrame(columns=LIST_COLUMNS)
    frame = frame[frame["status"] == AssessmentStatus.PUBLISHED]
    frame = frame.sort_values(
        ["level", "composite_milli", "code"], ascending=[False, False, True], kind="stable"
    )
    out = pd.DataFrame(
        {
            "org_id": frame.index.astype("int64"),
            "code": frame["code"].to_numpy(),
            "name": frame["name"].to_numpy(),
            "department": frame["department"].fillna("").to_numpy(),
            "region": frame["region"].to_numpy(),
            "org_type": [C.ORG_TYPE_NAMES.get(t, t) for t in frame["org_type"]],
            "composite": frame["composite"].to_numpy(),
            # the city rank every screen and the printable report show (ties share it)
            "rank": frame["rank"].to_numpy(),
            "level": frame["level"].to_numpy(),
            "level_name": [
                _level_name(lv, vt) for lv, vt in zip(frame["level"], frame["vetoed"], strict=True)
            ],
            "five_star": frame["five_star"].to_numpy(),
            "vetoed": frame["vetoed"].to_numpy(),
            "excellence": [int(o) in excellence for o in frame.index],
        }
    )
    out.insert(0, "no", range(1, len(out) + 1))
    return out[LIST_COLUMNS].reset_index(drop=True)


def print_html(actor: Actor | None, *, cycle_id: int) -> bytes:
    """A self-contained, print-ready HTML page of the 公示 list."""
    info = publication_info(actor, cycle_id=cycle_id)
    frame = publication_list(actor, cycle_id=cycle_id)
    notice = T.PUB_PRINT_NOTICE.format(
        start=china_time(info.published_at, missing="—", with_time=False),
        end=china_time(info.publication_ends, missing="—", with_time=False),
    )
    return publication_list_file.list_html(
        frame, title=T.PUB_PRINT_TITLE.format(year=info.year), notice=notice
    )


def list_xlsx(actor: Actor | None, *, cycle_id: int) -> bytes:
    """The 公示 list as an Excel workbook with Chinese headers."""
    info = publication_info(actor, cycle_id=cycle_id)
    frame = publication_list(actor, cycle_id=cycle_id)
    return publication_list_file.list_workbook(
        frame, title=T.PUB_PRINT_TITLE.format(year=info.year)
    )


__all__ = [
    "LIST_COLUMNS",
    "PublicationInfo",
    "checked_days",
    "cycle_id_of",
    "finalize_due",
    "finalize_year",
    "get_cycle",
    "list_xlsx",
    "names_with_status",
    "print_html",
    "publication_info",
    "publication_list",
    "publish_year",
]
