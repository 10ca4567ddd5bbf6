"""Consultations: IMCI triage, malaria test and treatment, MUAC of every child, diagnoses."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alima.care import repository
from alima.care.catalogue import default_catalogue
from alima.care.enums import (
    Classification,
    ConsultationKind,
    DangerSign,
    MalariaTreatment,
    RdtResult,
    Urgency,
)
from alima.care.errors import CareError, CareWarning
from alima.care.models import Consultation, ConsultationDiagnosis
from alima.care.rules import imci, malaria
from alima.care.schemas import CareFormRead, ConsultationCreate, ConsultationRead, DiagnosisRead
from alima.care.service import common
from alima.core.access import Actor
from alima.core.audit import snapshot
from alima.core.enums import AuditAction
from alima.core.errors import Conflict, CoreError, RuleViolation
from alima.core.i18n import get_locale, gettext
from alima.core.models import Patient
from alima.core.service.common import audit_event, dto, get_or_404
from alima.growth.muac import MuacBand
from alima.nutrition import service as nutrition_service

#: Children under this many months have a paediatric consultation (IMCI ages).
PAEDIATRIC_BELOW_MONTHS = 60

DANGER_COLUMNS: dict[DangerSign, str] = {
    DangerSign.UNABLE_TO_DRINK: "unable_to_drink",
    DangerSign.VOMITS_EVERYTHING: "vomits_everything",
    DangerSign.CONVULSIONS: "convulsions",
    DangerSign.LETHARGIC: "lethargic",
    DangerSign.CONVULSING_NOW: "convulsing_now",
}
AUDITED = (
    "consulted_on",
    "kind",
    "temperature_c",
    "breaths_per_minute",
    "urgency",
    "rdt_result",
    "malaria_treatment",
    "muac_mm",
    "referred",
)


def _signs(consultation: Consultation) -> list[DangerSign]:
    return [sign for sign, column in DANGER_COLUMNS.items() if getattr(consultation, column)]


def _warnings(consultation: Consultation) -> list[str]:
    classifications = set(consultation.classifications)
    severe = Classification.VERY_SEVERE_FEBRILE_DISEASE.value in classifications
    codes = [
        w.value
        for w in malaria.treatment_warnings(
            RdtResult(consultation.rdt_result),
            MalariaTreatment(consultation.malaria_treatment),
            fever=consultation.fever,
            severe=severe,
        )
    ]
    if consultation.urgency == Urgency.URGENT_REFERRAL.value and not consultation.referred:
        codes.append(CareWarning.CARE_W05.name)
    return [gettext(CareWarning[code].detail.message) for code in codes]


def consultation_read(consultation: Consultation) -> ConsultationRead:
    """The DTO of a consultation (diagnosis labels in the current language)."""
    catalogue = default_catalogue()
    locale = get_locale()
    patient = consultation.patient
    return dto(
        ConsultationRead,
        consultation,
        patient_identifier=patient.identifier,
        patient_name=common.patient_name(patient),
        place_code=consultation.place.code,
        place_name=consultation.place.name,
        fast_breathing_threshold=imci.fast_breathing_threshold(consultation.age_months),
        danger_signs=_signs(consultation),
        muac_band=MuacBand(consultation.muac_band) if consultation.muac_band else None,
        diagnoses=[
            DiagnosisRead(code=d.icd10, label=catalogue.diagnosis_label(d.icd10, locale))
            for d in consultation.diagnoses
        ],
        warnings=_warnings(consultation),
        deleted=consultation.deleted_at is not None,
    )


def _check_diagnoses(codes: list[str]) -> None:
    known = default_catalogue().diagnosis_codes()
    for code in codes:
        if code not in known:
            raise RuleViolation(CareError.CARE_004, code=code, field="diagnoses")
    if len(set(codes)) != len(codes):
        raise RuleViolation(CareError.CARE_016, field="diagnoses")


def consultation_form(session: Session, patient_id: uuid.UUID, *, actor: Actor) -> CareFormRead:
    """The patient and places for the consultation form (audited read)."""
    return common.care_form(session, patient_id, actor=actor, form="consultation")


def record_consultation(
    session: Session, data: ConsultationCreate, *, actor: Actor
) -> ConsultationRead:
    """Record a consultation; IMCI triage is computed and stored with it.

    Refuses a child of 6-59 months without MUAC (every child under five is screened) and
    diagnoses outside the configured list; malaria inconsistencies come back as warnings.
    """
    return common.write_for_patient(
        session, actor, data, "consultation", _record_consultation, check=_check_consultation
    )


def _check_consultation(data: ConsultationCreate) -> None:
    _check_diagnoses(list(data.diagnoses))
    if data.referred and not data.referred_to:
        raise RuleViolation(CareError.CARE_015, field="referred_to")


def _record_consultation(
    session: Session, patient: Patient, data: ConsultationCreate, actor: Actor
) -> ConsultationRead:
    place = common.care_place(session, actor, data.place_code, patient)
    on = common.care_date(data.consulted_on, patient, "consulted_on")
    age = common.completed_months(patient.birth_date, on)
    if imci.muac_applies(age) and data.muac_mm is None:
        raise RuleViolation(CareError.CARE_001, field="muac_mm")
    signs = frozenset(data.danger_signs)
    result = imci.triage(
        imci.TriageFindings(
            age_months=age,
            danger_signs=signs,
            cough_or_difficult_breathing=data.cough,
            breaths_per_minute=data.breaths_per_minute,
            chest_indrawing=data.chest_indrawing,
            stridor=data.stridor,
            temperature_c=data.temperature_c,
            fever_history=data.fever_history,
            stiff_neck=data.stiff_neck,
            rdt=data.rdt_result,
            muac_mm=data.muac_mm,
            oedema=data.oedema,
        ),
        # MUAC colours from the country's protocol in force (docs/clinical-rules.md
        # §1, §9): one configured source with nutrition and community screening.
        imci.ImciSettings(muac_cutoffs=nutrition_service.muac_cutoffs(session, place, on)),
    )
    consultation = common.care_record(
        Consultation,
        data,
        patient,
        place,
        actor,
        consulted_on=on,
        kind=(
            ConsultationKind.PAEDIATRIC
            if age < PAEDIATRIC_BELOW_MONTHS
            else ConsultationKind.GENERAL
        ).value,
        age_months=age,
        urgency=result.urgency.value,
        classifications=[c.value for c in result.classifications],
        actions=[a.value for a in result.actions],
        fast_breathing=result.fast_breathing,
        fever=result.fever,
        muac_band=result.muac_band.value if result.muac_band else None,
        **{column: sign in signs for sign, column in DANGER_COLUMNS.items()},
    )
    session.add(consultation)
    try:
        session.flush()
        for rank, code in enumerate(data.diagnoses, start=1):
            session.add(
                ConsultationDiagnosis(
                    consultation_id=consultation.id,
                    consultation=consultation,
                    rank=rank,
                    icd10=code,
                )
            )
        session.flush()
    except IntegrityError as exc:
        raise Conflict(CoreError.CORE_009) from exc
    after = snapshot(consultation, AUDITED)
    audit_event(session, actor, AuditAction.CREATE, "consultation", consultation, after=after)
    return consultation_read(consultation)


def get_consultation(
    session: Session, consultation_id: uuid.UUID, *, actor: Actor
) -> ConsultationRead:
    """Open a consultation; the read or the refused attempt is audited."""
    return get_or_404(
        session,
        actor,
        consultation_id,
        find=repository.find_consultation,
        read=consultation_read,
        entity_type="consultation",
    )
