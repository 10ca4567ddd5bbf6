"""Queries of CMAM care. ``find_*`` returns ``None``; nothing here commits.

Report queries aggregate in SQL that runs unchanged on SQLite and PostgreSQL, scoped by place
subtree paths like every other query (``core.repository``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Final

from sqlalchemy import ColumnElement, Select, Subquery, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from alima.core.models import Patient, Place
from alima.core.repository import in_paths, list_of_patient, patient_not_deleted
from alima.nutrition.models import Episode, ProtocolOverride, Tracing, Visit


def _place_in(paths: Sequence[str]) -> ColumnElement[bool]:
    return in_paths(Place.path, paths)


def _live() -> ColumnElement[bool]:
    """Neither the episode nor its child is soft-deleted (a deleted child counts nowhere)."""
    return and_(
        Episode.deleted_at.is_(None),
        patient_not_deleted(Episode.patient_id),
    )


def _not_defaulted_by(day: date, today: date) -> ColumnElement[bool]:
    """Not defaulted by the end of ``day``, as read on ``today`` (``rules.follow_up``).

    An open episode is defaulted from its ``defaults_on`` once that day has come; the SQL
    twin of ``episode_state`` for the report's counts.
    """
    return or_(
        Episode.status != "open",
        Episode.defaults_on.is_(None),
        Episode.defaults_on > day,
        Episode.defaults_on > today,
    )


#: Built once each (the visit path reads an episode at every visit); ``id`` is the parameter.
_EPISODE: Final = {
    True: select(Episode)
    .where(Episode.id == bindparam("id"))
    .options(
        joinedload(Episode.patient).joinedload(Patient.place),
        joinedload(Episode.place),
        selectinload(Episode.visits),
    ),
    False: select(Episode)
    .where(Episode.id == bindparam("id"))
    .options(joinedload(Episode.patient), joinedload(Episode.place)),
}


def find_episode(
    session: Session, episode_id: uuid.UUID, *, with_visits: bool = True
) -> Episode | None:
    """An episode with its patient and place loaded, and its visits if ``with_visits``.

    The visit path reads the earlier visits with :func:`visit_history` instead.
    """
    return session.scalars(_EPISODE[with_visits], {"id": episode_id}).one_or_none()


@dataclass(frozen=True)
class VisitHistory:
    """What the rules read of an earlier visit (no ORM object: the visit path builds ~10)."""

    visit_on: date
    is_admission: bool
    muac_mm: int | None
    weight_kg: float | None
    height_cm: float | None
    measure: str | None
    oedema: str
    zwfl: float | None
    temperature_c: float | None
    appetite_test_passed: bool | None
    danger_signs: bool
    complications: bool


_HISTORY_COLUMNS: Final = tuple(f.name for f in fields(VisitHistory))


#: Built once: the visit path reads it at every visit.
_HISTORY: Final = (
    select(*(getattr(Visit, name) for name in _HISTORY_COLUMNS))
    .where(
        Visit.episode_id == bindparam("episode_id"),
        or_(Visit.deleted_at.is_(None), Visit.is_admission),
    )
    .order_by(Visit.visit_on, Visit.created_at)
)


def visit_history(session: Session, episode_id: uuid.UUID) -> list[VisitHistory]:
    """The episode's admission and live visits in date order, in one plain query.

    Through the connection, not the ORM: plain rows need none of its loading (the caller has
    nothing pending to flush yet).
    """
    rows = session.connection().execute(_HISTORY, {"episode_id": episode_id})
    return [VisitHistory(*row) for row in rows]


def find_open_episode(session: Session, patient_id: uuid.UUID) -> Episode | None:
    """The child's open episode, if any."""
    return session.scalars(
        select(Episode)
        .where(
            Episode.patient_id == patient_id,
            Episode.status == "open",
            Episode.deleted_at.is_(None),
        )
        .options(selectinload(Episode.patient))
    ).first()


def last_cured_on(session: Session, patient_id: uuid.UUID) -> tuple[uuid.UUID, date] | None:
    """The child's most recent cure (episode id and date), for relapse detection."""
    row = session.execute(
        select(Episode.id, Episode.closed_on)
        .where(
            Episode.patient_id == patient_id,
            Episode.outcome == "cured",
            Episode.deleted_at.is_(None),
        )
        .order_by(Episode.closed_on.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row and row[1] else None


def episodes_of_patient(session: Session, patient_id: uuid.UUID) -> list[Episode]:
    """The child's episodes, newest first."""
    return list_of_patient(
        session, Episode, patient_id, Episode.admitted_on, selectinload(Episode.place)
    )


def active_override(
    session: Session, *, country_id: uuid.UUID, code: str, version: str, on: date
) -> ProtocolOverride | None:
    """The country's override of a protocol version in force on ``on``."""
    return session.scalars(
        select(ProtocolOverride)
        .where(
            ProtocolOverride.country_id == country_id,
            ProtocolOverride.protocol_code == code,
            ProtocolOverride.protocol_version == version,
            ProtocolOverride.active.is_(True),
            ProtocolOverride.effective_from <= on,
        )
        .order_by(ProtocolOverride.effective_from.desc())
        .limit(1)
    ).first()


def latest_override(
    session: Session, *, country_id: uuid.UUID, on: date
) -> ProtocolOverride | None:
    """The country's most recent active override of any protocol in force on ``on``."""
    return session.scalars(
        select(ProtocolOverride)
        .where(
            ProtocolOverride.country_id == country_id,
            ProtocolOverride.active.is_(True),
            ProtocolOverride.effective_from <= on,
        )
        .order_by(ProtocolOverride.effective_from.desc(), ProtocolOverride.created_at.desc())
        .limit(1)
    ).first()


def open_episodes_at(session: Session, paths: Sequence[str]) -> list[Episode]:
    """Episodes recorded as open at sites inside ``paths`` (children not deleted).

    Patients loaded. Some may be defaulted by the rule: readers ask
    ``rules.follow_up.episode_state``.
    """
    return list(
        session.scalars(
            select(Episode)
            .join(Place, Place.id == Episode.place_id)
            .where(_place_in(paths), Episode.status == "open", _live())
            .options(selectinload(Episode.patient))
            .order_by(Episode.next_visit_on, Episode.admitted_on)
        )
    )


def defaulted_since(session: Session, paths: Sequence[str], start: date) -> list[Episode]:
    """Episodes recorded as closed as defaulted from ``start`` at sites inside ``paths``."""
    return list(
        session.scalars(
            select(Episode)
            .join(Place, Place.id == Episode.place_id)
            .where(
                _place_in(paths),
                Episode.status == "closed",
                Episode.outcome == "defaulted",
                Episode.closed_on >= start,
                _live(),
            )
            .options(selectinload(Episode.patient))
        )
    )


def latest_tracings(session: Session, episode_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Tracing]:
    """The latest live tracing visit of each episode of ``episode_ids`` that has one."""
    if not episode_ids:
        return {}
    rows = session.scalars(
        select(Tracing)
        .where(Tracing.episode_id.in_(episode_ids), Tracing.deleted_at.is_(None))
        .order_by(Tracing.visited_on, Tracing.created_at)
    )
    return {t.episode_id: t for t in rows}


# --- monthly report -------------------------------------------------------------------------


def _scoped(paths: Sequence[str]) -> Select[int]:
    return (
        select(func.count(Episode.id))
        .join(Place, Place.id == Episode.place_id)
        .where(_place_in(paths), _live())
    )


def count_open_on(session: Session, paths: Sequence[str], *, before: date, today: date) -> int:
    """Children in treatment at the start of day ``before`` (admitted earlier, not yet out).

    As read on ``today``: an exit recorded, or a default that has come, takes them out.
    """
    stmt = _scoped(paths).where(
        Episode.admitted_on < before,
        or_(Episode.closed_on.is_(None), Episode.closed_on >= before),
        _not_defaulted_by(before - timedelta(days=1), today),
    )
    return session.scalar(stmt) or 0


def admissions_by_type_and_criterion(
    session: Session, paths: Sequence[str], *, start: date, end: date
) -> list[tuple[str, str, int]]:
    """(admission type, main criterion, count) for admissions from ``start`` to ``end``."""
    stmt = (
        select(Episode.admission_type, Episode.main_criterion, func.count(Episode.id))
        .join(Place, Place.id == Episode.place_id)
        .where(
            _place_in(paths),
            _live(),
            Episode.admitted_on.between(start, end),
        )
        .group_by(Episode.admission_type, Episode.main_criterion)
    )
    return [(t, c, n) for t, c, n in session.execute(stmt)]


def exits_by_outcome(
    session: Session, paths: Sequence[str], *, start: date, end: date, today: date
) -> dict[str, int]:
    """Exits from ``start`` to ``end`` by outcome, as read on ``today``.

    The exits recorded, and the defaults that have come (``defaults_on`` in the period and
    not after today).
    """
    stmt = (
        select(Episode.outcome, func.count(Episode.id))
        .join(Place, Place.id == Episode.place_id)
        .where(
            _place_in(paths),
            _live(),
            Episode.closed_on.between(start, end),
        )
        .group_by(Episode.outcome)
    )
    exits = {str(outcome): n for outcome, n in session.execute(stmt)}
    defaulted = session.scalar(
        _scoped(paths).where(
            Episode.status == "open",
            Episode.defaults_on.between(start, min(end, today)),
        )
    )
    if defaulted:
        exits["defaulted"] = exits.get("defaulted", 0) + defaulted
    return exits


def cured_stays(
    session: Session, paths: Sequence[str], *, start: date, end: date
) -> list[tuple[date, date, int]]:
    """(admitted on, closed on, sachets given) of the children cured from ``start`` to ``end``."""
    stmt = (
        select(Episode.admitted_on, Episode.closed_on, Episode.sachets_total)
        .join(Place, Place.id == Episode.place_id)
        .where(
            _place_in(paths),
            _live(),
            Episode.outcome == "cured",
            Episode.closed_on.between(start, end),
        )
    )
    return [(a, c, s) for a, c, s in session.execute(stmt) if c is not None]


def sachets_given(session: Session, paths: Sequence[str], *, start: date, end: date) -> int:
    """RUTF/RUSF sachets handed out at visits from ``start`` to ``end`` (visits carry their site)."""
    stmt = select(func.coalesce(func.sum(Visit.sachets_given), 0)).where(
        Visit.place_id.in_(_place_ids(paths)),
        Visit.deleted_at.is_(None),
        Visit.episode_id.in_(select(Episode.id).where(_live())),
        Visit.visit_on.between(start, end),
    )
    return int(session.scalar(stmt) or 0)


def sachets_given_by_day(
    session: Session, place_ids: Sequence[uuid.UUID], *, product: str, until: date
) -> list[tuple[uuid.UUID, date, int]]:
    """(site, day, sachets of ``product`` handed out at visits) up to ``until``, by day.

    The visits :func:`sachets_given` counts, per site and day (the stock's dispensing).
    """
    stmt = (
        select(Visit.place_id, Visit.visit_on, func.sum(Visit.sachets_given))
        .where(
            Visit.place_id.in_(place_ids),
            Visit.deleted_at.is_(None),
            Visit.episode_id.in_(select(Episode.id).where(_live())),
            Visit.visit_on <= until,
            Visit.product == product,
            Visit.sachets_given > 0,
        )
        .group_by(Visit.place_id, Visit.visit_on)
        .order_by(Visit.visit_on)
    )
    return [(p, d, int(n)) for p, d, n in session.execute(stmt)]


def _in_treatment(paths: Sequence[str], *, on: date, today: date) -> Subquery:
    """The episodes in treatment at the end of day ``on`` in the subtrees ``paths``.

    As read on ``today``, with their place and the date of their latest visit on or before
    ``on``; the latest visit is found per episode through the (episode, date) index rather than by
    scanning all visits.
    """
    latest_on = (
        select(func.max(Visit.visit_on))
        .where(
            Visit.episode_id == Episode.id,
            Visit.visit_on <= on,
            Visit.deleted_at.is_(None),
        )
        .correlate(Episode)
        .scalar_subquery()
    )
    return (
        select(
            Episode.id.label("episode_id"),
            Episode.place_id.label("place_id"),
            latest_on.label("latest_on"),
        )
        .where(
            Episode.place_id.in_(_place_ids(paths)),
            _live(),
            Episode.admitted_on <= on,
            or_(Episode.closed_on.is_(None), Episode.closed_on > on),
            _not_defaulted_by(on, today),
        )
        .subquery()
    )


def daily_sachets_of_caseload(
    session: Session,
    paths: Sequence[str],
    *,
    on: date,
    today: date,
    product: str | None = None,
) -> float:
    """Sum of the current daily ration of every child in treatment at the end of day ``on``.

    As read on ``today``: defaulted children are out. With ``product``, only the rations of
    that product (RUTF or RUSF). The ration in force is the one decided at each child's latest
    visit on or before ``on``.
    """
    in_treatment = _in_treatment(paths, on=on, today=today)
    stmt = select(func.coalesce(func.sum(Visit.sachets_per_day), 0.0)).join(
        in_treatment,
        and_(
            Visit.episode_id == in_treatment.c.episode_id,
            Visit.visit_on == in_treatment.c.latest_on,
        ),
    )
    if product is not None:
        stmt = stmt.where(Visit.product == product)
    return float(session.scalar(stmt) or 0.0)


def daily_sachets_by_place(
    session: Session,
    paths: Sequence[str],
    *,
    on: date,
    today: date,
    product: str,
) -> dict[str, float]:
    """:func:`daily_sachets_of_caseload` of ``product`` for every place of the subtrees at once.

    Place path -> daily sachets, in one query (places without a child in treatment are
    absent). A subtree's figure is the sum over the paths it holds (the stock overview of many sites).
    """
    in_treatment = _in_treatment(paths, on=on, today=today)
    stmt = (
        select(Place.path, func.sum(Visit.sachets_per_day))
        .join(
            in_treatment,
            and_(
                Visit.episode_id == in_treatment.c.episode_id,
                Visit.visit_on == in_treatment.c.latest_on,
            ),
        )
        .join(Place, Place.id == in_treatment.c.place_id)
        .where(Visit.product == product)
        .group_by(Place.path)
    )
    return {path: float(total or 0.0) for path, total in session.execute(stmt)}


def _place_ids(paths: Sequence[str]) -> Select[uuid.UUID]:
    return select(Place.id).where(_place_in(paths))


# --- indicators -------------------------------------------------------------------------------


def count_admissions(session: Session, paths: Sequence[str], start: date, end: date) -> int:
    """Children admitted for acute malnutrition (new, relapses, transfers in) in the period."""
    stmt = select(func.count(Episode.id)).where(
        Episode.place_id.in_(_place_ids(paths)),
        _live(),
        Episode.admitted_on.between(start, end),
    )
    return int(session.scalar(stmt) or 0)


def admissions_by_path(
    session: Session, paths: Sequence[str], start: date, end: date
) -> dict[str, int]:
    """:func:`count_admissions` by place path of the episodes (places without any absent)."""
    stmt = (
        select(Place.path, func.count(Episode.id))
        .join(Place, Place.id == Episode.place_id)
        .where(_place_in(paths), _live(), Episode.admitted_on.between(start, end))
        .group_by(Place.path)
    )
    return {path: int(n) for path, n in session.execute(stmt)}


def monthly_admissions(
    session: Session, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Admissions by month (first day of the month -> count)."""
    year = func.extract("year", Episode.admitted_on)
    month = func.extract("month", Episode.admitted_on)
    stmt = (
        select(year, month, func.count(Episode.id))
        .where(
            Episode.place_id.in_(_place_ids(paths)),
            _live(),
            Episode.admitted_on.between(start, end),
        )
        .group_by(year, month)
    )
    return {date(int(y), int(m), 1): int(n) for y, m, n in session.execute(stmt)}
