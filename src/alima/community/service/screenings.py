"""Trainings and screenings: record, open, soft-delete (a red or yellow MUAC issues a referral)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session

from alima.community import repository, rules
from alima.community.errors import CommunityError
from alima.community.models import Screening, Training
from alima.community.schemas import (
    PlaceOption,
    RecordDelete,
    ScreeningCreate,
    ScreeningRead,
    TrainingCreate,
    TrainingRead,
)
from alima.community.service.common import (
    add_referral,
    check_date,
    live_at,
    place_option,
    screening_read,
    screening_settings,
    training_read,
    writable_place,
)
from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.audit import snapshot
from alima.core.enums import SERVICE_POINTS, PlaceKind
from alima.core.errors import CoreError, Forbidden, NotFound, RuleViolation
from alima.core.service.common import (
    add_audited,
    add_created,
    audit_denied,
    get_or_404,
    new_row,
    not_found,
    soft_delete,
)
from alima.core.time import today

#: Places a training may be attached to: a health area (the villages) or a service point.
TRAINING_PLACES = frozenset({PlaceKind.HEALTH_AREA, *SERVICE_POINTS})


SCREENING_FIELDS = (
    "screened_on",
    "screener_type",
    "child_given_name",
    "child_family_name",
    "child_age_months",
    "village",
    "muac_mm",
    "oedema",
    "muac_band",
)


def _writable_places(
    session: Session, actor: Actor, kinds: Iterable[PlaceKind]
) -> list[PlaceOption]:
    with session.begin():
        paths = actor.paths_for(Permission.PATIENT_WRITE)
        places = core_repository.list_places(session, paths, kinds=[k.value for k in kinds])
        return [place_option(p) for p in places]


def form_places(session: Session, *, actor: Actor) -> list[PlaceOption]:
    """Service points where the actor may record screenings."""
    return _writable_places(session, actor, SERVICE_POINTS)


def training_places(session: Session, *, actor: Actor) -> list[PlaceOption]:
    """Health areas and service points where the actor may record trainings."""
    return _writable_places(session, actor, TRAINING_PLACES)


def record_training(session: Session, data: TrainingCreate, *, actor: Actor) -> TrainingRead:
    """Record a MUAC-for-mothers training session in a village."""
    if not actor.can(Permission.PATIENT_WRITE):
        raise Forbidden(CoreError.CORE_002)
    held_on = check_date(data.held_on, "held_on")
    with session.begin():
        place = writable_place(session, actor, data.place_code, TRAINING_PLACES, "place_code")
        training = new_row(
            Training, data, place_id=place.id, place=place, held_on=held_on, created_by_id=actor.id
        )
        after = snapshot(training, ("held_on", "trainer_name", "village", "mothers_trained"))
        add_created(session, actor, training, "muac_training", after=after, place_id=place.id)
        return training_read(training)


def record_screening(session: Session, data: ScreeningCreate, *, actor: Actor) -> ScreeningRead:
    """Record a screening; a red MUAC or oedema (or a yellow MUAC) issues a referral."""
    if not actor.can(Permission.PATIENT_WRITE):
        raise Forbidden(CoreError.CORE_002)
    if not rules.age_screenable(data.child_age_months):
        raise RuleViolation(
            CommunityError.COM_001,
            min_months=rules.SCREENING_MIN_AGE_MONTHS,
            max_months=rules.SCREENING_MAX_AGE_MONTHS,
            field="child_age_months",
        )
    screened_on = check_date(data.screened_on, "screened_on")
    with session.begin():
        place = writable_place(session, actor, data.place_code, SERVICE_POINTS, "place_code")
        result = rules.assess_screening(
            data.muac_mm, data.oedema, screening_settings(session, place, screened_on)
        )
        if data.patient_id is not None:
            patient = core_repository.find_patient(session, data.patient_id)
            if patient is None or not actor.can_at(Permission.PATIENT_READ, patient.place.path):
                raise NotFound(CoreError.CORE_001, field="patient_id")
        screening = new_row(
            Screening,
            data,
            place_id=place.id,
            place=place,
            screened_on=screened_on,
            muac_band=result.band.value,
            created_by_id=actor.id,
        )
        add_audited(session, actor, screening, "community_screening", SCREENING_FIELDS)
        if result.referral is not None:
            destination = (
                writable_place(
                    session, actor, data.referral_place_code, SERVICE_POINTS, "referral_place_code"
                )
                if data.referral_place_code
                else place
            )
            add_referral(session, actor, screening, destination, result.referral.value)
        return screening_read(screening, today())


def _screening_visible(actor: Actor, screening: Screening, permission: Permission) -> bool:
    if actor.can_at(permission, screening.place.path):
        return True
    referral = screening.referral
    return referral is not None and actor.can_at(permission, referral.place.path)


def get_screening(session: Session, screening_id: uuid.UUID, *, actor: Actor) -> ScreeningRead:
    """Open a screening (with its referral); the read or the refused attempt is audited."""
    return get_or_404(
        session,
        actor,
        screening_id,
        find=repository.find_screening,
        read=lambda screening: screening_read(screening, today()),
        entity_type="community_screening",
        visible=lambda screening: _screening_visible(actor, screening, Permission.PATIENT_READ),
    )


def delete_screening(
    session: Session, screening_id: uuid.UUID, data: RecordDelete, *, actor: Actor
) -> ScreeningRead:
    """Soft-delete a screening (and its referral) with a reason."""
    with session.begin():
        screening = repository.find_screening(session, screening_id)
        if screening is not None and live_at(actor, screening, Permission.PATIENT_DELETE):
            soft_delete(
                session,
                actor,
                screening,
                "community_screening",
                data.reason,
                also=screening.referral,
            )
            return screening_read(screening, today())
        audit_denied(
            session,
            actor,
            entity_type="community_screening",
            entity_id=screening_id,
            patient_id=screening.patient_id if screening else None,
            detail="delete",
        )
    raise not_found()
