"""The protocol's settings as frozen, validated pydantic models (one class per TOML table)."""

import hashlib
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from itertools import pairwise
from typing import Annotated, ClassVar, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from alima.core.errors import RuleViolation
from alima.nutrition.enums import (
    AdmissionCriterion,
    Band,
    CureIndicators,
    Oedema,
    Product,
    ProtocolKind,
    SachetRounding,
    Severity,
    StepDown,
)
from alima.nutrition.errors import NutritionError

T = TypeVar("T")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    #: Pairs of fields ``(low, high)``: ``low`` must not exceed ``high``.
    _not_above: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: Pairs of fields ``(low, high)``: ``low`` must be below ``high``.
    _below: ClassVar[tuple[tuple[str, str], ...]] = ()

    @model_validator(mode="after")
    def _ordered_pairs(self) -> Self:
        for low, high in self._not_above:
            _refuse_if(getattr(self, low) > getattr(self, high), f"{low} must not exceed {high}")
        for low, high in self._below:
            _refuse_if(getattr(self, low) >= getattr(self, high), f"{low} must be below {high}")
        return self


def _refuse_if(condition: bool, message: str) -> None:
    """Refuse the data being validated with ``message`` when ``condition`` holds."""
    if condition:
        raise ValueError(message)


def _refusing(wrong: Callable[[T], bool], message: str) -> AfterValidator:
    """A field's check: refuse a value for which ``wrong`` holds, with ``message``."""

    def check(value: T) -> T:
        _refuse_if(wrong(value), message)
        return value

    return AfterValidator(check)


class Eligibility(_Frozen):
    """Age range in completed months, both ends included (docs/clinical-rules.md §1: 6-59 months)."""

    age_min_months: int = Field(ge=0, le=60)
    age_max_months: int = Field(ge=0, le=60)
    _not_above = (("age_min_months", "age_max_months"),)


class CaseDefinition(_Frozen):
    """SAM and MAM cut-offs shared by all protocols (WHO 2013; docs/clinical-rules.md §1).

    SAM: MUAC below ``sam_muac_below_mm``, WHZ below ``sam_whz_below`` or any oedema.
    MAM: MUAC below ``mam_muac_below_mm`` or WHZ below ``mam_whz_below``, and not SAM.
    """

    sam_muac_below_mm: int = Field(gt=0, le=300)
    mam_muac_below_mm: int = Field(gt=0, le=300)
    sam_whz_below: float = Field(ge=-10, le=0)
    mam_whz_below: float = Field(ge=-10, le=0)
    _below = (("sam_muac_below_mm", "mam_muac_below_mm"), ("sam_whz_below", "mam_whz_below"))


class AmoxicillinRegimen(_Frozen):
    """Systematic amoxicillin at admission (FANTA-2 Table 5; national doses vary: UNCERTAIN)."""

    mg_per_kg_day_min: int = Field(gt=0, le=300)
    mg_per_kg_day_max: int = Field(gt=0, le=300)
    doses_per_day: int = Field(ge=1, le=6)
    days: int = Field(ge=1, le=30)
    _not_above = (("mg_per_kg_day_min", "mg_per_kg_day_max"),)


class AdmissionRules(_Frozen):
    """Who is admitted, who is referred, and what is given at admission (WHO 2013 rec 2-3)."""

    severities: tuple[Severity, ...] = Field(min_length=1)
    use_whz: bool
    appetite_test_for: tuple[Severity, ...]
    refer_oedema_from: Annotated[
        Oedema,
        _refusing(lambda grade: not grade.present, "refer_oedema_from must be an oedema grade"),
    ]
    amoxicillin_for: tuple[Severity, ...]
    amoxicillin: AmoxicillinRegimen


class ProductSpec(_Frozen):
    """One sachet of a product (92 g RUTF = 500 kcal: FANTA-2, en-net; docs/clinical-rules.md §2)."""

    kcal_per_sachet: int = Field(gt=0, le=2000)
    grams_per_sachet: int = Field(gt=0, le=1000)


class Products(_Frozen):
    """The products a protocol gives; RUSF only where a band uses it."""

    rutf: ProductSpec
    rusf: ProductSpec | None = None

    def spec(self, product: Product) -> ProductSpec:
        """The sachet of ``product`` (validation guarantees it is defined when a band uses it)."""
        spec = self.rutf if product is Product.RUTF else self.rusf
        if spec is None:
            msg = f"product {product} is not defined"
            raise ValueError(msg)
        return spec


class KcalPerKgDose(_Frozen):
    """Daily ration = ``kcal_per_kg_day`` x weight, in sachets (OptiMA; docs/clinical-rules.md §3.4 rule 1)."""

    method: Literal["kcal_per_kg"]
    product: Product
    kcal_per_kg_day: int = Field(gt=0, le=400)


class FixedDose(_Frozen):
    """A fixed number of sachets a day, whatever the weight (ComPAS; standard MAM RUSF)."""

    method: Literal["fixed"]
    product: Product
    sachets_per_day: Decimal = Field(gt=0, le=20)


class WeightRow(_Frozen):
    """One row of a weight-band table: from ``weight_min_kg`` up to the next row's minimum."""

    weight_min_kg: Decimal = Field(ge=0, le=100)
    sachets_per_day: Decimal = Field(gt=0, le=20)


class WeightTableDose(_Frozen):
    """Sachets a day looked up by weight (standard SAM; a country's printed table)."""

    method: Literal["weight_table"]
    product: Product
    #: True when the table is a format example that the country's own table must replace.
    example_only: bool = False
    #: The energy range the table must give at every weight of every row, in kcal/kg/day
    #: (WHO 2013: 150-220 for SAM outpatients; docs/clinical-rules.md §2). The formula
    #: kcal/kg/day x weight validates the printed table (§3.4 rule 1).
    kcal_per_kg_day_min: int = Field(gt=0, le=400)
    kcal_per_kg_day_max: int = Field(gt=0, le=400)
    table: tuple[WeightRow, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _sorted(self) -> Self:
        _refuse_if(
            self.kcal_per_kg_day_min > self.kcal_per_kg_day_max,
            "kcal_per_kg_day_min must not exceed kcal_per_kg_day_max",
        )
        for lower, upper in pairwise(self.table):
            _refuse_if(
                upper.weight_min_kg <= lower.weight_min_kg,
                "table rows must be sorted by strictly increasing weight_min_kg",
            )
            _refuse_if(
                upper.sachets_per_day < lower.sachets_per_day,
                "a heavier child must not get fewer sachets a day",
            )
        return self


Dose = Annotated[KcalPerKgDose | FixedDose | WeightTableDose, Field(discriminator="method")]


class BandRule(_Frozen):
    """One dose band: MUAC (and optionally WHZ) range, visit interval, and dose.

    A band covers MUAC from the previous band's ``muac_below_mm`` (included) to its own
    (excluded); oedema always falls in the first (most severe) band.
    """

    code: Annotated[
        Band, _refusing(lambda band: band is Band.NORMAL, "'normal' is not a dose band")
    ]
    muac_below_mm: int = Field(gt=0, le=300)
    whz_below: float | None = Field(default=None, ge=-10, le=0)
    visit_interval_days: int = Field(ge=1, le=60)
    dose: Dose


class DosingRules(_Frozen):
    """Rounding of computed rations and when the dose band may step down."""

    rounding: SachetRounding
    step_down: StepDown
    #: For ``after_consecutive``: visits in a less severe band before the dose steps down.
    step_down_visits: int = Field(ge=1, le=10)


class CureRule(_Frozen):
    """Anthropometric cure (docs/clinical-rules.md §2 discharge WHO 2013; §3.1 and §3.3 OptiMA, ComPAS)."""

    indicators: CureIndicators
    muac_min_mm: int = Field(gt=0, le=300)
    whz_min: float = Field(ge=-10, le=5)
    consecutive_visits: int = Field(ge=1, le=10)
    #: Days since oedema was last seen (0: only the consecutive visits must be oedema-free).
    oedema_free_days: int = Field(ge=0, le=120)
    min_stay_days: int = Field(ge=0, le=365)
    #: Indicator used for a child admitted on oedema alone, when ``indicators = "admission"``.
    oedema_only_indicator: Annotated[
        AdmissionCriterion,
        _refusing(
            lambda criterion: criterion is AdmissionCriterion.OEDEMA,
            "oedema_only_indicator must be muac or whz",
        ),
    ]


class ExitRules(_Frozen):
    """Cure, non-response, default and relapse (docs/clinical-rules.md §4)."""

    cure: CureRule
    non_responder_weeks: int = Field(ge=1, le=52)
    default_after_missed_visits: int = Field(ge=1, le=10)
    relapse_window_days: int = Field(ge=0, le=730)


class AlertRules(_Frozen):
    """Thresholds of the visit alerts."""

    weight_loss_min_kg: Decimal = Field(gt=0, le=5)
    weight_loss_refer_percent: Decimal = Field(gt=0, le=100)
    no_muac_gain_visits: int = Field(ge=1, le=12)
    new_oedema_refer: bool
    fever_from_c: float = Field(ge=35, le=42)
    high_fever_from_c: float = Field(ge=35, le=43)
    hypothermia_below_c: float = Field(ge=30, le=37)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        _refuse_if(
            not self.hypothermia_below_c < self.fever_from_c <= self.high_fever_from_c,
            "temperatures must satisfy hypothermia_below_c < fever_from_c <= high_fever_from_c",
        )
        return self


class PlausibilityLimits(_Frozen):
    """Hard input ranges (refuse) and usual ranges (hold for confirmation).

    MUAC 100-200 mm is the SMART raw-MUAC plausibility range (docs/clinical-rules.md §5.6); outside the
    refuse limits a value cannot be a child's arm. Weight 0.9-58 kg and length/height
    38-150 cm are the WHO anthro "plausible ranges" (docs/clinical-rules.md §5.3).
    """

    muac_refuse_below_mm: int = Field(gt=0, le=300)
    muac_confirm_below_mm: int = Field(gt=0, le=300)
    muac_confirm_above_mm: int = Field(gt=0, le=300)
    muac_refuse_above_mm: int = Field(gt=0, le=400)
    weight_refuse_below_kg: float = Field(gt=0, le=100)
    weight_refuse_above_kg: float = Field(gt=0, le=200)
    height_refuse_below_cm: float = Field(gt=0, le=200)
    height_refuse_above_cm: float = Field(gt=0, le=250)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        muac = (
            self.muac_refuse_below_mm,
            self.muac_confirm_below_mm,
            self.muac_confirm_above_mm,
            self.muac_refuse_above_mm,
        )
        _refuse_if(
            list(muac) != sorted(muac) or self.muac_confirm_below_mm >= self.muac_confirm_above_mm,
            "MUAC limits must be ordered: refuse below <= confirm below < confirm above <= refuse above",
        )
        _refuse_if(
            self.weight_refuse_below_kg >= self.weight_refuse_above_kg,
            "weight limits must be ordered",
        )
        _refuse_if(
            self.height_refuse_below_cm >= self.height_refuse_above_cm,
            "height limits must be ordered",
        )
        return self


class ProtocolDefinition(_Frozen):
    """A complete, consistent protocol: everything the rules need, and where it came from.

    In TOML and in ``model_dump()`` the bands are a table keyed by band code
    (``[bands.severe]``), so an override can change one band's value without restating the
    others; in Python they are a tuple, most severe first.
    """

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    version: str = Field(pattern=r"^[0-9]+(\.[0-9]+){0,3}$")
    kind: ProtocolKind
    title: str = Field(min_length=1, max_length=200)
    sources: tuple[str, ...] = Field(min_length=1)
    #: Dotted paths of settings tagged UNCERTAIN in docs/clinical-rules.md (to confirm per country).
    uncertain: tuple[str, ...] = ()
    #: Dotted paths changed by :func:`apply_overrides` (empty for a packaged protocol).
    overridden: tuple[str, ...] = ()
    eligibility: Eligibility
    case_definition: CaseDefinition
    admission: AdmissionRules
    products: Products
    dosing: DosingRules
    bands: tuple[BandRule, ...] = Field(min_length=1)
    exit: ExitRules
    alerts: AlertRules
    plausibility: PlausibilityLimits

    @field_validator("bands", mode="before")
    @classmethod
    def _bands_from_table(cls, value: object) -> object:
        if isinstance(value, Mapping):
            bands: list[object] = []
            for code, band in value.items():
                if not isinstance(band, Mapping):
                    msg = f"band {code} must be a table"
                    raise ValueError(msg)  # noqa: TRY004 - pydantic reports ValueError only
                bands.append({"code": code, **band})
            return bands
        return value

    @field_serializer("bands")
    def _bands_as_table(
        self, bands: tuple[BandRule, ...], info: SerializationInfo
    ) -> dict[str, object]:
        return {
            band.code.value: band.model_dump(mode=info.mode, exclude={"code"}) for band in bands
        }

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        self._check_bands()
        self._check_doses()
        data = self.model_dump()
        for path in (*self.uncertain, *self.overridden):
            _refuse_if(not _has_path(data, path), f"unknown setting path {path!r}")
        return self

    def _check_bands(self) -> None:
        codes = [band.code for band in self.bands]
        _refuse_if(len(set(codes)) != len(codes), "band codes must be unique")
        uppers = [band.muac_below_mm for band in self.bands]
        _refuse_if(
            any(b <= a for a, b in pairwise(uppers)),
            "bands must be sorted by strictly increasing muac_below_mm, most severe first",
        )
        cases = self.case_definition
        _refuse_if(
            uppers[-1] != cases.mam_muac_below_mm,
            "the last band must end at case_definition.mam_muac_below_mm",
        )
        _refuse_if(
            cases.sam_muac_below_mm not in uppers,
            "a band must end at case_definition.sam_muac_below_mm (no band may straddle SAM and MAM)",
        )
        whz = [band.whz_below for band in self.bands if band.whz_below is not None]
        _refuse_if(
            any(b <= a for a, b in pairwise(whz)),
            "whz_below must increase from the most severe band to the least",
        )
        _refuse_if(
            self.admission.use_whz
            and (
                self.bands[0].whz_below != cases.sam_whz_below
                or self.bands[-1].whz_below != cases.mam_whz_below
            ),
            "with use_whz, the first band's whz_below must be the SAM cut-off and the last band's the MAM cut-off",
        )

    def _check_doses(self) -> None:
        for band in self.bands:
            _refuse_if(
                band.dose.product is Product.RUSF and self.products.rusf is None,
                f"band {band.code} uses RUSF but products.rusf is not defined",
            )
        for severe, milder in pairwise(self.bands):
            a, b = severe.dose, milder.dose
            _refuse_if(
                (isinstance(a, KcalPerKgDose) and isinstance(b, KcalPerKgDose))
                and (b.kcal_per_kg_day > a.kcal_per_kg_day),
                "kcal_per_kg_day must not rise from a more severe band to a milder one",
            )
            _refuse_if(
                (isinstance(a, FixedDose) and isinstance(b, FixedDose))
                and (b.sachets_per_day > a.sachets_per_day),
                "sachets_per_day must not rise from a more severe band to a milder one",
            )

    def band_rule(self, band: Band) -> BandRule:
        """The rule of ``band``; a band the protocol does not define is refused (NUT_022)."""
        for rule in self.bands:
            if rule.code == band:
                return rule
        raise RuleViolation(
            NutritionError.NUT_022, band=band.value, code=self.code, version=self.version
        )

    def band_index(self, band: Band) -> int:
        """Position of ``band``: 0 is the most severe."""
        return self.bands.index(self.band_rule(band))

    def severity_of(self, band: Band) -> Severity:
        """SAM for a band ending at or below the SAM MUAC cut-off, MAM otherwise."""
        rule = self.band_rule(band)
        if rule.muac_below_mm <= self.case_definition.sam_muac_below_mm:
            return Severity.SAM
        return Severity.MAM

    @property
    def least_severe_band(self) -> Band:
        """The band whose dose a child keeps between a first cure measurement and discharge."""
        return self.bands[-1].code

    @property
    def version_key(self) -> tuple[int, ...]:
        """``version`` as numbers, for ordering ("1.10" after "1.9")."""
        return tuple(int(part) for part in self.version.split("."))

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON of every setting: records exactly what was applied.

        The ``sources`` (citations, where the figures come from) are documentation, not rules:
        they are left out, so re-wording a citation does not make a new version, while any
        change of a figure, band, threshold or label does.
        """
        settings = self.model_dump(mode="json", exclude={"sources"})
        canonical = json.dumps(settings, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _has_path(data: object, path: str) -> bool:
    node = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True
