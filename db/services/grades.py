"""业绩 grades per organisation and year (admin): the table, single and bulk edits, the import."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import (
    EVALUATED_ORG_TYPES,
    GRADES,
    Cycle,
    Organisation,
    PerformanceGrade,
    utcnow,
)
from db.query import pk, select_columns
from db.services import freeze
from db.services.common import (
    Actor,
    NotFound,
    audit,
    bump_change_counter,
    invalid,
    require,
    scope_conditions,
)
from db.services.imports import (
    ImportRejected,
    ImportResult,
    Table,
    audit_import,
    duplicates,
    line_error,
    logged_rejection,
    normalise_header,
    read_table,
    records_of,
)
from permissions import Action, Target, can
from texts import admin as T
from texts import leadership as TL


def grades_table(actor: Actor | None, *, year: int) -> pd.DataFrame:
    """业绩 grades of a year per evaluated organisation of the actor's scope (blank where none
    is recorded)."""
    actor = require(actor, Action.MANAGE_GRADES)
    with read_session() as session:
        rows = session.exec(
            select_columns(
                col(Organisation.id),
                col(Organisation.code),
                col(Organisation.name),
                col(PerformanceGrade.grade),
                col(PerformanceGrade.updated_at),
            )
            .join(
                PerformanceGrade,
                (col(PerformanceGrade.org_id) == Organisation.id)
                & (col(PerformanceGrade.year) == year),
                isouter=True,
            )
            .where(
                col(Organisation.org_type).in_(EVALUATED_ORG_TYPES),
                col(Organisation.active).is_(True),
                *scope_conditions(actor),
            )
            .order_by(col(Organisation.code))
        ).all()
    return pd.DataFrame(rows, columns=["org_id", "code", "name", "grade", "updated_at"])


def _grades(year: int, conditions: list[Any]) -> dict[int, str]:
    with read_session() as session:
        rows = session.exec(
            select(col(PerformanceGrade.org_id), col(PerformanceGrade.grade))
            .join(Organisation, col(Organisation.id) == PerformanceGrade.org_id)
            .where(col(PerformanceGrade.year) == year, *conditions)
        ).all()
    return {int(org_id): grade for org_id, grade in rows}


def load_grades(actor: Actor | None, year: int) -> dict[int, str]:
    """业绩 grade per organisation of the actor's scope for a year."""
    actor = require(actor, Action.VIEW_RESULTS)
    return _grades(year, scope_conditions(actor))


def load_city_grades(actor: Actor | None, year: int) -> dict[int, str]:
    """Every organisation's 业绩 grade for a year: the input of the city's 双优 rule, whose
    caller shows only what lies in the actor's scope."""
    require(actor, Action.VIEW_RESULTS)
    return _grades(year, [])


def _evaluated_orgs(actor: Actor, org_ids: Iterable[int]) -> dict[int, str]:
    """The evaluated organisations among `org_ids`; one outside the actor's scope is a logged
    refusal (ids come from forms)."""
    with read_session() as session:
        orgs = session.exec(
            select(Organisation).where(
                col(Organisation.id).in_(list(org_ids)),
                col(Organisation.org_type) != "department",
            )
        ).all()
    for org in orgs:
        require(actor, Action.MANAGE_GRADES, Target.org(org))
    return {pk(o.id): o.name for o in orgs}


def set_grades(actor: Actor | None, *, year: int, grades: Mapping[int, str]) -> int:
    """Record several 业绩 grades of a year in one transaction; returns how many changed."""
    actor = require(actor, Action.MANAGE_GRADES)
    known = _evaluated_orgs(actor, grades)
    errors = []
    for org_id, grade in grades.items():
        if org_id not in known:
            errors.append(TL.ERR_ORG_NOT_EVALUATED.format(org=org_id))
        if grade not in GRADES:
            errors.append(TL.ERR_GRADE.format(grade=grade))
    if errors:
        raise invalid(errors)
    with write_session() as session:
        if session.exec(select(Cycle.id).where(Cycle.year == year)).first() is None:
            raise NotFound(TL.ERR_YEAR.format(year=year))
        freeze.ensure_year_editable(session, year)
        existing = {
            g.org_id: g
            for g in session.exec(
                select(PerformanceGrade).where(
                    col(PerformanceGrade.year) == year,
                    col(PerformanceGrade.org_id).in_(list(grades)),
                )
            ).all()
        }
        changes = {}
        now = utcnow()
        for org_id, grade in grades.items():
            row = existing.get(org_id)
            before = row.grade if row else None
            if before == grade:
                continue
            if row is None:
                row = PerformanceGrade(org_id=org_id, year=year, grade=grade)
            row.grade = grade
            row.updated_at = now
            row.updated_by = actor.id
            session.add(row)
            changes[org_id] = {"before": before, "after": grade}
        if changes:
            audit(session, actor, "set_grade", "year", year, {"changes": changes})
            bump_change_counter(session)
    return len(changes)


def set_grade(actor: Actor | None, *, org_id: int, year: int, grade: str) -> None:
    """Record one organisation's 业绩 grade for a year (admin)."""
    set_grades(actor, year=year, grades={org_id: grade})


# ----------------------------------------------------------------------------- import


def _grade(value: str) -> str | None:
    value = value.strip()
    if value in GRADES:
        return value
    return T.GRADE_ALIASES.get(value)


def _year(value: str) -> int | None:
    text = value.strip()
    for suffix in T.YEAR_SUFFIXES:  # 2024年度, 2024年
        text = text.removesuffix(suffix)
    text = text.strip()
    if not text.isdigit():
        return None
    year = int(text)
    return year if 2000 <= year <= 2100 else None


def import_grades(
    actor: Actor | None,
    *,
    data: bytes,
    filename: str,
    year: int | None = None,
) -> ImportResult:
    """Set the 业绩 grade per organisation and year (upsert); `year` fills a missing 年度 column."""
    actor = require(actor, Action.MANAGE_GRADES)
    with logged_rejection(actor, "grades", filename):
        return _import_grades(actor, data, filename, year)


def _same_name(given: str, actual: str) -> bool:
    """An empty name column is fine; a given one must be the organisation's name (spaces aside)."""
    given = "".join(given.split())
    return not given or given == "".join(actual.split())


def _import_grades(actor: Actor, data: bytes, filename: str, year: int | None) -> ImportResult:
    table = read_table(data, filename)
    if year is not None:
        index = {normalise_header(h) for h in table.headers}
        names = {*T.YEAR_COLUMN_NAMES, "year"}
        if not index & names:
            table = Table(
                [*table.headers, T.YEAR_COLUMN_NAMES[0]],
                [
                    (line, [*cells, *[""] * (len(table.headers) - len(cells)), str(year)])
                    for line, cells in table.rows
                ],
            )
    records = records_of("grades", table)
    dupes = duplicates(
        records,
        lambda r: (r.get("org_code", ""), _year(r.get("year", ""))),
        lambda r: f"{r.get('org_code', '')} {r.get('year', '')}",
    )
    with write_session() as session:
        orgs = {o.code: o for o in session.exec(select(Organisation)).all()}
        frozen: dict[int, bool] = {}
        problems: list[str] = []
        wanted: list[tuple[int, int, str, str]] = []
        for line, record in records:
            reasons = []
            code = record.get("org_code", "")
            org = orgs.get(code)
            if not code:
                reasons.append(T.ERR_ORG_CODE_EMPTY)
            elif org is None:
                reasons.append(T.ERR_ORG_UNKNOWN.format(code=code))
            elif org.org_type not in EVALUATED_ORG_TYPES:
                reasons.append(T.ERR_GRADE_NOT_EVALUATED.format(code=code))
            elif not can(actor, Action.MANAGE_GRADES, Target.org(org)):
                reasons.append(T.ERR_ORG_OUT_OF_SCOPE.format(code=code))
            elif not _same_name(record.get("org_name", ""), org.name):
                # a shifted row would give one organisation another's grade: name and code
                # must point to the same organisation
                reasons.append(
                    T.ERR_GRADE_NAME_MISMATCH.format(
                        name=record.get("org_name", "").strip(), code=code, actual=org.name
                    )
                )
            grade_year = _year(record.get("year", ""))
            if grade_year is None:
                reasons.append(T.ERR_GRADE_YEAR.format(value=record.get("year", "")))
            elif grade_year not in frozen:
                frozen[grade_year] = freeze.year_is_frozen(session, grade_year)
            if grade_year is not None and frozen.get(grade_year):
                reasons.append(T.ERR_GRADE_FROZEN.format(year=grade_year))
            grade = _grade(record.get("grade", ""))
            if grade is None:
                reasons.append(
                    T.ERR_GRADE.format(value=record.get("grade", ""), allowed="、".join(GRADES))
                )
            if line in dupes:
                reasons.append(dupes[line])
            if reasons:
                problems.append(line_error(line, reasons))
                continue
            assert org is not None
            assert org.id is not None
            assert grade_year
            assert grade
            wanted.append((org.id, grade_year, grade, code))
        if problems:
            raise ImportRejected(problems)
        stored = {
            (g.org_id, g.year): g
            for g in session.exec(
                select(PerformanceGrade).where(
                    col(PerformanceGrade.year).in_({y for _, y, _, _ in wanted})
                )
            ).all()
        }
        now = freeze.utcnow()
        created = updated = unchanged = 0
        changes = []
        for org_id, grade_year, grade, code in wanted:
            row = stored.get((org_id, grade_year))
            if row is not None and row.grade == grade:
                unchanged += 1
                continue
            before = row.grade if row is not None else None
            if row is None:
                row = PerformanceGrade(org_id=org_id, year=grade_year, grade=grade)
                created += 1
            else:
                updated += 1
            row.grade = grade
            row.updated_at = now
            row.updated_by = actor.id
            session.add(row)
            changes.append({"code": code, "year": grade_year, "before": before, "after": grade})
        result = ImportResult("grades", created, updated, unchanged)
        audit_import(session, actor, "grades", filename, result, changes)
        bump_change_counter(session)
    return result


__all__ = [
    "grades_table",
    "import_grades",
    "load_grades",
    "set_grade",
    "set_grades",
]
