"""Referrals: open one, record the child's arrival at the site, list those waiting."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session

from alima.community import repository, rules
from alima.community.enums import ReferralStatus
from alima.community.errors import CommunityError
from alima.community.models import Referral
from alima.community.schemas import (
    ArrivalCreate,
    PatientLink,
    ReferralClose,
    ReferralRead,
)
from alima.community.service.common import (
    check_date,
    live_at,
    referral_read,
    screening_settings,
)
from alima.core.access import Actor, Permission
from alima.core.audit import record, snapshot
from alima.core.enums import AuditAction
from alima.core.errors import RuleViolation
from alima.core.models import Patient
from alima.core.repository import find_patient
from alima.core.schemas import PatientCreate, PatientRead
from alima.core.service import patients as patient_service
from alima.core.service.common import (
    audit_changed,
    audit_denied,
    audit_listed,
    get_or_404,
    not_found,
)
from alima.core.time import today
from alima.growth.muac import MuacBand
from alima.nutrition import service as nutrition_service
from alima.nutrition.models import Episode
from alima.nutrition.schemas import AdmissionCreate, VisitResult

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


def arrival_form(
    session: Session, referral_id: uuid.UUID, *, actor: Actor, close_after_days: int | None = None
) -> ReferralRead:
    """The referral whose arrival (and the child's registration, admission) the actor records.

    An audited read, at a place where the actor may write; ``closable`` says whether it may be
    closed as not arrived today (``close_after_days`` after the referral).
    """
    return get_or_404(
        session,
        actor,
        referral_id,
        find=repository.find_referral,
        read=lambda referral: referral_read(referral, today(), close_after_days),
        entity_type="community_referral",
        visible=lambda r: live_at(actor, r, Permission.PATIENT_WRITE),
    )


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
        referral = _writable(session, actor, referral_id)
        if referral is not None:
            return _complete(session, referral, data, actor=actor)
    raise not_found()


def pending_referrals(
    session: Session, *, actor: Actor, close_after_days: int | None = None
) -> list[ReferralRead]:
    """Referrals waiting for the child at the actor's places, oldest first."""
    on = today()
    with session.begin():
        referrals = repository.list_pending_referrals(
            session, actor.paths_for(Permission.PATIENT_READ)
        )
        audit_listed(session, actor, "community_referral", referrals, "pending_referrals")
        return [referral_read(r, on, close_after_days) for r in referrals]


def _audit_update(
    session: Session, actor: Actor, referral: Referral, before: dict[str, object], detail: str
) -> None:
    after = snapshot(referral, LINK_FIELDS)
    audit_changed(
        session, actor, "community_referral", referral, before=before, after=after, detail=detail
    )


#: What closing, linking and admitting change on a referral (before and after in the audit).
LINK_FIELDS = (
    "status",
    "closed_on",
    "closed_reason",
    "admitted",
    "patient_id",
    "nutrition_episode_id",
)


def _writable(session: Session, actor: Actor, referral_id: uuid.UUID) -> Referral | None:
    """The live referral if the actor may write at its place, else ``None`` (refusal audited)."""
    referral = repository.find_referral(session, referral_id)
    if referral is not None and live_at(actor, referral, Permission.PATIENT_WRITE):
        return referral
    audit_denied(
        session,
        actor,
        entity_type="community_referral",
        entity_id=referral_id,
        patient_id=referral.patient_id if referral else None,
        place_id=referral.place_id if referral else None,
    )
    return None


def close_not_arrived(
    session: Session,
    referral_id: uuid.UUID,
    data: ReferralClose,
    *,
    actor: Actor,
    after_days: int,
) -> ReferralRead:
    """Close a referral whose child never came as "did not arrive", with a reason (§6).

    Only a pending referral, and only ``after_days`` days after it was issued; the referral
    stays (a state, not a deletion) and the change is audited.
    """
    on = today()
    with session.begin():
        referral = _writable(session, actor, referral_id)
        if referral is not None:
            if referral.status != ReferralStatus.PENDING.value:
                raise RuleViolation(CommunityError.COM_010, field="__all__")
            if not rules.closable(referral.referred_on, on, after_days):
                raise RuleViolation(
                    CommunityError.COM_009,
                    days=str(after_days),
                    on=str(referral.referred_on + timedelta(days=after_days)),
                    field="__all__",
                )
            before = snapshot(referral, LINK_FIELDS)
            referral.status = ReferralStatus.NOT_ARRIVED.value
            referral.closed_on = on
            referral.closed_reason = data.reason
            referral.closed_by_id = actor.id
            _audit_update(session, actor, referral, before, "not arrived")
            return referral_read(referral, on, after_days)
    raise not_found()


def _link(session: Session, actor: Actor, referral: Referral, patient: Patient) -> None:
    """Keep ``patient`` as the referred child (the referral and its screening), audited."""
    if referral.status == ReferralStatus.NOT_ARRIVED.value:
        raise RuleViolation(CommunityError.COM_010, field="__all__")
    if referral.patient_id is not None and referral.patient_id != patient.id:
        raise RuleViolation(CommunityError.COM_011, field="__all__")
    before = snapshot(referral, LINK_FIELDS)
    referral.patient_id = patient.id
    if referral.screening.patient_id is None:
        referral.screening.patient_id = patient.id
    _audit_update(session, actor, referral, before, "child linked")


def link_patient(
    session: Session, referral_id: uuid.UUID, data: PatientLink, *, actor: Actor
) -> ReferralRead:
    """Link an already registered child (found by a search) to the referral."""
    with session.begin():
        referral = _writable(session, actor, referral_id)
        if referral is not None:
            patient = find_patient(session, data.patient_id)
            if (
                patient is None
                or patient.deleted_at is not None
                or not actor.can_at(Permission.PATIENT_READ, patient.place.path)
            ):
                raise RuleViolation(CommunityError.COM_008, field="patient_id")
            _link(session, actor, referral, patient)
            return referral_read(referral, today())
    raise not_found()


def register_form_values(
    session: Session, referral_id: uuid.UUID, *, actor: Actor
) -> tuple[ReferralRead, dict[str, str]]:
    """The referral and the registration form filled from its screening (audited read)."""
    referral = arrival_form(session, referral_id, actor=actor)
    values = {
        "given_name": referral.child_given_name,
        "family_name": referral.child_family_name or "",
        "sex": referral.child_sex.value if referral.child_sex else "",
        # The age in months at the screening, carried to today (the birth date is an estimate).
        "estimated_age_months": str(
            referral.child_age_months + (today() - referral.screened_on).days * 12 // 365
        ),
        "caregiver_name": referral.caregiver_name or "",
        "village": referral.village,
        "place_code": referral.place_code,
    }
    return referral, {k: v for k, v in values.items() if v}


def register_referred_child(
    session: Session, referral_id: uuid.UUID, data: PatientCreate, *, actor: Actor
) -> PatientRead:
    """Register the referred child and keep the link, in one transaction.

    The duplicate check of the registration applies (``DuplicateSuspected``): the existing
    child is then linked from the arrival page instead.
    """

    def keep(patient: Patient) -> None:
        referral = repository.find_referral(session, referral_id)
        if referral is None or not live_at(actor, referral, Permission.PATIENT_WRITE):
            raise not_found()
        _link(session, actor, referral, patient)

    return patient_service.register_patient(session, data, actor=actor, then=keep)


def admit_referred_child(
    session: Session, referral_id: uuid.UUID, data: AdmissionCreate, *, actor: Actor
) -> VisitResult:
    """Admit the referred child to nutrition care; the referral keeps the episode (one transaction).

    The referral must have recorded the arrival and be linked to this child.
    """

    def keep(episode: Episode) -> None:
        referral = repository.find_referral(session, referral_id)
        if referral is None or not live_at(actor, referral, Permission.PATIENT_WRITE):
            raise not_found()
        if (
            referral.status != ReferralStatus.COMPLETED.value
            or referral.patient_id != episode.patient_id
        ):
            raise RuleViolation(CommunityError.COM_012, field="__all__")
        before = snapshot(referral, LINK_FIELDS)
        referral.admitted = True
        referral.nutrition_episode_id = episode.id
        _audit_update(session, actor, referral, before, "admitted")

    return nutrition_service.admit_child(session, data, actor=actor, then=keep)
