"""Malaria and maternal rules as tables."""

from datetime import date

import pytest

from alima.care.enums import (
    AncFlag,
    Attendant,
    DeliveryMode,
    DeliverySetting,
    MalariaTreatment,
    RdtResult,
)
from alima.care.rules.malaria import (
    MalariaWarning,
    expected_treatment,
    rdt_indicated,
    treatment_warnings,
)
from alima.care.rules.maternal import (
    DeliveryInconsistency,
    anc_flags,
    check_delivery,
    postnatal_day,
    skilled_attendant,
)

W = MalariaWarning


@pytest.mark.parametrize(
    ("rdt", "severe", "treatment"),
    [
        (RdtResult.POSITIVE, False, MalariaTreatment.ACT),
        (RdtResult.POSITIVE, True, MalariaTreatment.ARTESUNATE),
        (RdtResult.NOT_DONE, True, MalariaTreatment.ARTESUNATE),
        (RdtResult.NEGATIVE, True, MalariaTreatment.NONE),
        (RdtResult.NEGATIVE, False, MalariaTreatment.NONE),
        (RdtResult.NOT_DONE, False, MalariaTreatment.NONE),
    ],
)
def test_expected_treatment(rdt: RdtResult, severe: bool, treatment: MalariaTreatment) -> None:
    assert expected_treatment(rdt, severe=severe) is treatment


@pytest.mark.parametrize(
    ("rdt", "treatment", "fever", "severe", "warnings"),
    [
        (RdtResult.POSITIVE, MalariaTreatment.ACT, True, False, ()),
        (RdtResult.NEGATIVE, MalariaTreatment.ACT, True, False, (W.ACT_WITHOUT_POSITIVE_TEST,)),
        (
            RdtResult.NOT_DONE,
            MalariaTreatment.ACT,
            True,
            False,
            (W.FEVER_NOT_TESTED, W.ACT_WITHOUT_POSITIVE_TEST),
        ),
        (RdtResult.POSITIVE, MalariaTreatment.NONE, False, False, (W.POSITIVE_NOT_TREATED,)),
        (RdtResult.POSITIVE, MalariaTreatment.ACT, True, True, (W.SEVERE_WITHOUT_ARTESUNATE,)),
        (RdtResult.POSITIVE, MalariaTreatment.ARTESUNATE, True, True, ()),
        (RdtResult.NEGATIVE, MalariaTreatment.NONE, True, False, ()),
    ],
    ids=[
        "ok",
        "act-negative",
        "act-untested",
        "positive-untreated",
        "severe-act",
        "severe-ok",
        "neg",
    ],
)
def test_treatment_warnings(
    rdt: RdtResult,
    treatment: MalariaTreatment,
    fever: bool,
    severe: bool,
    warnings: tuple[MalariaWarning, ...],
) -> None:
    assert treatment_warnings(rdt, treatment, fever=fever, severe=severe) == warnings


def test_every_fever_is_tested() -> None:
    assert rdt_indicated(fever=True)
    assert not rdt_indicated(fever=False)


@pytest.mark.parametrize(
    ("kwargs", "flags"),
    [
        ({}, ()),
        ({"systolic_mmhg": 140}, (AncFlag.HIGH_BLOOD_PRESSURE,)),
        ({"systolic_mmhg": 139, "diastolic_mmhg": 89}, ()),
        ({"diastolic_mmhg": 90}, (AncFlag.HIGH_BLOOD_PRESSURE,)),
        ({"muac_mm": 229}, (AncFlag.LOW_MUAC,)),
        ({"muac_mm": 230}, ()),
        ({"temperature_c": 37.5}, (AncFlag.FEVER,)),
        ({"visit_number": 1, "gestational_age_weeks": 13}, (AncFlag.LATE_FIRST_VISIT,)),
        ({"visit_number": 1, "gestational_age_weeks": 12}, ()),
        ({"visit_number": 2, "gestational_age_weeks": 30}, ()),
    ],
    ids=["none", "sys140", "139/89", "dia90", "muac229", "muac230", "fever", "late", "12w", "anc2"],
)
def test_anc_flags(kwargs: dict[str, int | float], flags: tuple[AncFlag, ...]) -> None:
    values: dict[str, int | float | None] = {
        "visit_number": 2,
        "gestational_age_weeks": None,
        "systolic_mmhg": None,
        "diastolic_mmhg": None,
        "muac_mm": None,
        "temperature_c": None,
    }
    values.update(kwargs)
    assert anc_flags(**values) == flags  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("setting", "attendant", "mode", "babies", "field"),
    [
        (DeliverySetting.FACILITY, Attendant.MIDWIFE, DeliveryMode.CAESAREAN, 1, None),
        (DeliverySetting.HOME, Attendant.RELATIVE, DeliveryMode.SPONTANEOUS_VAGINAL, 2, None),
        (DeliverySetting.HOME, Attendant.DOCTOR, DeliveryMode.CAESAREAN, 1, "mode"),
        (DeliverySetting.FACILITY, Attendant.MATRON, DeliveryMode.ASSISTED_VAGINAL, 1, "attendant"),
        (
            DeliverySetting.FACILITY,
            Attendant.MIDWIFE,
            DeliveryMode.SPONTANEOUS_VAGINAL,
            0,
            "babies",
        ),
        (
            DeliverySetting.FACILITY,
            Attendant.MIDWIFE,
            DeliveryMode.SPONTANEOUS_VAGINAL,
            7,
            "babies",
        ),
    ],
    ids=["caesarean", "home-twins", "home-caesarean", "matron-vacuum", "no-baby", "seven"],
)
def test_delivery_consistency(
    setting: DeliverySetting,
    attendant: Attendant,
    mode: DeliveryMode,
    babies: int,
    field: str | None,
) -> None:
    if field is None:
        check_delivery(setting=setting, attendant=attendant, mode=mode, babies=babies)
    else:
        with pytest.raises(DeliveryInconsistency) as caught:
            check_delivery(setting=setting, attendant=attendant, mode=mode, babies=babies)
        assert caught.value.field == field


def test_skilled_attendants_and_postnatal_day() -> None:
    assert skilled_attendant(Attendant.MIDWIFE)
    assert not skilled_attendant(Attendant.TRADITIONAL_ATTENDANT)
    assert postnatal_day(date(2026, 1, 1), date(2026, 1, 3)) == 2
