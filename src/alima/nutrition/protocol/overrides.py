"""A country's overrides, deep-merged into a packaged protocol and validated again."""

from collections.abc import Mapping

from alima.core.errors import RuleViolation
from alima.nutrition.errors import NutritionError
from alima.nutrition.protocol.definition import ProtocolDefinition
from alima.nutrition.protocol.loading import parse_protocol

#: Fields that identify a protocol: an override may not change them.
IDENTITY_FIELDS = frozenset({"code", "version", "kind", "overridden"})


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
