"""Error and warning catalogue of care (``CARE_001`` ...; warnings ``CARE_W01`` ...)."""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class CareError(ErrorCode):
    """Errors of consultations, maternal health, surgery and mobile clinics."""

    CARE_001 = Detail(
        "MUAC required", N_("Measure the MUAC: it is required for every child aged 6 to 59 months.")
    )
    CARE_002 = Detail("date in future", N_("The date cannot be in the future."))
    CARE_003 = Detail("date before birth", N_("The date is before the patient's date of birth."))
    CARE_004 = Detail("unknown diagnosis", N_("{code} is not in the list of diagnoses."))
    CARE_005 = Detail("unknown procedure", N_("{code} is not in the list of procedures."))
    CARE_006 = Detail(
        "caesarean outside facility",
        N_("A caesarean or assisted delivery can only take place in a health facility."),
    )
    CARE_007 = Detail(
        "skilled attendant required",
        N_("A caesarean or assisted delivery needs a doctor, midwife or nurse."),
    )
    CARE_008 = Detail("babies", N_("A delivery has between 1 and 6 babies."))
    CARE_009 = Detail(
        "not a woman", N_("Antenatal, delivery and postnatal records are for women only.")
    )
    CARE_010 = Detail(
        "not a displacement site", N_("Choose a displacement site for a mobile-clinic session.")
    )
    CARE_011 = Detail("not a mobile clinic", N_("Choose a mobile clinic team."))
    CARE_012 = Detail(
        "not a service point", N_("Choose a health facility, mobile clinic or displacement site.")
    )
    CARE_013 = Detail(
        "delivery of another patient", N_("This delivery belongs to another patient.")
    )
    CARE_014 = Detail(
        "postnatal before birth",
        N_("The postnatal visit cannot be before the delivery ({delivered_on})."),
    )
    CARE_015 = Detail("referral destination required", N_("Say where the patient is referred to."))
    CARE_016 = Detail("duplicate diagnosis", N_("Each diagnosis may be given only once."))
    CARE_017 = Detail(
        "implausible age for a maternal record",
        N_(
            "Antenatal, delivery and postnatal records are for women aged {min_years} to "
            "{max_years} years; this patient is {age_years}. Check the patient and her date "
            "of birth."
        ),
    )
    CARE_018 = Detail(
        "delivery and antenatal dates contradict",
        N_(
            "An antenatal visit of this pregnancy is dated after the delivery. Check the dates "
            "of the delivery and of the antenatal visits."
        ),
    )
    CARE_020 = Detail(
        "newborn cannot be registered",
        N_(
            "Only a baby born alive, whose sex is recorded and who is not yet registered, can "
            "be registered from a delivery."
        ),
    )
    CARE_019 = Detail(
        "gestational ages contradict",
        N_(
            "This gestational age does not match the earlier antenatal visits of this pregnancy "
            "(more than {days} days apart). Check the weeks of pregnancy and the dates."
        ),
    )


class CareWarning(ErrorCode):
    """Data-quality warnings: shown with the saved record, never refused."""

    CARE_W01 = Detail(
        "ACT without positive test", N_("An ACT was given without a positive malaria test.")
    )
    CARE_W02 = Detail(
        "positive test not treated",
        N_("The malaria test is positive but no antimalarial was given."),
    )
    CARE_W03 = Detail("fever not tested", N_("Fever without a malaria test: do the rapid test."))
    CARE_W04 = Detail(
        "severe without artesunate", N_("Severe febrile illness: give artesunate before referral.")
    )
    CARE_W05 = Detail(
        "urgent referral not recorded",
        N_("The triage calls for urgent referral, but no referral is recorded."),
    )
