"""Demo data: a DHIS2 mapping for the demo country (Mali), every figure at every service point.

The uids are made up but well formed and stable (derived from the codes), so a training
session can export and dry-run the same payload every time. ``HllvX50cXC0`` is DHIS2's
"default" category option combo, used for totals.
"""

from __future__ import annotations

import hashlib
import string
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.enums import PlaceKind
from alima.core.models import Place
from alima.interop.dhis2.figures import REPORT_FIGURES, TOTAL
from alima.interop.dhis2.schemas import DataElementMap, MappingFile, OrgUnitMap
from alima.interop.dhis2.service.mapping import import_mapping

COUNTRY = "ML"
#: DHIS2's default category option combo (no disaggregation).
DEFAULT_COMBO = "HllvX50cXC0"
#: Registered indicators the demo sends besides the monthly report's lines.
INDICATORS = ("NUT-CHILDREN-TREATED", "TREAT-CONSULTATIONS")
_ALPHABET = string.ascii_letters + string.digits


def demo_uid(text: str) -> str:
    """A well-formed uid that is always the same for ``text`` (a letter, then ten more)."""
    digest = hashlib.sha256(text.encode()).digest()
    return string.ascii_letters[digest[0] % 52] + "".join(
        _ALPHABET[b % len(_ALPHABET)] for b in digest[1:11]
    )


def demo_mapping(place_codes: list[str]) -> MappingFile:
    """The demo's mapping file over these service points."""
    elements = []
    for figure in REPORT_FIGURES:
        element = demo_uid(f"de:{figure.code}")
        elements.append(
            DataElementMap.model_validate(
                {
                    "figure": figure.code,
                    "option": TOTAL,
                    "data_element": element,
                    "category_option_combo": DEFAULT_COMBO,
                }
            )
        )
        # A disaggregated figure is a second data element whose combos are its options.
        for option in figure.options:
            elements.append(
                DataElementMap.model_validate(
                    {
                        "figure": figure.code,
                        "option": option,
                        "data_element": demo_uid(f"de:{figure.code}:by"),
                        "category_option_combo": demo_uid(f"coc:{figure.code}:{option}"),
                    }
                )
            )
    elements += [
        DataElementMap.model_validate(
            {
                "figure": code,
                "option": TOTAL,
                "data_element": demo_uid(f"de:{code}"),
                "category_option_combo": DEFAULT_COMBO,
            }
        )
        for code in INDICATORS
    ]
    return MappingFile(
        country=COUNTRY,
        data_set=demo_uid("ds:CMAM-MONTHLY"),
        attribute_option_combo=DEFAULT_COMBO,
        data_elements=elements,
        org_units=[OrgUnitMap(place=c, org_unit=demo_uid(f"ou:{c}")) for c in place_codes],
    )


def load(session: Session, *, today: date) -> None:  # noqa: ARG001 - the loaders' signature
    """Map the demo country's facilities and mobile clinics to made-up DHIS2 uids."""
    with session.begin():
        codes = list(
            session.scalars(
                select(Place.code)
                .where(
                    Place.code.startswith(f"{COUNTRY}-"),
                    Place.kind.in_([PlaceKind.FACILITY.value, PlaceKind.MOBILE_CLINIC.value]),
                )
                .order_by(Place.code)
            )
        )
    if codes:
        import_mapping(session, demo_mapping(codes), actor=None)
