"""A region's own 公示 (publish_region): a region's admin publishes its region's list while the
year is still open or closed, before the city publishes the year (db/services/publication.py).

Its reviewed assessments become "published", a region_publication row records when and until
when, and published.record_publication freezes that region's published_result rows only, so
no other region's edits, moves or own republication change a figure of it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select

from db.engine import write_session
from db.models import REGIONS, Assessment, Organisation, RegionPublication
from db.services import freeze, published
from db.services.common import Actor, audit, bump_change_counter, invalid, require
from db.services.publication import checked_days, publishable_cycle
from permissions import Action, Target
from texts import review as T


def publish_region(
    actor: Actor | None,
    *,
    cycle_id: int,
    region: str,
    days: int | None = None,
    include_unfinished: bool = False,
) -> datetime:
    """Publish one region's results for `days` days (that region's admin, or the city's) while
    the year is open or closed; returns the end of the period (UTC).

    The region's reviewed assessments become "published" and its published_result rows are
    frozen now; publishing again (after a correction) freezes them afresh and starts a new
    period. No other region's rows are touched. The 双优 mark follows the city's confirmation.
    """
    actor = require(actor, Action.MANAGE_PUBLICATION, Target.of_region(region))
    if region not in REGIONS:
        raise invalid([T.ERR_PUB_REGION.format(region=region)])
    days = checked_days(days)
    in_region = Organisation.region == region
    with write_session() as session:
        # A region republishing after a correction: its published rows count as results.
        cycle, rated, unfinished = publishable_cycle(
            session,
            cycle_id,
            include_unfinished=include_unfinished,
            rated=("reviewed", "published"),
            conditions=(in_region,),
        )
        now = freeze.utcnow()
        ends = now + timedelta(days=days)
        region_orgs = select(Organisation.id).where(in_region)
        session.exec(
            update(Assessment)
            .where(
                col(Assessment.cycle_id) == cycle_id,
                col(Assessment.org_id).in_(
                    select(Organisation.id).where(in_region, col(Organisation.active).is_(False))
                ),
            )
            .values(counted=False)
        )
        session.exec(
            update(Assessment)
            .where(
                col(Assessment.cycle_id) == cycle_id,
                col(Assessment.status) == "reviewed",
                col(Assessment.org_id).in_(region_orgs),
            )
            .values(
                status="published",
                version=Assessment.version + 1,
                updated_at=now,
                updated_by=actor.id,
            )
        )
        row = session.get(RegionPublication, (cycle_id, region))
        before = None if row is None else {"published_at": row.published_at}
        if row is None:
            row = RegionPublication(
                cycle_id=cycle_id, region=region, published_at=now, publication_ends=ends
            )
        else:
            row.published_at, row.publication_ends = now, ends
            row.version += 1
        row.published_by = actor.id
        session.add(row)
        published.record_publication(session, cycle_id, regions=[region])
        audit(
            session,
            actor,
            "region_published",
            "cycle",
            cycle_id,
            {
                "year": cycle.year,
                "region": region,
                "days": days,
                "ends": ends.isoformat(),
                "published": rated,
                "not_rated": unfinished,
                "before": before,
                "after": {"published_at": now},
            },
        )
        bump_change_counter(session)
    return ends


__all__ = ["publish_region"]
