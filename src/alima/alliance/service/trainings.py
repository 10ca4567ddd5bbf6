"""Trainings of health workers (IPC, MUAC, CMAM, IMCI...).

Record a session and its participants, list them, count the health workers trained.

Participants' names are staff data: shown to those who record trainings at the place; other
readers see counts by cadre.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from alima.alliance import repository, rules
from alima.alliance.errors import AllianceError
from alima.alliance.models import Training, TrainingParticipant
from alima.alliance.schemas import (
    ParticipantCreate,
    ParticipantRead,
    ProjectSummary,
    TrainingCreate,
    TrainingList,
    TrainingRead,
)
from alima.alliance.service.common import country_fields, project_visible, training_summary
from alima.core import repository as core_repository
from alima.core.access import Actor, Permission, sees_free_text
from alima.core.audit import record
from alima.core.config import Settings
from alima.core.enums import AuditAction, Sex
from alima.core.errors import CoreError, Forbidden, NotFound
from alima.core.models import Organisation
from alima.core.schemas import PlaceRead
from alima.core.service.common import dto, new_row
from alima.core.service.places import place_read
from alima.core.time import today


def _training_read(training: Training, **given: Any) -> TrainingRead:
    return dto(
        TrainingRead,
        training,
        organisation_code=training.organisation.code,
        organisation_name=training.organisation.name,
        place_code=training.place.code,
        place_name=training.place.name,
        project_code=training.project.code if training.project else None,
        **given,
    )


def _read(training: Training, *, with_names: bool) -> TrainingRead:
    """The training; names and ``editable`` only for those who record trainings there."""
    participants = training.participants
    return _training_read(
        training,
        trainer=training.trainer if with_names else None,
        participant_count=len(participants),
        participants_by_cadre=dict(sorted(Counter(p.cadre for p in participants).items())),
        participants=[
            ParticipantRead(
                id=p.id,
                full_name=p.full_name,
                cadre=p.cadre,
                organisation_code=p.organisation.code if p.organisation else None,
                sex=Sex(p.sex) if p.sex else None,
            )
            for p in participants
        ]
        if with_names
        else [],
        editable=with_names,
    )


def _participant(
    session: Session, training: Training, data: ParticipantCreate, actor: Actor
) -> TrainingParticipant:
    organisation: Organisation | None = None
    if data.organisation_code:
        organisation = repository.find_organisation_by_code(session, data.organisation_code)
        if organisation is None:
            raise NotFound(AllianceError.ALLIANCE_002, code=data.organisation_code)
    participant = TrainingParticipant(
        training_id=training.id,
        full_name=data.full_name,
        search_name=rules.participant_key(data.full_name),
        cadre=data.cadre,
        organisation_id=organisation.id if organisation else None,
        organisation=organisation,
        sex=data.sex.value if data.sex else None,
        created_by_id=actor.id,
    )
    session.add(participant)
    return participant


def training_form(
    session: Session, *, actor: Actor
) -> tuple[list[PlaceRead], list[tuple[str, str]], list[ProjectSummary]]:
    """The training form's choices: places, organisations and projects the actor records for."""
    if not actor.can(Permission.TRAINING_WRITE):
        raise Forbidden(CoreError.CORE_002)
    with session.begin():
        places = [
            place_read(p)
            for p in core_repository.list_places(
                session, actor.paths_for(Permission.TRAINING_WRITE)
            )
        ]
        organisations = [(o.code, o.name) for o in repository.list_organisations(session)]
        projects = [
            dto(ProjectSummary, p, **country_fields(None))
            for p in repository.list_projects(session)
            if project_visible(
                actor, Permission.TRAINING_WRITE, p.id, [pp.place.path for pp in p.places]
            )
        ]
        return places, organisations, projects


def record_training(
    session: Session, data: TrainingCreate, *, actor: Actor, settings: Settings
) -> TrainingRead:
    """Record a training that has ended, at a place in the actor's scope, with participants."""
    if not actor.can(Permission.TRAINING_WRITE):
        raise Forbidden(CoreError.CORE_002)
    rules.check_training(
        data.started_on, data.ended_on, today(), data.topic, settings.training_topic_codes
    )
    with session.begin():
        place = core_repository.find_place_by_code(session, data.place_code)
        if place is None or not actor.can_at(Permission.TRAINING_WRITE, place.path):
            raise NotFound(CoreError.CORE_011, code=data.place_code)
        organisation = repository.find_organisation_by_code(session, data.organisation_code)
        if organisation is None:
            raise NotFound(AllianceError.ALLIANCE_002, code=data.organisation_code)
        project_id: uuid.UUID | None = None
        if data.project_code:
            project = repository.find_project(session, data.project_code)
            if project is None or not project_visible(
                actor,
                Permission.TRAINING_WRITE,
                project.id,
                [pp.place.path for pp in project.places],
            ):
                raise NotFound(AllianceError.ALLIANCE_001, code=data.project_code)
            project_id = project.id
        training = new_row(
            Training,
            data,
            organisation_id=organisation.id,
            place_id=place.id,
            project_id=project_id,
            created_by_id=actor.id,
        )
        session.add(training)
        session.flush()
        for participant in data.participants:
            _participant(session, training, participant, actor)
        session.flush()
        record(
            session,
            actor,
            AuditAction.CREATE,
            entity_type="training",
            entity_id=training.id,
            place_id=place.id,
            detail=f"{data.topic}: {len(data.participants)}",
        )
        loaded = repository.find_training(session, training.id)
        assert loaded is not None  # noqa: S101 - just inserted in this transaction
        session.refresh(loaded, ["participants"])
        return _read(loaded, with_names=True)


def _visible_training(session: Session, training_id: uuid.UUID, actor: Actor) -> Training:
    training = repository.find_training(session, training_id)
    if training is None or not (
        actor.can_at(Permission.AGGREGATE_READ, training.place.path)
        or actor.can_at(Permission.TRAINING_WRITE, training.place.path)
    ):
        raise NotFound(AllianceError.ALLIANCE_016)
    return training


def get_training(session: Session, training_id: uuid.UUID, *, actor: Actor) -> TrainingRead:
    """A training; participants' names only for those who record trainings there."""
    with session.begin():
        training = _visible_training(session, training_id, actor)
        names = actor.can_at(Permission.TRAINING_WRITE, training.place.path)
        return _read(training, with_names=names)


def add_participant(
    session: Session, training_id: uuid.UUID, data: ParticipantCreate, *, actor: Actor
) -> TrainingRead:
    """Add a participant to a recorded training."""
    with session.begin():
        training = _visible_training(session, training_id, actor)
        if not actor.can_at(Permission.TRAINING_WRITE, training.place.path):
            raise Forbidden(CoreError.CORE_002)
        _participant(session, training, data, actor)
        session.flush()
        record(
            session,
            actor,
            AuditAction.UPDATE,
            entity_type="training",
            entity_id=training.id,
            place_id=training.place_id,
            detail="participant",
        )
        session.refresh(training, ["participants"])
        return _read(training, with_names=True)


def list_trainings(
    session: Session,
    *,
    actor: Actor,
    limit: int = 100,
    offset: int = 0,
) -> TrainingList:
    """Trainings in the actor's scope, latest first, and this year's summary."""
    paths = list(
        set(actor.paths_for(Permission.AGGREGATE_READ))
        | set(actor.paths_for(Permission.TRAINING_WRITE))
    )
    if not paths:
        raise Forbidden(CoreError.CORE_002)
    on = today()
    start = date(on.year, 1, 1)
    with session.begin():
        rows, total = repository.list_trainings(session, paths, limit=limit, offset=offset)
        summary = training_summary(session, paths=paths, start=start, end=on)
        items = [
            _read_summary(training, count, free_text=_free_text(actor, training))
            for training, count in rows
        ]
        return TrainingList(items=items, total=total, summary=summary)


def _free_text(actor: Actor, training: Training) -> bool:
    return sees_free_text(actor, training.place.path) or actor.can_at(
        Permission.TRAINING_WRITE, training.place.path
    )


def _read_summary(training: Training, count: int, *, free_text: bool) -> TrainingRead:
    return _training_read(
        training,
        trainer=training.trainer if free_text else None,
        participant_count=count,
        participants_by_cadre={},
        participants=[],
    )
