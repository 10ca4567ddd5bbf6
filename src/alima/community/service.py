"""Community screening use cases: trainings, screenings, referrals and their completion.

A screening names a child who may not be registered: it is patient-level data, scoped by the
place of the screening (and, for a referral, by the place the child was sent to), audited on
every read and write, and reported as absent (404) outside the reader's scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from alima.community import repository, rules
from alima.community.enums import ReferralStatus, ReferralUrgency, ScreenerType
from alima.community.errors import CommunityError
from alima.community.models import Referral, Screening, Training
from alima.community.schemas import (
    AgreementRow,
    ArrivalCreate,
    CommunityOverview,
    CommunityStatistics,
    CountRow,
    PlaceOption,
    RecordDelete,
    ReferralRead,
    ScreeningCreate,
    ScreeningRead,
    StatisticsFilter,
    TrainingCreate,
    TrainingRead,
)
from alima.core import repository as core_repository
from alima.core.access import Actor, Permission, minimal_prefixes
from alima.core.audit import record, record_list, snapshot
from alima.core.enums import SERVICE_POINTS, AuditAction, PlaceKind
from alima.core.errors import CoreError, Forbidden, NotFound, RuleViolation
from alima.core.models import Place
from alima.core.time import today, utcnow
from alima.growth.muac import MuacBand
from alima.nutrition import service as nutrition_service
from alima.nutrition.enums import Oedema

#: Places a training may be attached to: a health area (the villages) or a service point.
TRAINING_PLACES = frozenset({PlaceKind.HEALTH_AREA, *SERVICE_POINTS})
#: Default period of the statistics page.
STATISTICS_DAYS = 365

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


def _training_read(training: Training) -> TrainingRead:
    return TrainingRead(
        id=training.id,
        place_code=training.place.code,
        place_name=training.place.name,
        held_on=training.held_on,
        trainer_name=training.trainer_name,
        trainer_role=training.trainer_role,  # type: ignore[arg-type]  # validated by pydantic
        village=training.village,
        mothers_trained=training.mothers_trained,
        tapes_given=training.tapes_given,
        note=training.note,
        created_at=training.created_at,
    )


def _child_name(screening: Screening) -> str:
    return " ".join(n for n in (screening.child_given_name, screening.child_family_name) if n)


def _referral_read(referral: Referral, on: date) -> ReferralRead:
    screening = referral.screening
    pending = referral.status == ReferralStatus.PENDING.value
    return ReferralRead(
        id=referral.id,
        screening_id=screening.id,
        place_code=referral.place.code,
        place_name=referral.place.name,
        urgency=ReferralUrgency(referral.urgency),
        status=ReferralStatus(referral.status),
        referred_on=referral.referred_on,
        overdue=pending and rules.overdue(referral.referred_on, on),
        child_name=_child_name(screening),
        child_age_months=screening.child_age_months,
        village=screening.village,
        screener_type=ScreenerType(screening.screener_type),
        community_muac_mm=screening.muac_mm,
        community_band=MuacBand(screening.muac_band),
        community_oedema=Oedema(screening.oedema),
        arrived_on=referral.arrived_on,
        arrival_muac_mm=referral.arrival_muac_mm,
        arrival_oedema=Oedema(referral.arrival_oedema) if referral.arrival_oedema else None,
        arrival_band=MuacBand(referral.arrival_band) if referral.arrival_band else None,
        bands_agree=referral.bands_agree,
        admitted=referral.admitted,
        nutrition_episode_id=referral.nutrition_episode_id,
        patient_id=referral.patient_id,
    )


def _screening_read(screening: Screening, on: date) -> ScreeningRead:
    return ScreeningRead(
        id=screening.id,
        place_code=screening.place.code,
        place_name=screening.place.name,
        screened_on=screening.screened_on,
        screener_type=ScreenerType(screening.screener_type),
        screener_name=screening.screener_name,
        child_given_name=screening.child_given_name,
        child_family_name=screening.child_family_name,
        child_sex=screening.child_sex,  # type: ignore[arg-type]  # validated by pydantic
        child_age_months=screening.child_age_months,
        caregiver_name=screening.caregiver_name,
        village=screening.village,
        patient_id=screening.patient_id,
        muac_mm=screening.muac_mm,
        oedema=Oedema(screening.oedema),
        band=MuacBand(screening.muac_band),
        referral=_referral_read(screening.referral, on) if screening.referral else None,
        created_at=screening.created_at,
        deleted=screening.deleted_at is not None,
    )


def _place_option(place: Place) -> PlaceOption:
    return PlaceOption(code=place.code, name=place.name, kind=place.kind)


def _writable_place(
    session: Session,
    actor: Actor,
    place_code: str | None,
    kinds: frozenset[PlaceKind],
    field: str,
) -> Place:
    """The place named by ``place_code`` if the actor may write there, else their only one."""
    if place_code:
        place = core_repository.find_place_by_code(session, place_code)
        if place is None or not actor.can_at(Permission.PATIENT_WRITE, place.path):
            raise NotFound(CoreError.CORE_011, code=place_code, field=field)
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


def _check_date(value: date | None, field: str) -> date:
    on = today()
    if value is None:
        return on
    if value > on:
        raise RuleViolation(CommunityError.COM_004, field=field)
    return value


def form_places(session: Session, *, actor: Actor) -> list[PlaceOption]:
    """Service points where the actor may record screenings."""
    with session.begin():
        places = core_repository.list_places(
            session,
            actor.paths_for(Permission.PATIENT_WRITE),
            kinds=[k.value for k in SERVICE_POINTS],
        )
        return [_place_option(p) for p in places]


def training_places(session: Session, *, actor: Actor) -> list[PlaceOption]:
    """Health areas and service points where the actor may record trainings."""
    with session.begin():
        places = core_repository.list_places(
            session,
            actor.paths_for(Permission.PATIENT_WRITE),
            kinds=[k.value for k in TRAINING_PLACES],
        )
        return [_place_option(p) for p in places]


def record_training(session: Session, data: TrainingCreate, *, actor: Actor) -> TrainingRead:
    """Record a MUAC-for-mothers training session in a village."""
    if not actor.can(Permission.PATIENT_WRITE):
        raise Forbidden(CoreError.CORE_002)
    held_on = _check_date(data.held_on, "held_on")
    with session.begin():
        place = _writable_place(session, actor, data.place_code, TRAINING_PLACES, "place_code")
        training = Training(
            place_id=place.id,
            place=place,
            held_on=held_on,
            trainer_name=data.trainer_name,
            trainer_role=data.trainer_role.value,
            village=data.village,
            mothers_trained=data.mothers_trained,
            tapes_given=data.tapes_given,
            note=data.note or None,
            created_by_id=actor.id,
        )
        session.add(training)
        session.flush()
        record(
            session,
            actor,
            AuditAction.CREATE,
            entity_type="muac_training",
            entity_id=training.id,
            place_id=place.id,
            after=snapshot(training, ("held_on", "trainer_name", "village", "mothers_trained")),
        )
        return _training_read(training)


def _settings(session: Session, place: Place, on: date) -> rules.ScreeningSettings:
    """Screening settings with the MUAC cut-offs of the country's protocol in force on ``on``.

    One configured source for nutrition, screening and triage (docs/clinical-rules.md §1, §6):
    a country override of the case definition changes the tape colours here too.
    """
    return rules.ScreeningSettings(cutoffs=nutrition_service.muac_cutoffs(session, place, on))


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
    screened_on = _check_date(data.screened_on, "screened_on")
    with session.begin():
        place = _writable_place(session, actor, data.place_code, SERVICE_POINTS, "place_code")
        result = rules.assess_screening(
            data.muac_mm, data.oedema, _settings(session, place, screened_on)
        )
        if data.patient_id is not None:
            patient = core_repository.find_patient(session, data.patient_id)
            if patient is None or not actor.can_at(Permission.PATIENT_READ, patient.place.path):
                raise NotFound(CoreError.CORE_001, field="patient_id")
        screening = Screening(
            place_id=place.id,
            place=place,
            screened_on=screened_on,
            screener_type=data.screener_type.value,
            screener_name=data.screener_name or None,
            child_given_name=data.child_given_name,
            child_family_name=data.child_family_name or None,
            child_sex=data.child_sex.value if data.child_sex else None,
            child_age_months=data.child_age_months,
            caregiver_name=data.caregiver_name or None,
            village=data.village,
            patient_id=data.patient_id,
            muac_mm=data.muac_mm,
            oedema=data.oedema.value,
            muac_band=result.band.value,
            created_by_id=actor.id,
        )
        session.add(screening)
        session.flush()
        record(
            session,
            actor,
            AuditAction.CREATE,
            entity_type="community_screening",
            entity_id=screening.id,
            patient_id=data.patient_id,
            place_id=place.id,
            after=snapshot(screening, SCREENING_FIELDS),
        )
        if result.referral is not None:
            destination = (
                _writable_place(
                    session, actor, data.referral_place_code, SERVICE_POINTS, "referral_place_code"
                )
                if data.referral_place_code
                else place
            )
            referral = Referral(
                screening_id=screening.id,
                screening=screening,
                place_id=destination.id,
                place=destination,
                urgency=result.referral.value,
                status=ReferralStatus.PENDING.value,
                referred_on=screened_on,
                patient_id=data.patient_id,
                created_by_id=actor.id,
            )
            session.add(referral)
            session.flush()
            record(
                session,
                actor,
                AuditAction.CREATE,
                entity_type="community_referral",
                entity_id=referral.id,
                patient_id=data.patient_id,
                place_id=destination.id,
                after={"urgency": referral.urgency, "place": destination.code},
            )
        return _screening_read(screening, today())


def _screening_visible(actor: Actor, screening: Screening | None, permission: Permission) -> bool:
    if screening is None:
        return False
    if actor.can_at(permission, screening.place.path):
        return True
    referral = screening.referral
    return referral is not None and actor.can_at(permission, referral.place.path)


def get_screening(session: Session, screening_id: uuid.UUID, *, actor: Actor) -> ScreeningRead:
    """Open a screening (with its referral); the read or the refused attempt is audited."""
    with session.begin():
        screening = repository.find_screening(session, screening_id)
        allowed = _screening_visible(actor, screening, Permission.PATIENT_READ)
        record(
            session,
            actor,
            AuditAction.READ if allowed else AuditAction.READ_DENIED,
            entity_type="community_screening",
            entity_id=screening_id,
            patient_id=screening.patient_id if screening else None,
            place_id=screening.place_id if screening else None,
        )
        result = _screening_read(screening, today()) if allowed and screening else None
    if result is None:
        raise NotFound(CoreError.CORE_001)
    return result


def _referral_visible(actor: Actor, referral: Referral | None, permission: Permission) -> bool:
    if referral is None:
        return False
    return actor.can_at(permission, referral.place.path) or actor.can_at(
        permission, referral.screening.place.path
    )


def get_referral(session: Session, referral_id: uuid.UUID, *, actor: Actor) -> ReferralRead:
    """Open a referral; the read or the refused attempt is audited."""
    with session.begin():
        referral = repository.find_referral(session, referral_id)
        allowed = _referral_visible(actor, referral, Permission.PATIENT_READ)
        record(
            session,
            actor,
            AuditAction.READ if allowed else AuditAction.READ_DENIED,
            entity_type="community_referral",
            entity_id=referral_id,
            patient_id=referral.patient_id if referral else None,
            place_id=referral.place_id if referral else None,
        )
        result = _referral_read(referral, today()) if allowed and referral else None
    if result is None:
        raise NotFound(CoreError.CORE_001)
    return result


def arrival_form(session: Session, referral_id: uuid.UUID, *, actor: Actor) -> ReferralRead:
    """The referral whose arrival the actor is about to record (audited read)."""
    with session.begin():
        referral = repository.find_referral(session, referral_id)
        allowed = (
            referral is not None
            and referral.deleted_at is None
            and actor.can_at(Permission.PATIENT_WRITE, referral.place.path)
        )
        record(
            session,
            actor,
            AuditAction.READ if allowed else AuditAction.READ_DENIED,
            entity_type="community_referral",
            entity_id=referral_id,
            patient_id=referral.patient_id if referral else None,
            place_id=referral.place_id if referral else None,
        )
        result = _referral_read(referral, today()) if allowed and referral else None
    if result is None:
        raise NotFound(CoreError.CORE_001)
    return result


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
    arrived_on = _check_date(data.arrived_on, "arrived_on")
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
        data.muac_mm, data.oedema, _settings(session, referral.place, arrived_on)
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
    return _referral_read(referral, today())


def record_arrival(
    session: Session, referral_id: uuid.UUID, data: ArrivalCreate, *, actor: Actor
) -> ReferralRead:
    """Complete a referral: the child arrived, staff measured the arm again and decided.

    The staff's MUAC gives the agreement with the community measurement (same colour band).
    """
    with session.begin():
        referral = repository.find_referral(session, referral_id)
        if (
            referral is not None
            and referral.deleted_at is None
            and actor.can_at(Permission.PATIENT_WRITE, referral.place.path)
        ):
            return _complete(session, referral, data, actor=actor)
        record(
            session,
            actor,
            AuditAction.WRITE_DENIED,
            entity_type="community_referral",
            entity_id=referral_id,
            patient_id=referral.patient_id if referral else None,
            place_id=referral.place_id if referral else None,
        )
    raise NotFound(CoreError.CORE_001)


def delete_screening(
    session: Session, screening_id: uuid.UUID, data: RecordDelete, *, actor: Actor
) -> ScreeningRead:
    """Soft-delete a screening (and its referral) with a reason."""
    with session.begin():
        screening = repository.find_screening(session, screening_id)
        if (
            screening is not None
            and screening.deleted_at is None
            and actor.can_at(Permission.PATIENT_DELETE, screening.place.path)
        ):
            now = utcnow()
            for row in (screening, screening.referral):
                if row is not None:
                    row.deleted_at = now
                    row.deleted_reason = data.reason
                    row.deleted_by_id = actor.id
            session.flush()
            record(
                session,
                actor,
                AuditAction.DELETE,
                entity_type="community_screening",
                entity_id=screening.id,
                patient_id=screening.patient_id,
                place_id=screening.place_id,
                detail=data.reason,
            )
            return _screening_read(screening, today())
        record(
            session,
            actor,
            AuditAction.WRITE_DENIED,
            entity_type="community_screening",
            entity_id=screening_id,
            patient_id=screening.patient_id if screening else None,
            detail="delete",
        )
    raise NotFound(CoreError.CORE_001)


def overview(session: Session, *, actor: Actor) -> CommunityOverview:
    """The community page: places, referrals waiting, latest screenings and trainings."""
    read_paths = actor.paths_for(Permission.PATIENT_READ)
    on = today()
    with session.begin():
        places = core_repository.list_places(
            session,
            actor.paths_for(Permission.PATIENT_WRITE),
            kinds=[k.value for k in SERVICE_POINTS],
        )
        referrals = repository.list_pending_referrals(session, read_paths)
        screenings = repository.list_recent_screenings(session, read_paths)
        _audit_names(session, actor, referrals, "community_overview")
        _audit_screenings(session, actor, screenings, "community_overview")
        return CommunityOverview(
            places=[_place_option(p) for p in places],
            pending_referrals=[_referral_read(r, on) for r in referrals],
            recent_screenings=[_screening_read(s, on) for s in screenings],
            recent_trainings=[
                _training_read(t) for t in repository.list_recent_trainings(session, read_paths)
            ],
        )


def _audit_names(
    session: Session, actor: Actor, referrals: Sequence[Referral], detail: str
) -> None:
    """A list of referred children shows their names: one audited read per referral."""
    record_list(
        session,
        actor,
        entity_type="community_referral",
        rows=[(r.id, r.patient_id, r.place_id) for r in referrals],
        detail=detail,
    )


def _audit_screenings(
    session: Session, actor: Actor, screenings: Sequence[Screening], detail: str
) -> None:
    record_list(
        session,
        actor,
        entity_type="community_screening",
        rows=[(s.id, s.patient_id, s.place_id) for s in screenings],
        detail=detail,
    )


def pending_referrals(session: Session, *, actor: Actor) -> list[ReferralRead]:
    """Referrals waiting for the child at the actor's places, oldest first."""
    on = today()
    with session.begin():
        referrals = repository.list_pending_referrals(
            session, actor.paths_for(Permission.PATIENT_READ)
        )
        _audit_names(session, actor, referrals, "pending_referrals")
        return [_referral_read(r, on) for r in referrals]


def statistics_paths(actor: Actor) -> tuple[str, ...]:
    """Where the actor may see community statistics: aggregates, or patient data, there."""
    return minimal_prefixes(
        actor.paths_for(Permission.AGGREGATE_READ) + actor.paths_for(Permission.PATIENT_READ)
    )


def _agreement_row(screener: ScreenerType | None, pairs: list[tuple[int, int]]) -> AgreementRow:
    result = rules.agreement(pairs)
    return AgreementRow(
        screener_type=screener,
        agreeing=result.agreeing,
        measured=result.measured,
        percent=None if result.percent is None else round(result.percent, 1),
        mean_difference_mm=result.mean_difference_mm,
    )


def statistics(
    session: Session, criteria: StatisticsFilter, *, actor: Actor
) -> CommunityStatistics:
    """Trainings, screenings, referrals, completion and MUAC agreement (aggregates only)."""
    scope = statistics_paths(actor)
    if not scope:
        raise NotFound(CoreError.CORE_001)
    end = criteria.end or today()
    start = criteria.start or end - timedelta(days=STATISTICS_DAYS - 1)
    if start > end:
        raise RuleViolation(CoreError.CORE_004, fields="start", field="start")
    with session.begin():
        place = None
        paths: tuple[str, ...] = scope
        if criteria.place_code:
            place = core_repository.find_place_by_code(session, criteria.place_code)
            if place is None or not any(place.path.startswith(p) for p in scope):
                raise NotFound(CoreError.CORE_011, code=criteria.place_code)
            paths = (place.path,)
        by_screener = repository.count_screenings_by(
            session, paths, start, end, Screening.screener_type
        )
        by_band = repository.count_screenings_by(session, paths, start, end, Screening.muac_band)
        by_status = repository.count_referrals_by_status(session, paths, start, end)
        pairs = repository.measured_pairs(session, paths, start, end)
        overdue = repository.count_overdue_referrals(
            session,
            paths,
            start,
            end,
            today() - timedelta(days=rules.DEFAULT_SETTINGS.overdue_days),
        )
        referrals = sum(by_status.values())
        completed = by_status.get(ReferralStatus.COMPLETED.value, 0)
        return CommunityStatistics(
            place_code=place.code if place else None,
            place_name=place.name if place else None,
            start=start,
            end=end,
            trainings=repository.count_trainings(session, paths, start, end),
            mothers_trained=repository.sum_mothers_trained(session, paths, start, end),
            screenings=sum(by_screener.values()),
            screenings_by_screener=[
                CountRow(code=t.value, count=by_screener.get(t.value, 0)) for t in ScreenerType
            ],
            screenings_by_band=[
                CountRow(code=b.value, count=by_band.get(b.value, 0)) for b in MuacBand
            ],
            referrals=referrals,
            referrals_completed=completed,
            referrals_pending=by_status.get(ReferralStatus.PENDING.value, 0),
            referrals_overdue=overdue,
            admitted=repository.count_admitted(session, paths, start, end),
            completion_percent=round(100.0 * completed / referrals, 1) if referrals else None,
            agreement=_agreement_row(None, [(c, f) for _t, c, f in pairs]),
            agreement_by_screener=[
                _agreement_row(t, [(c, f) for kind, c, f in pairs if kind == t.value])
                for t in ScreenerType
            ],
        )
