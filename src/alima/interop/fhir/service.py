"""FHIR use cases: read, search, a patient's everything, a site's bulk export.

Same access as the pages: patient-level resources need ``PATIENT_READ`` at the record's place
(an aggregates-only partner has it nowhere: its searches are refused, 403); a record outside
the reader's places is absent: 404 on read, the attempt audited ``READ_DENIED`` as the pages
audit it (a patient by its id, a record naming no child), and missing from searches. Every
patient whose data a response carries is audited ``READ`` in the same transaction; the export
needs ``PATIENT_EXPORT`` at the site, as the patient-level exports do.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from alima.core.access import Actor, Permission
from alima.core.audit import record_list
from alima.core.errors import BadRequest, CoreError, Forbidden, NotFound
from alima.core.models import Patient
from alima.core.service.common import (
    audit_read,
    audited_patient,
    not_found,
    or_404,
    place_in_scope,
)
from alima.core.time import today as utc_today
from alima.interop.fhir import mapping
from alima.interop.fhir import repository as repo
from alima.interop.fhir.codes import MEASURES, Resource
from alima.interop.fhir.errors import FhirError
from alima.interop.fhir.search import (
    PATIENT_LEVEL,
    RESOURCE_TYPES,
    DateFilter,
    Search,
    parse_id,
    token_matches,
)
from alima.nutrition.models import Episode, Visit
from alima.nutrition.service.episodes import state_on

#: Who a row is about and where it is, for the audit (``None``: not patient data).
Reads = Callable[[Any], tuple[uuid.UUID, uuid.UUID]]


@dataclass(frozen=True)
class Kind:
    """How one resource type is found, made and audited."""

    statement: Callable[[Sequence[str], Search], Select[Any]]
    resources: Callable[[Any, date], list[Resource]]
    reads: Reads | None


def _episode_reads(e: Episode) -> tuple[uuid.UUID, uuid.UUID]:
    return e.patient_id, e.place_id


def _visit_reads(v: Visit) -> tuple[uuid.UUID, uuid.UUID]:
    return v.episode.patient_id, v.place_id


KINDS: dict[str, Kind] = {
    "Patient": Kind(repo.patients, lambda p, _: [mapping.patient(p)], lambda p: (p.id, p.place_id)),
    "EpisodeOfCare": Kind(
        repo.episodes,
        lambda e, on: [mapping.episode_of_care(e, state_on(e, on))],
        _episode_reads,
    ),
    "Condition": Kind(
        lambda paths, s: repo.episodes(paths, s, severities=repo.severities_for(s.codes)),
        lambda e, on: [mapping.condition(e, state_on(e, on))],
        _episode_reads,
    ),
    "Encounter": Kind(
        lambda paths, s: repo.visits(paths, s, *repo.visit_ids(s)),
        lambda v, _: [mapping.encounter(v, v.episode.patient_id)],
        _visit_reads,
    ),
    "Observation": Kind(
        repo.visits,
        lambda v, _: mapping.observations(v, v.episode.patient_id),
        _visit_reads,
    ),
    "MedicationDispense": Kind(
        lambda paths, s: repo.visits(paths, s, repo.dispensed(), *repo.visit_ids(s)),
        lambda v, _: [mapping.medication_dispense(v, v.episode.patient_id)],
        _visit_reads,
    ),
    "Location": Kind(repo.places, lambda p, _: [mapping.location(p)], None),
    "Organization": Kind(
        lambda _paths, s: repo.organisations(s), lambda o, _: [mapping.organization(o)], None
    ),
}


@dataclass(frozen=True)
class Found:
    """A page of search results and how many there are in all."""

    resources: list[Resource]
    total: int


def check_type(resource_type: str) -> None:
    """Refuse (404) a resource type this server does not serve."""
    if resource_type not in RESOURCE_TYPES:
        raise NotFound(FhirError.FHIR_003, resource=resource_type[:60])


def _kind(resource_type: str) -> Kind:
    check_type(resource_type)
    return KINDS[resource_type]


def _paths(actor: Actor, resource_type: str, *, refuse: bool = True) -> tuple[str, ...]:
    """Where ``actor`` may read ``resource_type``; refused (403) when nowhere, if ``refuse``.

    A read by id is not refused: the record is absent (404), as it is to anyone out of scope.
    """
    if resource_type == "Organization":
        if not actor.can(Permission.PLACE_READ):
            raise Forbidden(CoreError.CORE_002)
        return ()
    if resource_type in PATIENT_LEVEL:
        paths = actor.paths_for(Permission.PATIENT_READ)
        if not paths and refuse:
            raise Forbidden(FhirError.FHIR_005)
        return paths
    paths = actor.paths_for(Permission.PLACE_READ)
    if not paths:
        raise Forbidden(CoreError.CORE_002)
    return paths


def _reads(kind: Kind, rows: Sequence[Any]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Whose data ``rows`` carry, and where (none for places and organisations)."""
    return [] if kind.reads is None else [kind.reads(row) for row in rows]


def _audit(
    session: Session, actor: Actor, reads: Sequence[tuple[uuid.UUID, uuid.UUID]], what: str
) -> None:
    """One ``READ`` per patient whose data is returned."""
    seen: dict[uuid.UUID, uuid.UUID] = {}
    for patient_id, place_id in reads:
        seen.setdefault(patient_id, place_id)
    record_list(
        session,
        actor,
        entity_type="fhir",
        rows=[(p, p, place) for p, place in seen.items()],
        detail=f"FHIR {what}",
    )


def _observations(
    session: Session, paths: Sequence[str], search: Search
) -> tuple[list[Visit], list[Resource], int]:
    """A page of observations, measurement after measurement, each paged in SQL."""
    measures = [
        m for m in MEASURES if search.codes is None or token_matches(search.codes, m.codings)
    ]
    offset, room, total = search.offset, search.count, 0
    visits: list[Visit] = []
    resources: list[Resource] = []
    for measure in measures:
        ids = repo.observation_ids(search, measure)
        if ids is None:
            continue
        stmt = repo.visits(paths, search, repo.measured(measure), *ids)
        found = repo.count(session, stmt)
        total += found
        if room and offset < found:
            rows = repo.rows(session, stmt, limit=room, offset=offset)
            room -= len(rows)
            visits += rows
            resources += [mapping.observation(v, measure, v.episode.patient_id) for v in rows]
        offset = max(0, offset - found)
    return visits, resources, total


def _patient(
    session: Session, actor: Actor, patient_id: uuid.UUID, entity_type: str
) -> Patient | None:
    """The live patient if in the actor's scope, audited as the patient pages audit it."""
    return audited_patient(
        session,
        actor,
        patient_id,
        entity_type,
        visible=lambda p: (
            p.deleted_at is None and actor.can_at(Permission.PATIENT_READ, p.place.path)
        ),
    )


def search(
    session: Session, actor: Actor, resource_type: str, criteria: Search, *, on: date | None = None
) -> Found:
    """A page of the ``resource_type`` resources the actor may read that match ``criteria``."""
    kind = _kind(resource_type)
    paths = _paths(actor, resource_type)
    on = on or utc_today()
    with session.begin():
        if resource_type == "Observation":
            rows, resources, total = _observations(session, paths, criteria)
        else:
            rows, total = repo.page(session, kind.statement(paths, criteria), criteria)
            resources = [r for row in rows for r in kind.resources(row, on)]
        _audit(session, actor, _reads(kind, rows), f"{resource_type} search")
    return Found(resources, total)


def read(
    session: Session, actor: Actor, resource_type: str, resource_id: str, *, on: date | None = None
) -> Resource:
    """One resource by id, if the actor may read it (else ``NotFound`` after the audit)."""
    kind = _kind(resource_type)
    paths = _paths(actor, resource_type, refuse=False)
    parsed = parse_id(resource_id)
    if parsed is None or (parsed[1] is not None) != (resource_type == "Observation"):
        raise not_found()
    row_id, key = parsed
    on = on or utc_today()
    by_id = Search(ids=(str(row_id),), count=1)
    with session.begin():
        if resource_type == "Patient":
            row = _patient(session, actor, row_id, "fhir_patient")
        else:
            statement = (
                repo.visits(paths, Search(), Visit.id == row_id)
                if key
                else kind.statement(paths, by_id)
            )
            row = session.scalars(statement).first()
            if kind.reads is not None:
                # A refused attempt names no child (as the episode pages do).
                patient_id, place_id = kind.reads(row) if row is not None else (None, None)
                audit_read(
                    session,
                    actor,
                    allowed=row is not None,
                    entity_type=f"fhir_{resource_type.lower()}",
                    entity_id=row_id,
                    patient_id=patient_id,
                    place_id=place_id,
                )
        made = kind.resources(row, on) if row is not None else []
    return or_404(next((r for r in made if r["id"] == resource_id), None))


def _record(
    session: Session, actor: Actor, patient: Patient, paths: Sequence[str], on: date
) -> list[Resource]:
    """The patient, the care in ``paths``, and the places it happened at."""
    criteria = Search(patients=(patient.id,))
    resources = [mapping.patient(patient)]
    episodes = list(session.scalars(repo.episodes(paths, criteria)))
    visits = list(session.scalars(repo.visits(paths, criteria)))
    handed = [v for v in visits if v.sachets_given > 0]
    for name, rows in (
        ("EpisodeOfCare", episodes),
        ("Condition", episodes),
        ("Encounter", visits),
        ("Observation", visits),
        ("MedicationDispense", handed),
    ):
        resources += [r for row in rows for r in KINDS[name].resources(row, on)]
    place_ids = {patient.place_id, *(e.place_id for e in episodes), *(v.place_id for v in visits)}
    places = repo.places_by_id(session, sorted(place_ids))
    readable = [p for p in places if actor.can_at(Permission.PLACE_READ, p.path)]
    return resources + [mapping.location(p) for p in readable]


def everything(
    session: Session, actor: Actor, patient_id: uuid.UUID, *, on: date | None = None
) -> list[Resource]:
    """A patient's record (``Patient/$everything``); ``NotFound`` once the refusal is audited."""
    paths = _paths(actor, "Patient", refuse=False)
    with session.begin():
        patient = _patient(session, actor, patient_id, "fhir_patient_everything")
        found = _record(session, actor, patient, paths, on or utc_today()) if patient else None
    return or_404(found)


#: The types a bulk export gives when ``_type`` is not given.
EXPORT_TYPES = RESOURCE_TYPES


def export(
    session: Session,
    actor: Actor,
    *,
    site: str | None,
    types: Sequence[str] | None,
    since: DateFilter | None,
    on: date | None = None,
) -> list[Resource]:
    """Every resource of ``types`` at ``site`` and below (changed since ``since``), for NDJSON."""
    if not site:
        raise BadRequest(FhirError.FHIR_004)
    wanted = tuple(types or EXPORT_TYPES)
    for name in wanted:
        if name not in RESOURCE_TYPES:
            raise BadRequest(FhirError.FHIR_002, parameter="_type", value=name[:60])
    on = on or utc_today()
    criteria = Search(last_updated=(since,) if since else ())
    with session.begin():
        place = place_in_scope(session, actor, site, Permission.PATIENT_EXPORT, parameter="site")
        if not actor.can_at(Permission.PATIENT_READ, place.path):
            raise NotFound(CoreError.CORE_011, code=site)
        paths = (place.path,)
        resources: list[Resource] = []
        reads: list[tuple[uuid.UUID, uuid.UUID]] = []
        for name in wanted:
            kind = KINDS[name]
            rows = list(session.scalars(kind.statement(paths, criteria)))
            resources += [r for row in rows for r in kind.resources(row, on)]
            reads += _reads(kind, rows)
        _audit(session, actor, reads, f"export {place.code}")
    return resources
