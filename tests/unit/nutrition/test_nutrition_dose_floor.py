"""The dispensed ration is never below the prescribed dose (docs/clinical-rules.md §3.4 rule 1).

kcal/kg/day x weight is the prescription; rounding goes up, to the protocol's half (or whole)
sachet, and never first rounds the kcal down: 170 x 5.885 kg = 1000.45 kcal is 2.5 sachets,
not 2.0.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from hypothesis import given
from hypothesis import strategies as st

from alima.nutrition.enums import Band, SachetRounding
from alima.nutrition.protocol import ProtocolDefinition, apply_overrides, available_protocols
from alima.nutrition.rules import ration
from tests.unit.nutrition.builders import OPTIMA

D = Decimal
HALF = D("0.5")


def test_kcal_not_rounded_below_the_prescription() -> None:
    r = ration(band=Band.SEVERE, weight_kg=5.885, days=7, p=OPTIMA)
    assert r.kcal_per_day == D("1000.45")
    assert r.sachets_per_day == D("2.5")
    assert r.kcal_per_day_given >= D("1000.45")


def _kcal_protocols() -> list[ProtocolDefinition]:
    """Every packaged protocol, its bands switched to kcal/kg where they are not, per rounding."""
    found = []
    for base in available_protocols():
        for rounding in (SachetRounding.CEIL_HALF_PER_DAY, SachetRounding.CEIL_WHOLE_PER_DAY):
            bands = {
                band.code.value: {
                    "dose": {
                        "method": "kcal_per_kg",
                        "product": band.dose.product.value,
                        "kcal_per_kg_day": 170 - 20 * index,
                    }
                }
                for index, band in enumerate(base.bands)
                if band.dose.method != "kcal_per_kg"
            }
            uncertain = [u for u in base.uncertain if not u.startswith("bands.")]
            override = {"dosing": {"rounding": rounding.value}, "bands": bands}
            found.append(apply_overrides(base, {**override, "uncertain": uncertain}))
    return found


PROTOCOLS = _kcal_protocols()


@st.composite
def _cases(draw: st.DrawFn) -> tuple[ProtocolDefinition, Band, Decimal]:
    """A protocol, a band and a weight; half the weights just above a half-sachet boundary."""
    p = draw(st.sampled_from(PROTOCOLS))
    band = draw(st.sampled_from(p.bands))
    if draw(st.booleans()):
        weight = draw(st.decimals(min_value="3.0", max_value="30.0", places=3))
    else:
        assert band.dose.method == "kcal_per_kg"
        kcal_kg = D(band.dose.kcal_per_kg_day)
        boundary = draw(st.integers(4, 40)) * 250 + draw(st.integers(1, 499)) / D(1000)
        weight = (boundary / kcal_kg).quantize(D("0.001"), ROUND_CEILING)
    return p, band.code, weight


@given(case=_cases(), days=st.integers(1, 28))
def test_dispensed_kcal_never_below_the_prescription(
    case: tuple[ProtocolDefinition, Band, Decimal], days: int
) -> None:
    p, band, weight = case
    r = ration(band=band, weight_kg=float(weight), days=days, p=p)
    assert r.kcal_per_kg_day is not None
    prescribed = r.kcal_per_kg_day * weight
    per_sachet = p.products.spec(r.product).kcal_per_sachet
    assert r.kcal_per_day_given >= prescribed
    assert r.sachets_for_period * per_sachet >= prescribed * days
    step = HALF if p.dosing.rounding is SachetRounding.CEIL_HALF_PER_DAY else D(1)
    assert r.kcal_per_day_given - prescribed < step * per_sachet
