"""One configured source of MUAC cut-offs for nutrition, screening and triage.

docs/clinical-rules.md §1 (case definitions shared by all protocols), §6 (tape colours from
configured thresholds) and §9 (IMCI): a country override of the case definition reaches
community screening and IMCI triage, not only nutrition admissions.
"""

from datetime import timedelta

from sqlalchemy.orm import Session

from alima.care.schemas import ConsultationCreate
from alima.care.service import consultations
from alima.community import service as community
from alima.community.enums import ReferralUrgency, ScreenerType
from alima.community.schemas import ScreeningCreate
from alima.core.time import today
from alima.growth.muac import MuacBand
from alima.nutrition import service
from tests.factories.core import World
from tests.factories.nutrition import make_child

#: A country that refers from 130 mm: MAM below 130 instead of 125.
WIDER = {
    "case_definition": {"mam_muac_below_mm": 130},
    "bands": {"moderate_high": {"muac_below_mm": 130}},
}


def _screen(session: Session, world: World, muac: int) -> tuple[MuacBand, object]:
    screened = community.record_screening(
        session,
        ScreeningCreate.model_validate(
            {
                "place_code": world.facility_a.code,
                "screener_type": ScreenerType.MOTHER,
                "child_given_name": "Awa",
                "child_age_months": 20,
                "village": "Pogo",
                "muac_mm": muac,
            }
        ),
        actor=world.actors["clinician_a"],
    )
    return screened.band, screened.referral.urgency if screened.referral else None


def _triage(session: Session, world: World, muac: int) -> MuacBand | None:
    child = make_child(session, world.facility_a, age_days=400)
    saved = consultations.record_consultation(
        session,
        ConsultationCreate.model_validate(
            {"patient_id": child.id, "temperature_c": 36.8, "muac_mm": muac, "diagnoses": []}
        ),
        actor=world.actors["clinician_a"],
    )
    return saved.muac_band


def test_country_override_of_cutoffs_reaches_screening_and_triage(
    session: Session, world: World
) -> None:
    assert _screen(session, world, 127) == (MuacBand.GREEN, None)
    assert _triage(session, world, 127) is MuacBand.GREEN
    service.set_protocol_override(
        session,
        country_code=world.country.code,
        protocol_code="optima",
        overrides=WIDER,
        effective_from=today() - timedelta(days=1),
        reason="national tape",
        actor=None,
    )
    assert _screen(session, world, 127) == (MuacBand.YELLOW, ReferralUrgency.ROUTINE)
    assert _triage(session, world, 127) is MuacBand.YELLOW
    assert _screen(session, world, 131) == (MuacBand.GREEN, None)
