"""CMAM protocols as versioned, validated, immutable data.

Why data and not code: ALIMA runs several protocols at once (standard, OptiMA, ComPAS), national
protocols override international ones, and several values are still UNCERTAIN
(docs/clinical-rules.md, design rule and §10). So every cut-off, dose, interval and exit rule lives in a
TOML file of ``alima/nutrition/protocols/``; a country may override any of it (stored as JSON
in the database and applied with :func:`apply_overrides`); and each admission records the
``code``, ``version`` and :meth:`ProtocolDefinition.fingerprint` that governed it.

Validation refuses inconsistent data (bands out of order, a band straddling the SAM cut-off,
doses that rise as MUAC rises, negative or zero doses, unknown keys, a weight-band table that
leaves its kcal/kg/day range), so a bad override is refused when it is saved, not when a child
is dosed. Each packaged version's fingerprint is pinned (:data:`PINNED_FINGERPRINTS`): a file
edited in place under an old version is refused at load.
"""

import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Annotated, Final, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from alima.core.errors import NotFound, RuleViolation
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

#: Where the packaged protocol files live (package resource, works from a wheel or a zip).
PROTOCOL_PACKAGE = "alima.nutrition"
PROTOCOL_DIRECTORY = "protocols"
#: Fields that identify a protocol: an override may not change them.
IDENTITY_FIELDS = frozenset({"code", "version", "kind", "overridden"})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Eligibility(_Frozen):
    """Age range in completed months, both ends included (docs/clinical-rules.md §1: 6-59 months)."""

    age_min_months: int = Field(ge=0, le=60)
    age_max_months: int = Field(ge=0, le=60)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.age_min_months > self.age_max_months:
            msg = "age_min_months must not exceed age_max_months"
            raise ValueError(msg)
        return self


class CaseDefinition(_Frozen):
    """SAM and MAM cut-offs shared by all protocols (WHO 2013; docs/clinical-rules.md §1).

    SAM: MUAC below ``sam_muac_below_mm``, WHZ below ``sam_whz_below`` or any oedema.
    MAM: MUAC below ``mam_muac_below_mm`` or WHZ below ``mam_whz_below``, and not SAM.
    """

    sam_muac_below_mm: int = Field(gt=0, le=300)
    mam_muac_below_mm: int = Field(gt=0, le=300)
    sam_whz_below: float = Field(ge=-10, le=0)
    mam_whz_below: float = Field(ge=-10, le=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.sam_muac_below_mm >= self.mam_muac_below_mm:
            msg = "sam_muac_below_mm must be below mam_muac_below_mm"
            raise ValueError(msg)
        if self.sam_whz_below >= self.mam_whz_below:
            msg = "sam_whz_below must be below mam_whz_below"
            raise ValueError(msg)
        return self


class AmoxicillinRegimen(_Frozen):
    """Systematic amoxicillin at admission (FANTA-2 Table 5; national doses vary: UNCERTAIN)."""

    mg_per_kg_day_min: int = Field(gt=0, le=300)
    mg_per_kg_day_max: int = Field(gt=0, le=300)
    doses_per_day: int = Field(ge=1, le=6)
    days: int = Field(ge=1, le=30)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.mg_per_kg_day_min > self.mg_per_kg_day_max:
            msg = "mg_per_kg_day_min must not exceed mg_per_kg_day_max"
            raise ValueError(msg)
        return self


class AdmissionRules(_Frozen):
    """Who is admitted, who is referred, and what is given at admission (WHO 2013 rec 2-3)."""

    severities: tuple[Severity, ...] = Field(min_length=1)
    use_whz: bool
    appetite_test_for: tuple[Severity, ...]
    refer_oedema_from: Oedema
    amoxicillin_for: tuple[Severity, ...]
    amoxicillin: AmoxicillinRegimen

    @field_validator("refer_oedema_from")
    @classmethod
    def _a_grade(cls, value: Oedema) -> Oedema:
        if not value.present:
            msg = "refer_oedema_from must be an oedema grade"
            raise ValueError(msg)
        return value


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
        if self.kcal_per_kg_day_min > self.kcal_per_kg_day_max:
            msg = "kcal_per_kg_day_min must not exceed kcal_per_kg_day_max"
            raise ValueError(msg)
        for lower, upper in pairwise(self.table):
            if upper.weight_min_kg <= lower.weight_min_kg:
                msg = "table rows must be sorted by strictly increasing weight_min_kg"
                raise ValueError(msg)
            if upper.sachets_per_day < lower.sachets_per_day:
                msg = "a heavier child must not get fewer sachets a day"
                raise ValueError(msg)
        return self


Dose = Annotated[KcalPerKgDose | FixedDose | WeightTableDose, Field(discriminator="method")]


class BandRule(_Frozen):
    """One dose band: MUAC (and optionally WHZ) range, visit interval, and dose.

    A band covers MUAC from the previous band's ``muac_below_mm`` (included) to its own
    (excluded); oedema always falls in the first (most severe) band.
    """

    code: Band
    muac_below_mm: int = Field(gt=0, le=300)
    whz_below: float | None = Field(default=None, ge=-10, le=0)
    visit_interval_days: int = Field(ge=1, le=60)
    dose: Dose

    @field_validator("code")
    @classmethod
    def _treatment_band(cls, value: Band) -> Band:
        if value is Band.NORMAL:
            msg = "'normal' is not a dose band"
            raise ValueError(msg)
        return value


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
    oedema_only_indicator: AdmissionCriterion

    @field_validator("oedema_only_indicator")
    @classmethod
    def _anthropometric(cls, value: AdmissionCriterion) -> AdmissionCriterion:
        if value is AdmissionCriterion.OEDEMA:
            msg = "oedema_only_indicator must be muac or whz"
            raise ValueError(msg)
        return value


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
        if not self.hypothermia_below_c < self.fever_from_c <= self.high_fever_from_c:
            msg = (
                "temperatures must satisfy hypothermia_below_c < fever_from_c <= high_fever_from_c"
            )
            raise ValueError(msg)
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
        if list(muac) != sorted(muac) or self.muac_confirm_below_mm >= self.muac_confirm_above_mm:
            msg = "MUAC limits must be ordered: refuse below <= confirm below < confirm above <= refuse above"
            raise ValueError(msg)
        if self.weight_refuse_below_kg >= self.weight_refuse_above_kg:
            msg = "weight limits must be ordered"
            raise ValueError(msg)
        if self.height_refuse_below_cm >= self.height_refuse_above_cm:
            msg = "height limits must be ordered"
            raise ValueError(msg)
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
            if not _has_path(data, path):
                msg = f"unknown setting path {path!r}"
                raise ValueError(msg)
        return self

    def _check_bands(self) -> None:
        codes = [band.code for band in self.bands]
        if len(set(codes)) != len(codes):
            msg = "band codes must be unique"
            raise ValueError(msg)
        uppers = [band.muac_below_mm for band in self.bands]
        if any(b <= a for a, b in pairwise(uppers)):
            msg = "bands must be sorted by strictly increasing muac_below_mm, most severe first"
            raise ValueError(msg)
        cases = self.case_definition
        if uppers[-1] != cases.mam_muac_below_mm:
            msg = "the last band must end at case_definition.mam_muac_below_mm"
            raise ValueError(msg)
        if cases.sam_muac_below_mm not in uppers:
            msg = "a band must end at case_definition.sam_muac_below_mm (no band may straddle SAM and MAM)"
            raise ValueError(msg)
        whz = [band.whz_below for band in self.bands if band.whz_below is not None]
        if any(b <= a for a, b in pairwise(whz)):
            msg = "whz_below must increase from the most severe band to the least"
            raise ValueError(msg)
        if self.admission.use_whz and (
            self.bands[0].whz_below != cases.sam_whz_below
            or self.bands[-1].whz_below != cases.mam_whz_below
        ):
            msg = "with use_whz, the first band's whz_below must be the SAM cut-off and the last band's the MAM cut-off"
            raise ValueError(msg)

    def _check_doses(self) -> None:
        for band in self.bands:
            if band.dose.product is Product.RUSF and self.products.rusf is None:
                msg = f"band {band.code} uses RUSF but products.rusf is not defined"
                raise ValueError(msg)
        for severe, milder in pairwise(self.bands):
            a, b = severe.dose, milder.dose
            if (isinstance(a, KcalPerKgDose) and isinstance(b, KcalPerKgDose)) and (
                b.kcal_per_kg_day > a.kcal_per_kg_day
            ):
                msg = "kcal_per_kg_day must not rise from a more severe band to a milder one"
                raise ValueError(msg)
            if (isinstance(a, FixedDose) and isinstance(b, FixedDose)) and (
                b.sachets_per_day > a.sachets_per_day
            ):
                msg = "sachets_per_day must not rise from a more severe band to a milder one"
                raise ValueError(msg)

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


def _validation_errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or '(root)'}: {error['msg']}"
        for error in exc.errors()
    )


def parse_protocol(data: Mapping[str, object]) -> ProtocolDefinition:
    """Validate protocol data (a parsed TOML file, or a base merged with overrides).

    Raises:
        RuleViolation: NUT_018 with every validation error, one ``path: message`` each.
    """
    try:
        definition = ProtocolDefinition.model_validate(data)
    except ValidationError as exc:
        raise RuleViolation(NutritionError.NUT_018, errors=_validation_errors(exc)) from exc
    _check_table_energy(definition)
    return definition


def _check_table_energy(p: ProtocolDefinition) -> None:
    """Refuse a weight-band table that leaves its kcal/kg/day range at any weight of a row.

    A row gives ``sachets x kcal per sachet`` from its ``weight_min_kg`` (the most kcal/kg)
    up to the next row's minimum (the least, approached from below); the last row is checked
    at its minimum. The formula is the validator of the printed table (docs/clinical-rules.md
    §3.4 rule 1; WHO 150-220 kcal/kg/day, §2).

    Raises:
        RuleViolation: NUT_033 naming the band, the weight and the kcal/kg/day found.
    """
    for band in p.bands:
        dose = band.dose
        if not isinstance(dose, WeightTableDose):
            continue
        kcal = Decimal(p.products.spec(dose.product).kcal_per_sachet)
        low, high = dose.kcal_per_kg_day_min, dose.kcal_per_kg_day_max
        rows = dose.table
        for index, row in enumerate(rows):
            given = row.sachets_per_day * kcal
            checks = [row.weight_min_kg]
            if index + 1 < len(rows):
                checks.append(rows[index + 1].weight_min_kg)
            for weight in checks:
                if weight <= 0:
                    continue
                per_kg = given / weight
                if not low <= per_kg <= high:
                    raise RuleViolation(
                        NutritionError.NUT_033,
                        band=band.code.value,
                        weight_kg=float(weight),
                        sachets=float(row.sachets_per_day),
                        kcal_per_kg=round(float(per_kg), 1),
                        min=low,
                        max=high,
                    )


#: The fingerprint of every protocol version ever packaged. A version has one content: a
#: packaged file whose fingerprint differs from its version's pin is refused at load, so an
#: edit in place cannot change the rules of open episodes; a changed protocol gets a new
#: version and a new pin here. Withdrawn versions stay pinned: the fingerprint an episode
#: recorded at admission still names exactly the settings that governed its admission.
PINNED_FINGERPRINTS: Final[Mapping[tuple[str, str], str]] = {
    ("compas", "1.0"): "e2dfa58c321abdb2b2acdfb5b7426f9e2b804209a8d5bddf4dea4d55775f3e3b",
    ("optima", "1.0"): "4ac152490dc7c19e7a0eb7d3372d78b4fdf673fe2672106e88c91a01694b711c",
    # Withdrawn: its (Afghanistan, format example) RUTF table gave 250 kcal/kg/day at 4.0 and
    # 5.0 kg, outside WHO's 150-220 (docs/clinical-rules.md §2). Its pin is what its episodes
    # recorded at admission (computed when citations were still part of the fingerprint).
    (
        "standard-who-2013",
        "1.0",
    ): "92769b8a98233f8838d883c73a33248c4a3a3a9c002aa98cd06081249742c2c6",
    (
        "standard-who-2013",
        "1.1",
    ): "31e5b7afdba06227b68e4b0a5812a0cb2646c9d58d0321d3d061a51c9802601f",
}

#: Versions withdrawn from the package, and the version that replaces them.
#:
#: Decision for episodes still open under a withdrawn version: they keep the code, version and
#: fingerprint recorded at admission (what governed the admission, still identifiable through
#: :data:`PINNED_FINGERPRINTS`), and their later visits follow the replacing version with the
#: episode's country overrides: a version is withdrawn because it is unsafe or outside its
#: source (standard 1.0: a ration above WHO's range), so no child keeps being dosed by it.
WITHDRAWN_VERSIONS: Final[Mapping[tuple[str, str], str]] = {
    ("standard-who-2013", "1.0"): "1.1",
}


class ProtocolIntegrityError(RuntimeError):
    """A packaged protocol file does not match the pinned fingerprint of its version."""


def load_packaged(
    files: Iterable[tuple[str, str]],
) -> dict[tuple[str, str], ProtocolDefinition]:
    """Parse packaged protocol files (name, TOML text) and check each against its pin.

    Raises:
        ProtocolIntegrityError: a version defined twice, not pinned, withdrawn, or whose
            content differs from its pinned fingerprint (edited in place).
    """
    registry: dict[tuple[str, str], ProtocolDefinition] = {}
    for name, text in files:
        definition = parse_protocol(tomllib.loads(text))
        key = (definition.code, definition.version)
        label = f"{name}: protocol {definition.code} {definition.version}"
        if key in registry:
            msg = f"{label} is defined twice"
            raise ProtocolIntegrityError(msg)
        if key in WITHDRAWN_VERSIONS:
            msg = f"{label} was withdrawn (replaced by {WITHDRAWN_VERSIONS[key]})"
            raise ProtocolIntegrityError(msg)
        pinned = PINNED_FINGERPRINTS.get(key)
        if pinned is None:
            msg = f"{label} has no pinned fingerprint: add it to PINNED_FINGERPRINTS"
            raise ProtocolIntegrityError(msg)
        if definition.fingerprint() != pinned:
            msg = (
                f"{label} differs from the pinned content of its version: "
                "a changed protocol needs a new version"
            )
            raise ProtocolIntegrityError(msg)
        registry[key] = definition
    return registry


@lru_cache(maxsize=1)
def _registry() -> dict[tuple[str, str], ProtocolDefinition]:
    folder = resources.files(PROTOCOL_PACKAGE).joinpath(PROTOCOL_DIRECTORY)
    return load_packaged(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda item: item.name)
        if entry.name.endswith(".toml")
    )


def available_protocols() -> tuple[ProtocolDefinition, ...]:
    """Every packaged protocol version, by code then version."""
    return tuple(
        sorted(_registry().values(), key=lambda p: (p.code, p.version_key)),
    )


def load_protocol(code: str, version: str | None = None) -> ProtocolDefinition:
    """The packaged protocol ``code`` at ``version`` (the latest version when ``None``).

    A withdrawn version gives the version that replaced it (:data:`WITHDRAWN_VERSIONS`).

    Raises:
        NotFound: NUT_017 when no such protocol (or version) is packaged.
    """
    while version is not None and (code, version) in WITHDRAWN_VERSIONS:
        version = WITHDRAWN_VERSIONS[(code, version)]
    candidates = [p for p in available_protocols() if p.code == code]
    if version is not None:
        candidates = [p for p in candidates if p.version == version]
    if not candidates:
        raise NotFound(NutritionError.NUT_017, code=code, version=version or "latest")
    return candidates[-1]


def _replaces(base: Mapping[str, object], override: Mapping[str, object]) -> bool:
    """A table whose discriminator changes (a dose ``method``) is replaced, not merged."""
    return "method" in override and override["method"] != base.get("method")


def _merge_value(base: object, override: object, path: str, changed: list[str]) -> object:
    if (
        isinstance(base, Mapping)
        and isinstance(override, Mapping)
        and not _replaces(base, override)
    ):
        return _merge_table(base, override, path, changed)
    if override != base:
        changed.append(path)
    return override


def _merge_table(
    base: Mapping[str, object], override: Mapping[str, object], path: str, changed: list[str]
) -> dict[str, object]:
    merged = dict(base)
    for key, value in override.items():
        if not isinstance(key, str):
            raise RuleViolation(
                NutritionError.NUT_018, errors=f"{path or '(root)'}: keys must be text"
            )
        key_path = f"{path}.{key}" if path else key
        if key in base:
            merged[key] = _merge_value(base[key], value, key_path, changed)
        else:
            merged[key] = value
            changed.append(key_path)
    return merged


def apply_overrides(
    base: ProtocolDefinition, overrides: Mapping[str, object]
) -> ProtocolDefinition:
    """``base`` with a country's ``overrides`` deep-merged into it, then validated again.

    Tables merge key by key (``{"bands": {"severe": {"dose": {"kcal_per_kg_day": 175}}}}``
    changes one number); any other value, including a list such as a weight table, replaces
    the base value; a dose whose ``method`` changes is replaced as a whole. The result lists
    the changed paths in ``overridden``, so its fingerprint differs from the base's.

    Raises:
        RuleViolation: NUT_018 when the overrides change the protocol's identity (code,
            version, kind), use unknown keys, or make the protocol inconsistent.
    """
    if not isinstance(overrides, Mapping):
        raise RuleViolation(NutritionError.NUT_018, errors="(root): overrides must be a table")
    data = base.model_dump()
    for key in sorted(IDENTITY_FIELDS & set(overrides)):
        if overrides[key] != data[key]:
            raise RuleViolation(NutritionError.NUT_018, errors=f"{key}: cannot be overridden")
    changed: list[str] = []
    merged = _merge_table(data, overrides, "", changed)
    merged["overridden"] = tuple(sorted({*base.overridden, *changed}))
    return parse_protocol(merged)
