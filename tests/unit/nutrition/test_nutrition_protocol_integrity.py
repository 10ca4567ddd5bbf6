"""Protocol tables and versions are checked when loaded (docs/clinical-rules.md §2, §3.4 rule 1).

* Every weight-band table gives, at every weight of every row, a kcal/kg/day inside its
  protocol's range (WHO: 150-220 for SAM outpatients, §2): the formula is the validator.
* A packaged protocol version has one content: its fingerprint is pinned, so a file edited in
  place under an old version is refused (a changed protocol gets a new version).
"""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest

from alima.core.errors import RuleViolation
from alima.core.i18n import reset_locale, set_locale
from alima.nutrition.protocol import (
    PROTOCOL_DIRECTORY,
    PROTOCOL_PACKAGE,
    ProtocolIntegrityError,
    WeightTableDose,
    apply_overrides,
    available_protocols,
    load_packaged,
    load_protocol,
)
from alima.nutrition.rules import ration
from tests.unit.nutrition.builders import STANDARD

#: The fingerprints of the packaged versions, written out: a changed file must not pass.
PINNED = {
    ("compas", "1.0"): "e2dfa58c321abdb2b2acdfb5b7426f9e2b804209a8d5bddf4dea4d55775f3e3b",
    ("optima", "1.0"): "4ac152490dc7c19e7a0eb7d3372d78b4fdf673fe2672106e88c91a01694b711c",
    (
        "standard-who-2013",
        "1.1",
    ): "31e5b7afdba06227b68e4b0a5812a0cb2646c9d58d0321d3d061a51c9802601f",
}
#: Withdrawn: its table gave 250 kcal/kg/day at 4.0 and 5.0 kg.
WITHDRAWN = {
    (
        "standard-who-2013",
        "1.0",
    ): "92769b8a98233f8838d883c73a33248c4a3a3a9c002aa98cd06081249742c2c6",
}


def _packaged_texts() -> list[tuple[str, str]]:
    folder = resources.files(PROTOCOL_PACKAGE).joinpath(PROTOCOL_DIRECTORY)
    return sorted(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    )


def test_every_weight_table_stays_within_its_kcal_range() -> None:
    checked = 0
    for p in available_protocols():
        for band in p.bands:
            dose = band.dose
            if not isinstance(dose, WeightTableDose):
                continue
            low, high = dose.kcal_per_kg_day_min, dose.kcal_per_kg_day_max
            weights = [row.weight_min_kg for row in dose.table]
            # each row's lightest weight, and the heaviest weight (to 0.01 kg) before the next
            tops = [w - Decimal("0.01") for w in weights[1:]]
            for weight in [*weights, *tops]:
                r = ration(band=band.code, weight_kg=float(weight), days=7, p=p)
                per_kg = r.kcal_per_day_given / weight
                assert low <= per_kg <= high, (p.code, band.code, weight, per_kg)
                checked += 1
    assert checked > 10


def test_standard_range_is_who_150_to_220() -> None:
    dose = STANDARD.band_rule(STANDARD.bands[0].code).dose
    assert isinstance(dose, WeightTableDose)
    assert (dose.kcal_per_kg_day_min, dose.kcal_per_kg_day_max) == (150, 220)


def test_a_country_table_outside_the_range_is_refused_with_a_clear_message() -> None:
    table = [
        {"weight_min_kg": 3.5, "sachets_per_day": 1.5},
        {"weight_min_kg": 4.0, "sachets_per_day": 2},
        {"weight_min_kg": 5.0, "sachets_per_day": 2.5},
        {"weight_min_kg": 7.0, "sachets_per_day": 3},
    ]
    overrides = {"bands": {"severe": {"dose": {"table": table}}}}
    with pytest.raises(RuleViolation) as caught:
        apply_overrides(STANDARD, overrides)
    assert caught.value.code.name == "NUT_033"
    assert caught.value.status == 422
    token = set_locale("fr")
    try:
        french = caught.value.message
    finally:
        reset_locale(token)
    assert "250" in french
    assert "4" in french
    assert "150" in french
    assert "220" in french
    assert "kcal/kg/jour" in french


def test_packaged_fingerprints_are_pinned() -> None:
    found = {(p.code, p.version): p.fingerprint() for p in available_protocols()}
    assert found == PINNED


def test_a_file_edited_in_place_under_its_version_is_refused() -> None:
    texts = _packaged_texts()
    assert {(p.code, p.version) for p in load_packaged(texts).values()} == set(PINNED)
    edited = [
        (name, text.replace("kcal_per_kg_day = 170", "kcal_per_kg_day = 175"))
        if name == "optima.toml"
        else (name, text)
        for name, text in texts
    ]
    assert edited != texts
    with pytest.raises(ProtocolIntegrityError, match=r"optima 1\.0"):
        load_packaged(edited)


def test_a_reworded_citation_keeps_the_version() -> None:
    texts = _packaged_texts()
    edited = [
        (name, text.replace("docs/clinical-rules.md §3.1", "docs/clinical-rules.md, section 3.1"))
        for name, text in texts
    ]
    assert edited != texts
    loaded = load_packaged(edited)
    assert {(p.code, p.version): p.fingerprint() for p in loaded.values()} == {
        k: v for k, v in PINNED.items() if k != ("standard-who-2013", "1.0")
    }


def test_an_unpinned_version_is_refused() -> None:
    texts = [
        (name, text.replace('version = "1.0"', 'version = "1.9"'))
        if name == "compas.toml"
        else (name, text)
        for name, text in _packaged_texts()
    ]
    with pytest.raises(ProtocolIntegrityError, match=r"compas 1\.9"):
        load_packaged(texts)


def test_withdrawn_version_is_pinned_and_continues_under_its_successor() -> None:
    from alima.nutrition.protocol import PINNED_FINGERPRINTS, WITHDRAWN_VERSIONS

    for key, fingerprint in WITHDRAWN.items():
        assert PINNED_FINGERPRINTS[key] == fingerprint
    assert WITHDRAWN_VERSIONS[("standard-who-2013", "1.0")] == "1.1"
    assert load_protocol("standard-who-2013", "1.0").version == "1.1"
    assert load_protocol("standard-who-2013").version == "1.1"
