"""A study's monitor: source data verification of included children, and queries.

A monitor (role ``monitor``: ``STUDY_MONITOR`` over places) reads, read-only, the records of
the children *included* in a study at the sites of its scope: identity, consent, allocation
(the arm stays hidden in a blinded study) and the nutrition episode's visits as entered. It
never reads another patient (the care pages need ``PATIENT_READ``, which it lacks) and never
writes care data. On a data point that does not match the source document it raises a query
(the record and field, the question); the site's staff (``PATIENT_WRITE`` there) answer it on
the child's study page, and the monitor closes it: open, answered, closed. Every read and
every change is audited; a child outside the monitor's scope, or not included, is a 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.core.access import Actor, Permission
from alima.core.audit import record
from alima.core.enums import AuditAction
from alima.core.errors import NotFound, RuleViolation
from alima.core.service.common import audit_changed, audit_denied, not_found, or_404
from alima.core.time import utcnow
from alima.nutrition.models import Episode
from alima.research import repository
from alima.research.errors import ResearchError
from alima.research.models import Allocation, Screening, SdvQuery, Study
from alima.research.schemas import (
    MonitoredChild,
    QueryAnswer,
    QueryCreate,
    QueryRead,
    SourceRecord,
    SourceVisit,
)
from alima.research.service.common import SITE_PERMISSION, add_child_record
from alima.research.service.enrolment import panel_of

MONITOR_PERMISSION = Permission.STUDY_MONITOR
QUERY = "research_query"


def _monitored_study(session: Session, actor: Actor, code: str) -> Study:
    study = repository.find_study(session, code)
    if study is None or not any(
        actor.can_at(MONITOR_PERMISSION, s.place.path) for s in study.sites
    ):
        raise not_found()
    return study


def monitored_children(session: Session, study_code: str, *, actor: Actor) -> list[MonitoredChild]:
    """The children included in a study at the monitor's sites (each listed child audited)."""
    with session.begin():
        study = _monitored_study(session, actor, study_code)
        rows = session.scalars(
            select(Allocation)
            .where(Allocation.study_id == study.id)
            .order_by(Allocation.revealed_at)
        ).all()
        open_counts = dict(
            session.execute(
                select(SdvQuery.patient_id, func.count())
                .where(SdvQuery.study_id == study.id, SdvQuery.status != "closed")
                .group_by(SdvQuery.patient_id)
            ).all()
        )
        out = []
        for a in rows:
            if not actor.can_at(MONITOR_PERMISSION, a.place.path):
                continue
            patient = a.patient
            out.append(
                MonitoredChild(
                    patient_id=a.patient_id,
                    identifier=patient.identifier,
                    name=f"{patient.given_name} {patient.family_name}",
                    site=a.place.name,
                    randomised_on=a.revealed_at.date(),
                    open_queries=open_counts.get(a.patient_id, 0),
                )
            )
            record(
                session,
                actor,
                AuditAction.READ,
                entity_type="research_monitoring",
                entity_id=study.id,
                patient_id=a.patient_id,
                place_id=a.place_id,
            )
        return out


def _included(
    session: Session, actor: Actor, study_code: str, patient_id: uuid.UUID
) -> tuple[Study, Screening, Allocation]:
    """An included child at a site the monitor watches; else ``NotFound``."""
    study = repository.find_study(session, study_code)
    allocation = repository.find_allocation(session, study.id, patient_id) if study else None
    screening = repository.find_screening(session, study.id, patient_id) if study else None
    if (
        study is None
        or allocation is None
        or screening is None
        or not actor.can_at(MONITOR_PERMISSION, allocation.place.path)
    ):
        raise not_found()
    return study, screening, allocation


def refuse_unwatched(
    session: Session, actor: Actor, patient_id: uuid.UUID, study_code: str
) -> None:
    """``NotFound`` unless the child is included at a site the actor monitors or works at.

    For the query routes of the API, before the request's body is read: a child elsewhere is a
    404 (audited) whatever was sent. The use case then checks its own side (monitor or site).
    """
    with session.begin():
        study = repository.find_study(session, study_code)
        allocation = repository.find_allocation(session, study.id, patient_id) if study else None
        watched = allocation is not None and any(
            actor.can_at(permission, allocation.place.path)
            for permission in (MONITOR_PERMISSION, SITE_PERMISSION)
        )
        if not watched:
            audit_denied(
                session, actor, entity_type=QUERY, entity_id=patient_id, patient_id=patient_id
            )
    if not watched:
        raise not_found()


def _denied(session: Session, actor: Actor, patient_id: uuid.UUID, action: AuditAction) -> None:
    record(session, actor, action, entity_type=QUERY, entity_id=patient_id, patient_id=patient_id)


def source_record(
    session: Session, study_code: str, patient_id: uuid.UUID, *, actor: Actor
) -> SourceRecord:
    """An included child's record for source data verification (read-only, audited)."""
    with session.begin():
        try:
            study, screening, allocation = _included(session, actor, study_code, patient_id)
        except NotFound:
            _denied(session, actor, patient_id, AuditAction.READ_DENIED)
            denied = True
        else:
            denied = False
            result = _source(session, actor, study, screening, allocation)
            record(
                session,
                actor,
                AuditAction.READ,
                entity_type="research_source_record",
                entity_id=allocation.id,
                patient_id=patient_id,
                place_id=allocation.place_id,
            )
    if denied:
        raise not_found()
    return result


def _source(
    session: Session, actor: Actor, study: Study, screening: Screening, allocation: Allocation
) -> SourceRecord:
    patient = allocation.patient
    episode = session.get(Episode, allocation.episode_id) if allocation.episode_id else None
    return SourceRecord(
        study_code=study.code,
        patient_id=patient.id,
        identifier=patient.identifier,
        name=f"{patient.given_name} {patient.family_name}",
        sex=patient.sex,
        birth_date=patient.birth_date,
        village=patient.village,
        site=allocation.place.name,
        panel=panel_of(session, actor, screening),
        protocol_code=episode.protocol_code if episode else None,
        admitted_on=episode.admitted_on if episode else None,
        episode_status=episode.status if episode else None,
        visits=[SourceVisit.model_validate(v, from_attributes=True) for v in episode.visits]
        if episode
        else [],
        queries=queries_of(session, study.id, patient.id),
        may_query=True,
    )


def queries_of(session: Session, study_id: uuid.UUID, patient_id: uuid.UUID) -> list[QueryRead]:
    """A child's queries in a study, oldest first."""
    return [
        QueryRead.model_validate(q) for q in repository.queries_of(session, study_id, patient_id)
    ]


def raise_query(
    session: Session,
    study_code: str,
    patient_id: uuid.UUID,
    data: QueryCreate,
    *,
    actor: Actor,
) -> QueryRead:
    """The monitor raises a query on one data point of an included child (audited)."""
    with session.begin():
        try:
            study, _, allocation = _included(session, actor, study_code, patient_id)
        except NotFound:
            audit_denied(
                session, actor, entity_type=QUERY, entity_id=patient_id, patient_id=patient_id
            )
            denied = True
        else:
            denied = False
            query = add_child_record(
                session,
                actor,
                SdvQuery,
                data,
                (QUERY, ("reference", "text", "status")),
                study=study,
                patient_id=patient_id,
                place_id=allocation.place_id,
                status="open",
            )
            session.flush()
            result = QueryRead.model_validate(query)
    if denied:
        raise not_found()
    return result


def _query(
    session: Session, study_code: str, patient_id: uuid.UUID, query_id: uuid.UUID
) -> SdvQuery | None:
    """The query, if it is about this child in this study."""
    query = session.get(SdvQuery, query_id)
    if query is None or query.patient_id != patient_id or query.study.code != study_code:
        return None
    return query


def _query_to_change(
    session: Session,
    actor: Actor,
    permission: Permission,
    ids: tuple[str, uuid.UUID, uuid.UUID],
) -> SdvQuery | None:
    """The query (study code, child, query id) if ``permission`` holds at its site; else None.

    A refusal is audited (``WRITE_DENIED``) inside the caller's transaction.
    """
    query = _query(session, *ids)
    if query is None or not actor.can_at(permission, query.place.path):
        audit_denied(session, actor, entity_type=QUERY, entity_id=ids[2], patient_id=None)
        return None
    return query


def _changed(
    session: Session, actor: Actor, query: SdvQuery, before: dict[str, Any], after: dict[str, Any]
) -> QueryRead:
    """The changed query, flushed and audited (``UPDATE``)."""
    audit_changed(session, actor, QUERY, query, before=before, after=after)
    return QueryRead.model_validate(query)


def answer_query(
    session: Session,
    study_code: str,
    patient_id: uuid.UUID,
    query_id: uuid.UUID,
    data: QueryAnswer,
    *,
    actor: Actor,
) -> QueryRead:
    """The site answers a query (or corrects its answer before it is closed); audited."""
    result = None
    with session.begin():
        ids = (study_code, patient_id, query_id)
        query = _query_to_change(session, actor, SITE_PERMISSION, ids)
        if query is not None:
            if query.status == "closed":
                raise RuleViolation(ResearchError.RES_073)
            before = {"status": query.status, "answer": query.answer}
            query.answer = data.answer
            query.status = "answered"
            query.answered_by_id = actor.id
            query.answered_at = utcnow()
            after = {"status": query.status, "answer": query.answer}
            result = _changed(session, actor, query, before, after)
    return or_404(result)


def close_query(
    session: Session, study_code: str, patient_id: uuid.UUID, query_id: uuid.UUID, *, actor: Actor
) -> QueryRead:
    """The monitor closes an answered query (audited); an open one cannot be closed."""
    result = None
    with session.begin():
        ids = (study_code, patient_id, query_id)
        query = _query_to_change(session, actor, MONITOR_PERMISSION, ids)
        if query is not None:
            if query.status != "answered":
                raise RuleViolation(ResearchError.RES_074)
            query.status = "closed"
            query.closed_by_id = actor.id
            query.closed_at = utcnow()
            result = _changed(session, actor, query, {"status": "answered"}, {"status": "closed"})
    return or_404(result)
