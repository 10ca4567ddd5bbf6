"""Queries of the FHIR API: the live rows in the reader's places that a search asks for.

Scope as everywhere (``core.repository.select_live_at``): a row is served when it is not
soft-deleted, its place lies in the reader's subtrees and its child is not deleted. Searches
page in SQL (``LIMIT``/``OFFSET`` over a stable order), so a page costs the same on the first
and the hundredth page; observations page measurement by measurement.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from alima.core.models import Organisation, Patient, Place
from alima.core.repository import in_paths, patient_not_deleted, select_live_at
from alima.interop.fhir import codes
from alima.interop.fhir.codes import Measure
from alima.interop.fhir.search import DateFilter, Search, Token, token_matches
from alima.nutrition.models import Episode, Visit


def _dates(
    column: InstrumentedAttribute[date] | InstrumentedAttribute[datetime],
    filters: Sequence[DateFilter],
    *,
    days: bool,
) -> list[ColumnElement[bool]]:
    """``column`` (a day, or an instant) against each filter's range ``[low, high)``."""
    conditions: list[ColumnElement[bool]] = []
    for f in filters:
        low: Any = f.low_day if days else f.low
        high: Any = f.high_day if days else f.high
        match f.prefix:
            case "ge":
                conditions.append(column >= low)
            case "gt":
                conditions.append(column >= high)
            case "le":
                conditions.append(column < high)
            case "lt":
                conditions.append(column < low)
            case _:
                conditions.extend((column >= low, column < high))
    return conditions


def _uuids(values: Sequence[str]) -> list[uuid.UUID]:
    result = []
    for value in values:
        try:
            result.append(uuid.UUID(value))
        except ValueError:
            continue
    return result


def _common(model: Any, search: Search) -> list[ColumnElement[bool]]:
    """``_id`` and ``_lastUpdated``."""
    conditions = _dates(model.updated_at, search.last_updated, days=False)
    if search.ids is not None:
        conditions.append(model.id.in_(_uuids(search.ids)))
    return conditions


def _codes(tokens: tuple[Token, ...] | None, system: str) -> list[str] | None:
    """The codes of ``system`` the tokens name (``None``: no filter)."""
    if tokens is None:
        return None
    return [t.code for t in tokens if t.system in {None, system}]


def count(session: Session, stmt: Select[Any]) -> int:
    """How many rows ``stmt`` gives."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return int(total or 0)


def rows(session: Session, stmt: Select[Any], *, limit: int, offset: int) -> list[Any]:
    """``limit`` rows of ``stmt`` (already ordered) from ``offset``."""
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def page(session: Session, stmt: Select[Any], search: Search) -> tuple[list[Any], int]:
    """The page of ``stmt`` a search asks for, and the number of rows of every page."""
    return rows(session, stmt, limit=search.count, offset=search.offset), count(session, stmt)


# --- patients --------------------------------------------------------------------------------


def patients(paths: Sequence[str], search: Search) -> Select[Any]:
    """Live patients at places in ``paths``, as asked."""
    stmt = select_live_at(Patient, paths, *_common(Patient, search))
    identifiers = _codes(search.identifiers, codes.PATIENT_IDENTIFIER)
    if identifiers is not None:
        stmt = stmt.where(Patient.identifier.in_(identifiers))
    return stmt.options(selectinload(Patient.place)).order_by(Patient.created_at, Patient.id)


def patient_live_in(
    session: Session, patient_id: uuid.UUID, paths: Sequence[str]
) -> Patient | None:
    """The patient if live and at a place in ``paths``."""
    return session.scalars(
        select_live_at(Patient, paths, Patient.id == patient_id).options(
            selectinload(Patient.place)
        )
    ).one_or_none()


# --- episodes (EpisodeOfCare, Condition) --------------------------------------------------------


def _episode_is_live() -> ColumnElement[bool]:
    return and_(Episode.deleted_at.is_(None), patient_not_deleted(Episode.patient_id))


def episodes(
    paths: Sequence[str], search: Search, *, severities: list[str] | None = None
) -> Select[Any]:
    """Live episodes at places in ``paths``, as asked (``date`` is the admission day)."""
    conditions = _common(Episode, search) + _dates(Episode.admitted_on, search.dates, days=True)
    if search.patients is not None:
        conditions.append(Episode.patient_id.in_(search.patients))
    if severities is not None:
        conditions.append(Episode.severity.in_(severities))
    return select_live_at(Episode, paths, *conditions).order_by(Episode.admitted_on, Episode.id)


def severities_for(tokens: tuple[Token, ...] | None) -> list[str] | None:
    """The severities a ``code`` search names (ICD-10 or alima's codes)."""
    if tokens is None:
        return None
    return [s for s, coded in codes.SEVERITY_CODES.items() if token_matches(tokens, coded)]


# --- visits (Encounter, Observation, MedicationDispense) ---------------------------------------


def visits(paths: Sequence[str], search: Search, *where: ColumnElement[bool]) -> Select[Any]:
    """Live visits of live episodes at places in ``paths``, as asked (``date``: the visit day)."""
    conditions = [
        *_dates(Visit.updated_at, search.last_updated, days=False),
        *_dates(Visit.visit_on, search.dates, days=True),
        *where,
    ]
    live = select(Episode.id).where(_episode_is_live())
    if search.patients is not None:
        live = live.where(Episode.patient_id.in_(search.patients))
    return (
        select_live_at(Visit, paths, Visit.episode_id.in_(live), *conditions)
        .options(selectinload(Visit.episode))
        .order_by(Visit.visit_on, Visit.id)
    )


def visit_ids(search: Search) -> list[ColumnElement[bool]]:
    """``_id`` of an encounter or a dispense (the visit's id)."""
    return [] if search.ids is None else [Visit.id.in_(_uuids(search.ids))]


def dispensed() -> ColumnElement[bool]:
    """Food was handed over at the visit."""
    return Visit.sachets_given > 0


def measured(measure: Measure) -> ColumnElement[bool]:
    """The visit recorded ``measure`` (the SQL twin of ``mapping.measures_of``)."""
    if measure is codes.OEDEMA:
        return true()
    column: ColumnElement[bool] = getattr(Visit, measure.column).is_not(None)
    if measure is codes.LENGTH:
        return and_(column, Visit.measure == "l")
    if measure is codes.HEIGHT:
        return and_(column, or_(Visit.measure.is_(None), Visit.measure != "l"))
    return column


def observation_ids(search: Search, measure: Measure) -> list[ColumnElement[bool]] | None:
    """``_id`` of observations of ``measure`` (``None``: no id names this measurement)."""
    if search.ids is None:
        return []
    wanted = [
        i[:36]
        for i in search.ids
        if len(i) > 36 and i[37:] == measure.key  # noqa: PLR2004
    ]
    ids = _uuids(wanted)
    return [Visit.id.in_(ids)] if ids else None


# --- places and organisations ---------------------------------------------------------------


def places(paths: Sequence[str], search: Search) -> Select[Any]:
    """Places in ``paths``, as asked."""
    stmt = select(Place).where(in_paths(Place.path, paths), *_common(Place, search))
    identifiers = _codes(search.identifiers, codes.PLACE_IDENTIFIER)
    if identifiers is not None:
        stmt = stmt.where(Place.code.in_(identifiers))
    return stmt.order_by(Place.path)


def organisations(search: Search) -> Select[Any]:
    """Organisations of the alliance, as asked."""
    stmt = select(Organisation).where(*_common(Organisation, search))
    identifiers = _codes(search.identifiers, codes.ORGANISATION_IDENTIFIER)
    if identifiers is not None:
        stmt = stmt.where(Organisation.code.in_(identifiers))
    return stmt.order_by(Organisation.code)


def places_by_id(session: Session, place_ids: Sequence[uuid.UUID]) -> list[Place]:
    """The places with these ids, by path."""
    return list(session.scalars(select(Place).where(Place.id.in_(place_ids)).order_by(Place.path)))
