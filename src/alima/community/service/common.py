"""Helpers shared by the community use cases: DTOs, places, dates, list audits (no transaction)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from alima.community import rules
from alima.community.enums import ReferralStatus, ScreenerType
from alima.community.errors import CommunityError
from alima.community.models import Referral, Screening, Training
from alima.community.schemas import (
    PlaceOption,
    ReferralRead,
    ScreeningRead,
    TrainingRead,
)
from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.enums import SERVICE_POINTS, PlaceKind
from alima.core.errors import RuleViolation
from alima.core.models import Place
from alima.core.service.common import add_created, dto, place_in_scope, record_date
from alima.growth.muac import MuacBand
from alima.nutrition import service as nutrition_service
from alima.nutrition.enums import Oedema


def training_read(training: Training) -> TrainingRead:
    """The DTO of a MUAC-for-mothers training."""
    return dto(
        TrainingRead, training, place_code=training.place.code, place_name=training.place.name
    )


def _child_name(screening: Screening) -> str:
    return " ".join(n for n in (screening.child_given_name, screening.child_family_name) if n)


def add_referral(
    session: Session,
    actor: Actor,
    screening: Screening,
    destination: Place,
    urgency: str,
    *,
    source: str | None = None,
) -> Referral:
    """Refer a screened child to ``destination`` (pending), added with its audit event.

    ``source``: the programme that screened the child, when not the community's form (SMC).
    """
    referral = Referral(
        screening_id=screening.id,
        screening=screening,
        place_id=destination.id,
        place=destination,
        urgency=urgency,
        status=ReferralStatus.PENDING.value,
        referred_on=screening.screened_on,
        patient_id=screening.patient_id,
        created_by_id=actor.id,
    )
    after = {"urgency": urgency, "place": destination.code}
    add_created(
        session,
        actor,
        referral,
        "community_referral",
        after=after | ({"from": source} if source else {}),
        place_id=destination.id,
        patient_id=screening.patient_id,
    )
    return referral


def referral_read(
    referral: Referral, on: date, close_after_days: int | None = None
) -> ReferralRead:
    """The DTO of a referral, overdue (and closable after ``close_after_days``) as of ``on``."""
    screening = referral.screening
    pending = referral.status == ReferralStatus.PENDING.value
    return dto(
        ReferralRead,
        referral,
        screening_id=screening.id,
        place_code=referral.place.code,
        place_name=referral.place.name,
        overdue=pending and rules.overdue(referral.referred_on, on),
        closable=pending
        and close_after_days is not None
        and rules.closable(referral.referred_on, on, close_after_days),
        child_name=_child_name(screening),
        child_given_name=screening.child_given_name,
        child_family_name=screening.child_family_name,
        child_sex=screening.child_sex,
        child_age_months=screening.child_age_months,
        caregiver_name=screening.caregiver_name,
        screened_on=screening.screened_on,
        village=screening.village,
        screener_type=ScreenerType(screening.screener_type),
        community_muac_mm=screening.muac_mm,
        community_band=MuacBand(screening.muac_band),
        community_oedema=Oedema(screening.oedema),
        arrival_oedema=Oedema(referral.arrival_oedema) if referral.arrival_oedema else None,
        arrival_band=MuacBand(referral.arrival_band) if referral.arrival_band else None,
    )


def screening_read(screening: Screening, on: date) -> ScreeningRead:
    """The DTO of a screening with its referral, as of ``on``."""
    return dto(
        ScreeningRead,
        screening,
        place_code=screening.place.code,
        place_name=screening.place.name,
        band=MuacBand(screening.muac_band),
        referral=referral_read(screening.referral, on) if screening.referral else None,
        deleted=screening.deleted_at is not None,
    )


def place_option(place: Place) -> PlaceOption:
    """A place offered in a form."""
    return PlaceOption(code=place.code, name=place.name, kind=place.kind)


def writable_place(
    session: Session,
    actor: Actor,
    place_code: str | None,
    kinds: frozenset[PlaceKind],
    field: str,
) -> Place:
    """The place named by ``place_code`` if the actor may write there, else their only one."""
    if place_code:
        place = place_in_scope(session, actor, place_code, Permission.PATIENT_WRITE, field=field)
    else:
        candidates = core_repository.list_places(
            session,
            actor.paths_for(Permission.PATIENT_WRITE),
            kinds=[k.value for k in SERVICE_POINTS],
        )
        if len(candidates) != 1:
            raise RuleViolation(CommunityError.COM_005, field=field)
        place = candidates[0]
    if PlaceKind(place.kind) not in kinds:
        raise RuleViolation(CommunityError.COM_005, field=field)
    return place


def check_date(value: date | None, field: str) -> date:
    """The date of a record: today by default, never in the future."""
    return record_date(value, field, CommunityError.COM_004)


def screening_settings(session: Session, place: Place, on: date) -> rules.ScreeningSettings:
    """Screening settings with the MUAC cut-offs of the country's protocol in force on ``on``.

    One configured source for nutrition, screening and triage (docs/clinical-rules.md §1, §6):
    a country override of the case definition changes the tape colours here too.
    """
    return rules.ScreeningSettings(cutoffs=nutrition_service.muac_cutoffs(session, place, on))


def live_at(actor: Actor, row: Screening | Referral, permission: Permission) -> bool:
    """A row not deleted, at a place where ``permission`` holds."""
    return row.deleted_at is None and actor.can_at(permission, row.place.path)
