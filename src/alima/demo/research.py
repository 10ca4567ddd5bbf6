"""A demo study: OPTIMA-ML, OptiMA against the standard protocol at three CSComs of Niono.

Set up as a sponsor would (Inserm and ALIMA, the co-managed project's agreements), with its
ethics approval, a French consent form and one in Bambara, and its allocation sequence drawn
from the demo's seed (a real study's seed stays with its statistician). Children admitted from
now on at these sites are screened when the nurse records the admission.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.demo.core import PROJECT_CODE
from alima.demo.treat.base import BUSY_SITE
from alima.research import service
from alima.research.enums import FormKind
from alima.research.schemas import (
    ArmIn,
    ConsentFormIn,
    EthicsApprovalIn,
    ProtocolVersionIn,
    StudyCreate,
)

CODE = "OPTIMA-ML"
SITES = (BUSY_SITE, "ML-SEG-NIO-MOL-CS", "ML-SEG-NIO-SIR-CS")
#: The demo's seed; a real sequence's seed never enters the repository or the database.
DEMO_SEED = 15_2026
PER_STRATUM = 60


def load(session: Session, *, today: date) -> None:
    """Set up OPTIMA-ML and draw its sequence (skipped without the demo's places)."""
    with session.begin():
        present = [c for c in SITES if core_repository.find_place_by_code(session, c)]
    if not present:
        return
    started = today - timedelta(days=45)
    service.create_study(
        session,
        StudyCreate(
            code=CODE,
            title="OptiMA au Mali : protocole simplifié contre protocole national",
            project_code=PROJECT_CODE,
            sponsor_code="INSERM",
            partner_codes=["ALIMA", "AMCP-SP"],
            registry_number="NCT00000000",
            starts_on=started,
            ends_on=started + timedelta(days=540),
            target_size=600,
            stratify_muac_mm=110,  # severe wasting: below 110 mm, or 110-114 mm
            site_codes=present,
            arms=[
                ArmIn(code="optima", label="OptiMA", protocol_code="optima"),
                ArmIn(
                    code="standard",
                    label="Protocole national (OMS 2013)",
                    protocol_code="standard-who-2013",
                ),
            ],
            age_min_months=6,
            age_max_months=59,
            # Below 115 mm: both arms' protocols treat the child as an outpatient (the standard
            # protocol does not take MUAC 115-124 mm into this programme).
            muac_below_mm=115,
            no_complication=True,
            ethics=[
                EthicsApprovalIn(
                    committee="Comité d'éthique de l'INRSP, Bamako",
                    reference="2026/41/CE/INRSP",
                    protocol_version="1.0",
                    approved_on=started - timedelta(days=60),
                )
            ],
            protocol_versions=[
                ProtocolVersionIn(version="1.0", dated_on=started - timedelta(days=90))
            ],
            forms=[
                ConsentFormIn(
                    kind=kind, version="1.0", language=lang, approved_on=started - timedelta(60)
                )
                for kind in (FormKind.INFORMATION, FormKind.CONSENT)
                for lang in ("fr", "bm")
            ],
        ),
        actor=None,
    )
    service.generate_sequence(session, CODE, seed=DEMO_SEED, size=PER_STRATUM, actor=None)
