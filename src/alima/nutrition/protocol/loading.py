"""Packaged protocols: parsing and validation, pinned fingerprints, and the registry."""

import tomllib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Final

from pydantic import ValidationError

from alima.core.errors import NotFound, RuleViolation
from alima.nutrition.errors import NutritionError
from alima.nutrition.protocol.definition import ProtocolDefinition, WeightTableDose

#: Where the packaged protocol files live (package resource, works from a wheel or a zip).
PROTOCOL_PACKAGE = "alima.nutrition"
PROTOCOL_DIRECTORY = "protocols"


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
