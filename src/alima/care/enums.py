"""Categories of care records, stored and posted as short, stable ASCII strings.

A value is what the database column holds and what a form posts, so it never changes after
release. Human labels live in ``alima.core.labels`` (the ``label`` template filter).
"""

from __future__ import annotations

from enum import StrEnum


class ConsultationKind(StrEnum):
    """General (5 years and older) or paediatric (under 5, IMCI) consultation."""

    GENERAL = "general"
    PAEDIATRIC = "paediatric"


class DangerSign(StrEnum):
    """IMCI general danger signs (WHO IMCI 2014 module 1; docs/clinical-rules.md §9)."""

    UNABLE_TO_DRINK = "unable_to_drink"
    VOMITS_EVERYTHING = "vomits_everything"
    CONVULSIONS = "convulsions"
    LETHARGIC = "lethargic"
    CONVULSING_NOW = "convulsing_now"


class Urgency(StrEnum):
    """IMCI colour rows: pink (urgent referral), yellow (specific treatment), green (home care)."""

    URGENT_REFERRAL = "urgent_referral"
    TREAT = "treat"
    HOME_CARE = "home_care"


class Classification(StrEnum):
    """IMCI classifications the triage can reach."""

    VERY_SEVERE_DISEASE = "very_severe_disease"
    SEVERE_PNEUMONIA = "severe_pneumonia"
    PNEUMONIA = "pneumonia"
    COUGH_OR_COLD = "cough_or_cold"
    VERY_SEVERE_FEBRILE_DISEASE = "very_severe_febrile_disease"
    MALARIA = "malaria"
    FEVER_NO_MALARIA = "fever_no_malaria"
    FEVER_TEST_NEEDED = "fever_test_needed"
    COMPLICATED_SAM = "complicated_sam"
    UNCOMPLICATED_SAM = "uncomplicated_sam"
    MAM = "mam"


class Action(StrEnum):
    """What the triage asks the clinician to do now."""

    REFER_URGENTLY = "refer_urgently"
    PRE_REFERRAL_ANTIBIOTIC = "pre_referral_antibiotic"
    PRE_REFERRAL_ARTESUNATE = "pre_referral_artesunate"
    GIVE_AMOXICILLIN = "give_amoxicillin"
    DO_MALARIA_TEST = "do_malaria_test"
    GIVE_ACT = "give_act"
    MEASURE_MUAC = "measure_muac"
    ADMIT_NUTRITION = "admit_nutrition"
    REFER_STABILISATION = "refer_stabilisation"
    HOME_CARE_ADVICE = "home_care_advice"


class RdtResult(StrEnum):
    """Malaria rapid diagnostic test."""

    NOT_DONE = "rdt_not_done"
    POSITIVE = "rdt_positive"
    NEGATIVE = "rdt_negative"
    INVALID = "rdt_invalid"


class MalariaTreatment(StrEnum):
    """Antimalarial given at the consultation."""

    NONE = "no_antimalarial"
    ACT = "act"
    ARTESUNATE = "artesunate"


class AncFlag(StrEnum):
    """Findings at an antenatal visit that need attention (computed, never typed)."""

    HIGH_BLOOD_PRESSURE = "high_blood_pressure"
    LOW_MUAC = "low_muac_pregnancy"
    FEVER = "fever_pregnancy"
    LATE_FIRST_VISIT = "late_first_visit"


class DeliverySetting(StrEnum):
    """Where the birth took place."""

    FACILITY = "facility"
    HOME = "home"
    ON_THE_WAY = "on_the_way"


class Attendant(StrEnum):
    """Who assisted the delivery."""

    DOCTOR = "doctor"
    MIDWIFE = "midwife"
    NURSE = "nurse"
    MATRON = "matron"
    TRADITIONAL_ATTENDANT = "traditional_attendant"
    RELATIVE = "relative"
    NOBODY = "nobody"


class DeliveryMode(StrEnum):
    """How the baby was born."""

    SPONTANEOUS_VAGINAL = "spontaneous_vaginal"
    ASSISTED_VAGINAL = "assisted_vaginal"
    CAESAREAN = "caesarean"


class MotherOutcome(StrEnum):
    """The mother's state when the delivery record is closed."""

    WELL = "mother_well"
    REFERRED = "mother_referred"
    DIED = "mother_died"


class NewbornOutcome(StrEnum):
    """Each baby's outcome at birth (stillbirths fresh or macerated, WHO definitions)."""

    LIVE_BIRTH = "live_birth"
    FRESH_STILLBIRTH = "fresh_stillbirth"
    MACERATED_STILLBIRTH = "macerated_stillbirth"
    EARLY_NEONATAL_DEATH = "early_neonatal_death"


class PostnatalStatus(StrEnum):
    """State of the mother or the newborn at a postnatal visit."""

    WELL = "pnc_well"
    NEEDS_CARE = "pnc_needs_care"
    REFERRED = "pnc_referred"
    DIED = "pnc_died"


class SurgeryIndication(StrEnum):
    """Broad reason for an emergency operation."""

    OBSTETRIC = "obstetric"
    TRAUMA = "trauma"
    ACUTE_ABDOMEN = "acute_abdomen"
    INFECTION = "infection"
    OTHER_INDICATION = "other_indication"


class Anaesthesia(StrEnum):
    """Anaesthesia used."""

    GENERAL = "general_anaesthesia"
    SPINAL = "spinal_anaesthesia"
    KETAMINE = "ketamine"
    LOCAL = "local_anaesthesia"


class SurgeryOutcome(StrEnum):
    """State of the patient when the log entry is closed."""

    RECOVERING = "recovering"
    DISCHARGED = "discharged"
    REFERRED = "surgery_referred"
    DIED = "surgery_died"


class MobileService(StrEnum):
    """Services a mobile-clinic session may give at a site."""

    CONSULTATIONS = "consultations"
    NUTRITION_SCREENING = "nutrition_screening"
    NUTRITION_TREATMENT = "nutrition_treatment"
    ANTENATAL_CARE = "antenatal_care"
    VACCINATION = "vaccination"
    MALARIA_TESTING = "malaria_testing"
    HEALTH_PROMOTION = "health_promotion"
    REFERRALS = "referrals"
