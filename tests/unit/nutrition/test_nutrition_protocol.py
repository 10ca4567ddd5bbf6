"""Protocol data: the packaged TOML files, their validation, and per-country overrides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from alima.core.errors import NotFound, RuleViolation
from alima.nutrition.enums import Band, Oedema, ProtocolKind, Severity, StepDown
from alima.nutrition.errors import NutritionError
from alima.nutrition.protocol import (
    FixedDose,
    KcalPerKgDose,
    ProtocolDefinition,
    WeightTableDose,
    apply_overrides,
    available_protocols,
    load_protocol,
    parse_protocol,
)
from tests.unit.nutrition.builders import COMPAS, OPTIMA, STANDARD


def test_packaged_protocols() -> None:
    assert [(p.code, p.version, p.kind) for p in available_protocols()] == [
        ("compas", "1.0", ProtocolKind.COMPAS),
        ("optima", "1.0", ProtocolKind.OPTIMA),
        ("standard-who-2013", "1.1", ProtocolKind.STANDARD),
    ]


def test_load_latest_and_exact_version() -> None:
    assert load_protocol("optima") is load_protocol("optima", "1.0")


@pytest.mark.parametrize(
    ("code", "version"),
    [("optima", "9.9"), ("who-1999", None)],
    ids=["unknown-version", "unknown-code"],
)
def test_load_unknown(code: str, version: str | None) -> None:
    with pytest.raises(NotFound) as caught:
        load_protocol(code, version)
    assert caught.value.code is NutritionError.NUT_017


def _dose_value(p: ProtocolDefinition, band: Band) -> object:
    dose = p.band_rule(band).dose
    if isinstance(dose, KcalPerKgDose):
        return dose.kcal_per_kg_day
    if isinstance(dose, FixedDose):
        return (dose.product.value, dose.sachets_per_day)
    return (dose.product.value, "table")


# The values of docs/clinical-rules.md §1-4 as packaged (CONFIRMED rows).
@pytest.mark.parametrize(
    ("p", "band", "muac_below_mm", "interval_days", "dose"),
    [
        (OPTIMA, Band.SEVERE, 115, 7, 170),
        (OPTIMA, Band.MODERATE_LOW, 120, 7, 125),
        (OPTIMA, Band.MODERATE_HIGH, 125, 7, 75),
        (COMPAS, Band.SEVERE, 115, 7, ("rutf", Decimal(2))),
        (COMPAS, Band.MODERATE, 125, 14, ("rutf", Decimal(1))),
        (STANDARD, Band.SEVERE, 115, 7, ("rutf", "table")),
        (STANDARD, Band.MODERATE, 125, 14, ("rusf", Decimal(1))),
    ],
    ids=[
        "optima-severe-170",
        "optima-115-119-125",
        "optima-120-124-75",
        "compas-severe-2-sachets",
        "compas-moderate-1-sachet",
        "standard-sam-rutf-table",
        "standard-mam-rusf-1",
    ],
)
def test_packaged_bands(
    p: ProtocolDefinition, band: Band, muac_below_mm: int, interval_days: int, dose: object
) -> None:
    rule = p.band_rule(band)
    assert (rule.muac_below_mm, rule.visit_interval_days, _dose_value(p, band)) == (
        muac_below_mm,
        interval_days,
        dose,
    )


@pytest.mark.parametrize("p", [OPTIMA, COMPAS, STANDARD], ids=["optima", "compas", "standard"])
def test_shared_values(p: ProtocolDefinition) -> None:
    cases, cure = p.case_definition, p.exit.cure
    assert (cases.sam_muac_below_mm, cases.mam_muac_below_mm) == (115, 125)
    assert (cases.sam_whz_below, cases.mam_whz_below) == (-3.0, -2.0)
    assert (p.eligibility.age_min_months, p.eligibility.age_max_months) == (6, 59)
    assert p.products.rutf.kcal_per_sachet == 500
    assert p.admission.refer_oedema_from is Oedema.PLUS3
    assert p.admission.amoxicillin_for == (Severity.SAM,)
    assert (cure.muac_min_mm, cure.consecutive_visits) == (125, 2)
    assert p.exit.default_after_missed_visits == 2
    assert p.exit.relapse_window_days == 60
    assert p.exit.non_responder_weeks == 12
    assert p.uncertain


@pytest.mark.parametrize(
    ("p", "use_whz", "step_down", "min_stay_days", "oedema_free_days"),
    [
        (OPTIMA, False, StepDown.EACH_VISIT, 28, 0),
        (COMPAS, False, StepDown.AFTER_CONSECUTIVE, 0, 0),
        (STANDARD, True, StepDown.NEVER, 0, 14),
    ],
    ids=["optima", "compas", "standard"],
)
def test_protocol_specific_values(
    p: ProtocolDefinition,
    use_whz: bool,
    step_down: StepDown,
    min_stay_days: int,
    oedema_free_days: int,
) -> None:
    assert p.admission.use_whz is use_whz
    assert p.dosing.step_down is step_down
    assert p.exit.cure.min_stay_days == min_stay_days
    assert p.exit.cure.oedema_free_days == oedema_free_days


def test_standard_table_is_marked_as_an_example() -> None:
    dose = STANDARD.band_rule(Band.SEVERE).dose
    assert isinstance(dose, WeightTableDose)
    assert dose.example_only
    assert "bands.severe.dose.table" in STANDARD.uncertain


@pytest.mark.parametrize("p", [OPTIMA, COMPAS, STANDARD], ids=["optima", "compas", "standard"])
def test_round_trip_through_data(p: ProtocolDefinition) -> None:
    data = p.model_dump()
    assert isinstance(data["bands"], dict)  # TOML shape: bands keyed by code
    assert parse_protocol(data) == p
    assert parse_protocol(p.model_dump(mode="json")).fingerprint() == p.fingerprint()


def test_fingerprints() -> None:
    prints = {p.fingerprint() for p in available_protocols()}
    assert len(prints) == 3
    assert all(len(f) == 64 for f in prints)
    assert OPTIMA.fingerprint() == load_protocol("optima").fingerprint()


def test_severity_of_bands() -> None:
    assert [OPTIMA.severity_of(b.code) for b in OPTIMA.bands] == [
        Severity.SAM,
        Severity.MAM,
        Severity.MAM,
    ]
    assert OPTIMA.least_severe_band is Band.MODERATE_HIGH
    assert COMPAS.least_severe_band is Band.MODERATE


def test_band_not_in_protocol() -> None:
    with pytest.raises(RuleViolation) as caught:
        COMPAS.band_rule(Band.MODERATE_LOW)
    assert caught.value.code is NutritionError.NUT_022


# -- overrides ---------------------------------------------------------------------------


def test_override_one_dose() -> None:
    country = apply_overrides(OPTIMA, {"bands": {"severe": {"dose": {"kcal_per_kg_day": 175}}}})
    dose = country.band_rule(Band.SEVERE).dose
    assert isinstance(dose, KcalPerKgDose)
    assert dose.kcal_per_kg_day == 175
    assert country.overridden == ("bands.severe.dose.kcal_per_kg_day",)
    assert country.band_rule(Band.MODERATE_LOW) == OPTIMA.band_rule(Band.MODERATE_LOW)
    assert (country.code, country.version) == (OPTIMA.code, OPTIMA.version)
    assert country.fingerprint() != OPTIMA.fingerprint()
    assert OPTIMA.overridden == ()  # the base is untouched


def test_override_settings_accumulate() -> None:
    once = apply_overrides(OPTIMA, {"exit": {"default_after_missed_visits": 3}})
    twice = apply_overrides(once, {"exit": {"non_responder_weeks": 16}})
    assert (twice.exit.default_after_missed_visits, twice.exit.non_responder_weeks) == (3, 16)
    assert twice.overridden == ("exit.default_after_missed_visits", "exit.non_responder_weeks")


def test_override_with_same_value_changes_nothing() -> None:
    same = apply_overrides(OPTIMA, {"code": "optima", "exit": {"relapse_window_days": 60}})
    assert same == OPTIMA


def test_override_replaces_a_table() -> None:
    table = [
        {"weight_min_kg": 4.6, "sachets_per_day": 2},
        {"weight_min_kg": 5.7, "sachets_per_day": 2.5},
    ]
    country = apply_overrides(
        STANDARD, {"bands": {"severe": {"dose": {"table": table, "example_only": False}}}}
    )
    dose = country.band_rule(Band.SEVERE).dose
    assert isinstance(dose, WeightTableDose)
    assert [row.weight_min_kg for row in dose.table] == [Decimal("4.6"), Decimal("5.7")]
    assert not dose.example_only


def test_override_changes_a_dose_method() -> None:
    country = apply_overrides(
        OPTIMA,
        {
            "bands": {
                "moderate_high": {
                    "dose": {"method": "fixed", "product": "rutf", "sachets_per_day": 1}
                }
            }
        },
    )
    assert isinstance(country.band_rule(Band.MODERATE_HIGH).dose, FixedDose)
    assert country.overridden == ("bands.moderate_high.dose",)


def test_override_two_programme_standard() -> None:
    country = apply_overrides(STANDARD, {"dosing": {"step_down": "after_consecutive"}})
    assert country.dosing.step_down is StepDown.AFTER_CONSECUTIVE


@pytest.mark.parametrize(
    ("base", "overrides", "mentions"),
    [
        (OPTIMA, {"exit": {"grace_days": 3}}, "exit.grace_days"),
        (OPTIMA, {"bands": {"severe": {"dose": {"kcal_per_kg_day": -5}}}}, "kcal_per_kg_day"),
        (OPTIMA, {"bands": {"moderate_high": {"dose": {"kcal_per_kg_day": 200}}}}, "must not rise"),
        (OPTIMA, {"bands": {"moderate_low": {"muac_below_mm": 126}}}, "sorted"),
        (OPTIMA, {"bands": {"severe": {"muac_below_mm": 112}}}, "straddle"),
        (OPTIMA, {"bands": {"moderate_high": {"muac_below_mm": 130}}}, "mam_muac_below_mm"),
        (OPTIMA, {"bands": {"normal": {"muac_below_mm": 130}}}, "bands"),
        (OPTIMA, {"bands": {"severe": 3}}, "must be a table"),
        (OPTIMA, {"code": "optima-ml"}, "code"),
        (OPTIMA, {"version": "2.0"}, "version"),
        (OPTIMA, {"kind": "compas"}, "kind"),
        (OPTIMA, {"overridden": ["exit"]}, "overridden"),
        (OPTIMA, {"dosing": {"rounding": "bankers"}}, "rounding"),
        (OPTIMA, {"admission": {"refer_oedema_from": "none"}}, "refer_oedema_from"),
        (OPTIMA, {"eligibility": {"age_min_months": 24, "age_max_months": 12}}, "age_min_months"),
        (OPTIMA, {"case_definition": {"sam_whz_below": -1.0}}, "sam_whz_below"),
        (OPTIMA, {"uncertain": ["exit.nowhere"]}, "exit.nowhere"),
        (COMPAS, {"bands": {"moderate": {"dose": {"sachets_per_day": 0}}}}, "sachets_per_day"),
        (COMPAS, {"bands": {"moderate": {"dose": {"sachets_per_day": 3}}}}, "must not rise"),
        (COMPAS, {"bands": {"moderate": {"dose": {"product": "rusf"}}}}, "products.rusf"),
        (COMPAS, {"bands": {"moderate": {"visit_interval_days": 0}}}, "visit_interval_days"),
        (
            STANDARD,
            {
                "bands": {
                    "severe": {
                        "dose": {
                            "table": [
                                {"weight_min_kg": 5, "sachets_per_day": 2},
                                {"weight_min_kg": 4, "sachets_per_day": 3},
                            ]
                        }
                    }
                }
            },
            "strictly increasing weight_min_kg",
        ),
        (STANDARD, {"bands": {"moderate": {"whz_below": -3.5}}}, "whz_below"),
        (STANDARD, {"alerts": {"fever_from_c": 34.0}}, "fever_from_c"),
        (STANDARD, {"plausibility": {"muac_confirm_below_mm": 250}}, "MUAC limits"),
    ],
    ids=[
        "unknown-key",
        "negative-dose",
        "dose-rises-with-muac",
        "bands-unsorted",
        "band-straddles-sam-cutoff",
        "last-band-not-at-mam-cutoff",
        "normal-is-not-a-band",
        "band-not-a-table",
        "identity-code",
        "identity-version",
        "identity-kind",
        "identity-overridden",
        "unknown-rounding",
        "referral-grade-none",
        "ages-reversed",
        "whz-cutoffs-reversed",
        "uncertain-path-unknown",
        "zero-sachets",
        "fixed-dose-rises",
        "rusf-not-defined",
        "visit-interval-zero",
        "weight-table-unsorted",
        "whz-bands-unsorted",
        "fever-below-hypothermia",
        "muac-limits-unordered",
    ],
)
def test_invalid_override_is_refused(
    base: ProtocolDefinition, overrides: dict[str, object], mentions: str
) -> None:
    with pytest.raises(RuleViolation) as caught:
        apply_overrides(base, overrides)
    assert caught.value.code is NutritionError.NUT_018
    assert mentions in str(caught.value.context["errors"])


def test_overrides_must_be_a_table() -> None:
    with pytest.raises(RuleViolation) as caught:
        apply_overrides(OPTIMA, ["exit"])  # type: ignore[arg-type]  # JSON from the database may be anything
    assert caught.value.code is NutritionError.NUT_018


def test_protocol_is_immutable() -> None:
    with pytest.raises(ValueError, match="frozen"):
        OPTIMA.exit.cure.min_stay_days = 0  # type: ignore[misc]  # the point of the test
