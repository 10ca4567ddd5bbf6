"""Referrals: open one, record the child's arrival at the site, list those waiting."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from alima.community import repository, rules
from alima.community.enums import ReferralStatus
from alima.community.errors import CommunityError
from alima.community.models import Referral
from alima.community.schemas import (
    ArrivalCreate,
    ReferralRead,
)
from alima.community.service.common import (
    audit_names,
    check_date,
    live_at,
    referral_read,
    screening_settings,
)
from alima.core.access import Actor, Permission
from alima.core.audit import record, snapshot
from alima.core.enums import AuditAction
from alima.core.errors import RuleViolation
from alima.core.service.common import audit_denied, get_or_404, not_found
from alima.core.time import today
from alima.growth.muac import MuacBand

ARRIVAL_FIELDS = (
    "status",
    "arrived_on",
    "arrival_muac_mm",
    "arrival_oedema",
    "bands_agree",
    "admitted",
    "patient_id",
    "nutrition_episode_id",
)


def _referral_visible(actor: Actor, referral: Referral, permission: Permission) -> bool:
    return actor.can_at(permission, referral.place.path) or actor.can_at(
        permission, referral.screening.place.path
    )


def _open(
    session: Session, referral_id: uuid.UUID, actor: Actor, visible: Callable[[Referral], bool]
) -> ReferralRead:
    return get_or_404(
        session,
        actor,
        referral_id,
        find=repository.find_referral,
        read=lambda referral: referral_read(referral, today()),
        entity_type="community_referral",
        visible=visible,
    )


def get_referral(session: Session, referral_id: uuid.UUID, *, actor: Actor) -> ReferralRead:
    """Open a referral; the read or the refused attempt is audited."""
    return _open(
        session, referral_id, actor, lambda r: _referral_visible(actor, r, Permission.PATIENT_READ)
    )


def arrival_form(session: Session, referral_id: uuid.UUID, *, actor: Actor) -> ReferralRead:
    """The referral whose arrival the actor is about to record (audited read)."""
    return _open(session, referral_id, actor, lambda r: live_at(actor, r, Permission.PATIENT_WRITE))


def _linked_patient(session: Session, actor: Actor, identifier: str) -> uuid.UUID:
    patient = repository.find_patient_by_identifier(session, identifier)
    if patient is None or not actor.can_at(Permission.PATIENT_READ, patient.place.path):
        raise RuleViolation(
            CommunityError.COM_006, identifier=identifier, field="patient_identifier"
        )
    return patient.id


def _check_episode(
    session: Session, actor: Actor, episode_id: uuid.UUID, patient_id: uuid.UUID | None
) -> None:
    """The linked episode is a live one of this very child, at a place the actor can see."""
    episode = repository.find_nutrition_episode(session, episode_id)
    if (
        episode is None
        or patient_id is None
        or episode.patient_id != patient_id
        or episode.deleted_at is not None
        or not actor.can_at(Permission.PATIENT_READ, episode.place.path)
    ):
        raise RuleViolation(CommunityError.COM_008, field="nutrition_episode_id")


def _complete(
    session: Session, referral: Referral, data: ArrivalCreate, *, actor: Actor
) -> ReferralRead:
    if referral.status == ReferralStatus.COMPLETED.value:
        raise RuleViolation(
            CommunityError.COM_002, arrived_on=str(referral.arrived_on), field="__all__"
        )
    arrived_on = check_date(data.arrived_on, "arrived_on")
    if arrived_on < referral.referred_on:
        raise RuleViolation(
            CommunityError.COM_003, referred_on=str(referral.referred_on), field="arrived_on"
        )
    if data.nutrition_episode_id is not None and not data.admitted:
        raise RuleViolation(CommunityError.COM_007, field="nutrition_episode_id")
    patient_id = referral.patient_id
    if data.patient_identifier:
        patient_id = _linked_patient(session, actor, data.patient_identifier)
    if data.nutrition_episode_id is not None:
        _check_episode(session, actor, data.nutrition_episode_id, patient_id)
    before = snapshot(referral, ARRIVAL_FIELDS)
    band = rules.assess_screening(
        data.muac_mm, data.oedema, screening_settings(session, referral.place, arrived_on)
    ).band
    screening = referral.screening
    referral.status = ReferralStatus.COMPLETED.value
    referral.arrived_on = arrived_on
    referral.arrival_muac_mm = data.muac_mm
    referral.arrival_oedema = data.oedema.value
    referral.arrival_band = band.value
    referral.bands_agree = rules.bands_agree(MuacBand(screening.muac_band), band)
    referral.admitted = data.admitted
    referral.nutrition_episode_id = data.nutrition_episode_id
    referral.patient_id = patient_id
    referral.completed_by_id = actor.id
    if screening.patient_id is None and patient_id is not None:
        screening.patient_id = patient_id
    session.flush()
    record(
        session,
        actor,
        AuditAction.UPDATE,
        entity_type="community_referral",
        entity_id=referral.id,
        patient_id=patient_id,
        place_id=referral.place_id,
        before=before,
        after=snapshot(referral, ARRIVAL_FIELDS),
    )
    return referral_read(referral, today())


def record_arrival(
    session: Session, referral_id: uuid.UUID, data: ArrivalCreate, *, actor: Actor
) -> ReferralRead:
    """Complete a referral: the child arrived, staff measured the arm again and decided.

    The staff's MUAC gives the agreement with the community measurement (same colour band).
    """
    with session.begin():
        referral = repository.find_referral(session, referral_id)
        if referral is not None and live_at(actor, referral, Permission.PATIENT_WRITE):
            return _complete(session, referral, data, actor=actor)
        audit_denied(
            session,
            actor,
            entity_type="community_referral",
            entity_id=referral_id,
            patient_id=referral.patient_id if referral else None,
            place_id=referral.place_id if referral else None,
        )
    raise not_found()


def pending_referrals(session: Session, *, actor: Actor) -> list[ReferralRead]:
    """Referrals waiting for the child at the actor's places, oldest first."""
    on = today()
    with session.begin():
        referrals = repository.list_pending_referrals(
            session, actor.paths_for(Permission.PATIENT_READ)
        )
        audit_names(session, actor, "community_referral", referrals, "pending_referrals")
        return [referral_read(r, on) for r in referrals]
