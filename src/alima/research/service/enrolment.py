"""A child in a study: screened at admission, consent, randomisation, withdrawal.

``screen_admission`` runs inside the nutrition admission's transaction (a record hook of
``alima.core.policy``): every study recruiting at the site evaluates its eligibility rules on
what the nurse just recorded, and the child gets a line in its screening log. The other use
cases are one transaction each, audited against the child and the site.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.errors import NotFound, RuleViolation
from alima.core.service.common import (
    add_audited,
    audit_changed,
    audit_denied,
    audit_read,
    dto,
    not_found,
    or_404,
)
from alima.core.time import today as utc_today
from alima.core.time import utcnow
from alima.growth.engine import DAYS_PER_MONTH
from alima.nutrition import repository as nutrition_repository
from alima.nutrition.models import Episode
from alima.nutrition.service.admission import govern_by_protocol
from alima.research import repository, rules
from alima.research.enums import ConsentMethod, ConsentStatus, NotIncluded
from alima.research.errors import ResearchError
from alima.research.models import Allocation, Consent, Screening, Study
from alima.research.schemas import (
    AllocationRead,
    ConsentCreate,
    ConsentRead,
    DeclineCreate,
    FormRead,
    PatientStudy,
    QueryRead,
    WithdrawalCreate,
)
from alima.research.service.common import (
    SITE_PERMISSION,
    UNBLIND_PERMISSION,
    add_child_record,
    allocation_read,
)

SCREENING = "research_screening"


def criteria_of(study: Study) -> rules.Criteria:
    """A study's eligibility rules as the pure evaluation takes them."""
    return rules.Criteria(
        age_min_months=study.age_min_months,
        age_max_months=study.age_max_months,
        muac_below_mm=study.muac_below_mm,
        no_complication=study.no_complication,
        exclude_oedema=study.exclude_oedema,
        site_codes=frozenset(s.place.code for s in study.sites),
    )


def screen_admission(session: Session, row: object, actor: Actor | None) -> None:
    """Screen a just-admitted child for every study recruiting at the site (a record hook)."""
    if not isinstance(row, Episode):
        return
    first = next((v for v in row.visits if v.is_admission), None)
    if first is None:
        return
    for study in repository.recruiting_at(session, row.place_id):
        if repository.find_screening(session, study.id, row.patient_id) is not None:
            continue  # screened at an earlier admission: one line per child and study
        result = rules.evaluate(
            criteria_of(study),
            rules.Admission(
                age_months=first.age_days / DAYS_PER_MONTH,
                muac_mm=first.muac_mm,
                oedema=first.oedema != "none",
                complicated=first.complications or first.danger_signs,
                site_code=row.place.code,
            ),
        )
        screening = Screening(
            study_id=study.id,
            patient_id=row.patient_id,
            place_id=row.place_id,
            episode_id=row.id,
            screened_on=row.admitted_on,
            eligible=result.eligible,
            reasons=[r.value for r in result.reasons],
            muac_mm=first.muac_mm,
            not_included_reason=None if result.eligible else NotIncluded.INELIGIBLE.value,
            created_by_id=actor.id if actor else None,
        )
        if actor is not None:
            add_audited(session, actor, screening, SCREENING, ("eligible", "reasons"))
        else:
            session.add(screening)
            session.flush()


def _site_screening(
    session: Session, actor: Actor, patient_id: uuid.UUID, study_code: str
) -> tuple[Study, Screening]:
    """The child's screening line, if the actor writes patients at its site; else 404, audited."""
    study = repository.find_study(session, study_code)
    screening = (
        repository.find_screening(session, study.id, patient_id) if study is not None else None
    )
    patient = core_repository.find_patient(session, patient_id)
    if (
        study is None
        or screening is None
        or patient is None
        or patient.deleted_at is not None
        or not actor.can_at(SITE_PERMISSION, screening.place.path)
    ):
        raise not_found()
    return study, screening


def refuse_outside(session: Session, actor: Actor, patient_id: uuid.UUID, study_code: str) -> None:
    """``NotFound`` unless the child was screened for the study at a site in the actor's scope.

    The refused attempt's audit event is committed before the error. Each use case on a child
    starts with it; the API also calls it before reading a request's body, so that a child
    elsewhere is a 404 whatever was sent.
    """
    with session.begin():
        try:
            _site_screening(session, actor, patient_id, study_code)
        except NotFound:
            audit_denied(
                session, actor, entity_type=SCREENING, entity_id=patient_id, patient_id=patient_id
            )
            denied = True
        else:
            denied = False
    if denied:
        raise not_found()


def _current_consent(study: Study, consent: Consent | None) -> bool:
    return (
        consent is not None
        and consent.status == ConsentStatus.ACTIVE.value
        and consent.form.current
        and consent.form.study_id == study.id
    )


def panel_of(session: Session, actor: Actor, screening: Screening) -> PatientStudy:
    """The child's place in the study as the actor may see and act on it."""
    study = screening.study
    consent = repository.latest_consent(session, study.id, screening.patient_id)
    allocation = repository.find_allocation(session, study.id, screening.patient_id)
    writable = actor.can_at(SITE_PERMISSION, screening.place.path)
    withdrawn = consent is not None and consent.status == ConsentStatus.WITHDRAWN.value
    active = consent is not None and consent.status == ConsentStatus.ACTIVE.value
    recruiting = study.status == "recruiting"
    randomisable = (
        writable
        and screening.eligible
        and recruiting
        and allocation is None
        and _current_consent(study, consent)
    )
    sealed = randomisable and repository.holds_seals(session, study.id)
    unblinded = (
        study.blinded
        and allocation is not None
        and repository.unblinded_for(session, study.id, screening.patient_id, actor.id)
    )
    return dto(
        PatientStudy,
        screening,
        study_code=study.code,
        study_title=study.title,
        consent=ConsentRead.model_validate(consent) if consent else None,
        reconsent_needed=active and not _current_consent(study, consent),
        allocation=allocation_read(study, allocation, unblinded=unblinded) if allocation else None,
        forms=[
            FormRead.model_validate(f)
            for f in repository.forms_of(session, study.id)
            if f.current and f.kind == "consent"
        ],
        may_consent=writable
        and screening.eligible
        and recruiting
        and not withdrawn
        and (not active or not _current_consent(study, consent)),
        may_randomise=randomisable and sealed,
        may_withdraw=writable and active,
        randomise_on_hub=randomisable and not sealed,
        queries=[
            QueryRead.model_validate(q)
            for q in repository.queries_of(session, study.id, screening.patient_id)
        ],
        may_answer=writable,
        may_unblind=study.blinded
        and allocation is not None
        and not unblinded
        and actor.can_at(UNBLIND_PERMISSION, screening.place.path),
    )


def study_panel(session: Session, patient_id: uuid.UUID, *, actor: Actor) -> list[PatientStudy]:
    """The child's studies on the card (read with the patient's record, audited; else 404)."""
    with session.begin():
        patient = core_repository.find_patient(session, patient_id)
        if (
            patient is None
            or patient.deleted_at is not None
            or not actor.can_at(Permission.PATIENT_READ, patient.place.path)
        ):
            patient = out = None
        else:
            out = [
                panel_of(session, actor, s)
                for s in repository.screenings_of_patient(session, patient_id)
                if actor.can_at(Permission.PATIENT_READ, s.place.path)
            ]
        if patient is None or out:  # a refusal, or a read of at least one study
            audit_read(
                session,
                actor,
                allowed=patient is not None,
                entity_type=SCREENING,
                entity_id=patient_id,
                patient_id=patient_id,
                place_id=patient.place_id if patient else None,
            )
    return or_404(out)


def child_in_study(
    session: Session, patient_id: uuid.UUID, study_code: str, *, actor: Actor
) -> PatientStudy:
    """One child's place in one study (its page); outside the reader's scope, 404 audited."""
    with session.begin():
        study = repository.find_study(session, study_code)
        screening = repository.find_screening(session, study.id, patient_id) if study else None
        if screening is not None and not actor.can_at(
            Permission.PATIENT_READ, screening.place.path
        ):
            screening = None
        audit_read(
            session,
            actor,
            allowed=screening is not None,
            entity_type=SCREENING,
            entity_id=screening.id if screening else patient_id,
            patient_id=patient_id,
            place_id=screening.place_id if screening else None,
        )
        panel = panel_of(session, actor, screening) if screening else None
    return or_404(panel)


def _not_future(on: date) -> date:
    if on > utc_today():
        raise RuleViolation(ResearchError.RES_013, field="date")
    return on


def record_consent(
    session: Session,
    patient_id: uuid.UUID,
    study_code: str,
    data: ConsentCreate,
    *,
    actor: Actor,
) -> PatientStudy:
    """Record the caregiver's consent on an approved form version (a re-consent supersedes)."""
    refuse_outside(session, actor, patient_id, study_code)
    on = _not_future(data.consented_on or utc_today())
    if data.method is ConsentMethod.THUMBPRINT and not data.witness_name:
        raise RuleViolation(ResearchError.RES_005, field="witness_name")
    with session.begin():
        study, screening = _site_screening(session, actor, patient_id, study_code)
        if not screening.eligible:
            raise RuleViolation(ResearchError.RES_001, study=study.code)
        if study.status != "recruiting" and not screening.included:
            raise RuleViolation(ResearchError.RES_012, study=study.code)
        form = next(
            (
                f
                for f in repository.forms_of(session, study.id)
                if f.id == data.form_id and f.current and f.kind == "consent"
            ),
            None,
        )
        if form is None:
            raise RuleViolation(ResearchError.RES_006, field="form_id")
        previous = repository.latest_consent(session, study.id, patient_id)
        if previous is not None and previous.status == ConsentStatus.WITHDRAWN.value:
            raise RuleViolation(ResearchError.RES_007)
        if previous is not None and previous.status == ConsentStatus.ACTIVE.value:
            previous.status = ConsentStatus.SUPERSEDED.value
            session.flush()
        add_child_record(
            session,
            actor,
            Consent,
            data,
            ("research_consent", ("consented_on", "method", "form_id", "status")),
            study=study,
            patient_id=patient_id,
            place_id=screening.place_id,
            consented_on=on,
            status=ConsentStatus.ACTIVE.value,
        )
        screening.approached = True
        screening.consented = True
        if not screening.included:
            screening.not_included_reason = None
        session.flush()
        return panel_of(session, actor, screening)


def decline(
    session: Session,
    patient_id: uuid.UUID,
    study_code: str,
    data: DeclineCreate,
    *,
    actor: Actor,
) -> PatientStudy:
    """An eligible child not included: the caregiver declined, or was not asked."""
    refuse_outside(session, actor, patient_id, study_code)
    with session.begin():
        study, screening = _site_screening(session, actor, patient_id, study_code)
        if screening.included:
            raise RuleViolation(ResearchError.RES_003, study=study.code)
        consent = repository.latest_consent(session, study.id, patient_id)
        if consent is not None and consent.status == ConsentStatus.ACTIVE.value:
            raise RuleViolation(ResearchError.RES_016)
        before = {"not_included_reason": screening.not_included_reason}
        screening.approached = data.reason != NotIncluded.NOT_APPROACHED.value
        screening.consented = False
        screening.not_included_reason = (
            data.reason if screening.eligible else NotIncluded.INELIGIBLE.value
        )
        after = {"not_included_reason": screening.not_included_reason}
        audit_changed(session, actor, SCREENING, screening, before=before, after=after)
        return panel_of(session, actor, screening)


def withdraw(
    session: Session,
    patient_id: uuid.UUID,
    study_code: str,
    data: WithdrawalCreate,
    *,
    actor: Actor,
) -> PatientStudy:
    """Withdraw consent: nothing more enters the study; ``use`` says what may still be used."""
    on = _not_future(data.withdrawn_on or utc_today())
    refuse_outside(session, actor, patient_id, study_code)
    with session.begin():
        study, screening = _site_screening(session, actor, patient_id, study_code)
        consent = repository.latest_consent(session, study.id, patient_id)
        if consent is None or consent.status != ConsentStatus.ACTIVE.value:
            raise RuleViolation(ResearchError.RES_002)
        consent.status = ConsentStatus.WITHDRAWN.value
        consent.withdrawn_on = on
        consent.withdrawal_use = data.use.value
        consent.withdrawal_reason = data.reason
        before = {"status": ConsentStatus.ACTIVE.value}
        after = {"status": consent.status, "withdrawn_on": on.isoformat(), "use": data.use.value}
        audit_changed(session, actor, "research_consent", consent, before=before, after=after)
        return panel_of(session, actor, screening)


def randomise(
    session: Session, patient_id: uuid.UUID, study_code: str, *, actor: Actor
) -> AllocationRead:
    """Reveal the next concealed arm of the child's stratum, once; the arm's protocol governs the episode.

    Refused for a child not eligible, without an active consent on the current form version,
    or already randomised (the arm never changes). The allocation, the sequence position and
    the episode's new protocol are written and audited together.
    """
    refuse_outside(session, actor, patient_id, study_code)
    with session.begin():
        study, screening = _site_screening(session, actor, patient_id, study_code)
        if repository.find_allocation(session, study.id, patient_id) is not None:
            raise RuleViolation(ResearchError.RES_003, study=study.code)
        if not screening.eligible:
            raise RuleViolation(ResearchError.RES_001, study=study.code)
        if study.status != "recruiting":
            raise RuleViolation(ResearchError.RES_012, study=study.code)
        consent = repository.latest_consent(session, study.id, patient_id)
        if not _current_consent(study, consent):
            raise RuleViolation(ResearchError.RES_002)
        level = rules.muac_level(screening.muac_mm, study.stratify_muac_mm)
        stratum = rules.stratum_of(screening.place.code, level)
        entry = repository.next_entry(session, study.id, stratum)
        if entry is None:
            raise RuleViolation(ResearchError.RES_004, study=study.code)
        seal = repository.find_seal(session, entry.id)
        if seal is None:  # a laptop: the arms stay on the hub until used
            raise RuleViolation(ResearchError.RES_070, study=study.code)
        arm = seal.arm
        episode = (
            nutrition_repository.find_open_episode(session, patient_id)
            if arm.protocol_code
            else None
        )
        if arm.protocol_code:
            if episode is None or episode.status != "open":
                raise RuleViolation(ResearchError.RES_014)
            if episode.visits_count != 1:
                raise RuleViolation(ResearchError.RES_011)
        now = utcnow()
        entry.used_at = now
        entry.arm_id = arm.id
        allocation = Allocation(
            study_id=study.id,
            patient_id=patient_id,
            place_id=screening.place_id,
            screening_id=screening.id,
            sequence_entry_id=entry.id,
            arm_id=arm.id,
            stratum=stratum,
            episode_id=episode.id if episode else None,
            revealed_at=now,
            created_by_id=actor.id,
        )
        add_audited(
            session,
            actor,
            allocation,
            "research_allocation",
            ("arm_id", "stratum", "sequence_entry_id", "revealed_at"),
        )
        screening.included = True
        screening.not_included_reason = None
        session.flush()
        if episode is not None and arm.protocol_code:
            govern_by_protocol(
                session,
                episode,
                arm.protocol_code,
                actor=actor,
                why=f"{study.code} arm {arm.code}",
            )
        return allocation_read(study, allocation)


def patient_in_study(session: Session, study: Study, patient_id: uuid.UUID) -> bool:
    """Whether a child is included in a study (a researcher's reads stop at these children)."""
    return repository.find_allocation(session, study.id, patient_id) is not None
