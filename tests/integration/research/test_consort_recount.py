"""Property: a study's CONSORT counts equal an independent recount, overall and per site.

Hypothesis draws children admitted at facilities A and B (both sites of the study) and what
became of each: not eligible, caregiver not approached, declined, other reason, consented
only, consented then withdrawn before randomisation, randomised, randomised then withdrawn
(data kept until then, or none). Everything is written through the services (admission,
consent, decline, randomisation, withdrawal). The counts of the study's dashboard are then
compared twice: with plain SQL over the screening, consent and allocation tables, and with
the drawn plan counted in plain Python. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from alima.core.enums import OrganisationKind
from alima.core.time import today
from alima.nutrition import service as nutrition_service
from alima.nutrition.schemas import AdmissionCreate
from alima.research import service
from alima.research.enums import ConsentMethod, FormKind, NotIncluded, WithdrawalUse
from alima.research.schemas import (
    ArmIn,
    ConsentCreate,
    ConsentFormIn,
    ConsortCounts,
    DeclineCreate,
    StudyCreate,
    WithdrawalCreate,
)
from tests.factories.alliance import make_organisation, make_project
from tests.factories.core import World
from tests.factories.nutrition import make_child
from tests.security.routes import rolled_back

FATES = (
    "ineligible",
    "not_approached",
    "declined",
    "other",
    "consented",
    "consented_withdrawn",
    "randomised",
    "randomised_withdrawn_collected",
    "randomised_withdrawn_none",
)
CONSENTED = {f for f in FATES if f.startswith(("consented", "randomised"))}
RANDOMISED = {f for f in FATES if f.startswith("randomised")}
WITHDRAWN = {f for f in FATES if "withdrawn" in f}


def two_site_study(session: Session, world: World) -> str:
    code = f"CR-{uuid.uuid4().hex[:5].upper()}"
    with session.begin():
        sponsor = make_organisation(session, f"S{code}", OrganisationKind.RESEARCH_INSTITUTE)
        project = make_project(session, world.country, [world.facility_a, world.facility_b], [])
        project_code, sponsor_code = project.code, sponsor.code
    service.create_study(
        session,
        StudyCreate(
            code=code,
            title="Recompte",
            project_code=project_code,
            sponsor_code=sponsor_code,
            starts_on=today() - timedelta(days=30),
            target_size=100,
            stratify_muac_mm=115,
            site_codes=[world.facility_a.code, world.facility_b.code],
            arms=[ArmIn(code="arm-a", label="A"), ArmIn(code="arm-b", label="B")],
            muac_below_mm=120,
            forms=[
                ConsentFormIn(
                    kind=FormKind.CONSENT, version="1", language="fr", approved_on=today()
                )
            ],
        ),
        actor=world.actors["administrator"],
    )
    service.generate_sequence(session, code, seed=7, size=12, actor=None)
    return code


def live(session: Session, world: World, code: str, at_b: bool, fate: str) -> None:
    """One child admitted at A or B and led to ``fate`` through the services."""
    place = world.facility_b if at_b else world.facility_a
    nurse = world.actors["clinician_b" if at_b else "clinician_a"]
    child = make_child(session, place, age_days=400).id
    nutrition_service.admit_child(
        session,
        AdmissionCreate(
            patient_id=child,
            weight_kg=6.0,
            height_cm=67.5,
            muac_mm=122 if fate == "ineligible" else 113,
            appetite_test_passed=True,
            protocol_code="optima",
        ),
        actor=nurse,
    )
    if fate in {"ineligible"}:
        return
    if fate in {"not_approached", "declined", "other"}:
        service.decline(session, child, code, DeclineCreate(reason=NotIncluded(fate)), actor=nurse)
        return
    panel = next(
        p for p in service.study_panel(session, child, actor=nurse) if p.study_code == code
    )
    service.record_consent(
        session,
        child,
        code,
        ConsentCreate(
            form_id=panel.forms[0].id,
            caregiver_name="Awa",
            caregiver_relation="mother",
            method=ConsentMethod.SIGNED,
        ),
        actor=nurse,
    )
    if fate in RANDOMISED:
        service.randomise(session, child, code, actor=nurse)
    if fate in WITHDRAWN:
        use = WithdrawalUse.NONE if fate.endswith("none") else WithdrawalUse.COLLECTED
        service.withdraw(session, child, code, WithdrawalCreate(use=use), actor=nurse)


RECOUNT = """
SELECT
  (SELECT count(*) FROM research_screening s WHERE s.study_id = :study {site}) AS screened,
  (SELECT count(*) FROM research_screening s
     WHERE s.study_id = :study AND s.eligible {site}) AS eligible,
  (SELECT count(DISTINCT c.patient_id) FROM research_consent c
     WHERE c.study_id = :study {consent_site}) AS consented,
  (SELECT count(DISTINCT a.patient_id) FROM research_allocation a
     WHERE a.study_id = :study {allocation_site}) AS included,
  (SELECT count(DISTINCT c.patient_id) FROM research_consent c
     WHERE c.study_id = :study AND c.status = 'withdrawn' {consent_site}) AS withdrawn,
  (SELECT count(*) FROM research_screening s
     WHERE s.study_id = :study AND NOT s.eligible {site}) AS ineligible,
  (SELECT count(*) FROM research_screening s
     WHERE s.study_id = :study AND s.eligible AND s.not_included_reason = 'declined' {site})
     AS declined
"""


def recount(session: Session, study_id: object, place_id: object | None) -> dict[str, int]:
    """The flow counted in SQL over the tables, without the code under test."""
    params: dict[str, object] = {"study": study_id}
    where = {"site": "", "consent_site": "", "allocation_site": ""}
    if place_id is not None:
        params["place"] = place_id
        where = {
            "site": "AND s.place_id = :place",
            "consent_site": "AND c.place_id = :place",
            "allocation_site": "AND a.place_id = :place",
        }
    row = session.execute(text(RECOUNT.format(**where)), params).mappings().one()
    return {k: int(v) for k, v in row.items()}


def service_counts(c: ConsortCounts) -> dict[str, int]:
    return {
        "screened": c.screened,
        "eligible": c.eligible,
        "consented": c.consented,
        "included": c.included,
        "withdrawn": c.withdrawn,
        "ineligible": c.not_included.get("ineligible", 0),
        "declined": c.not_included.get("declined", 0),
    }


def planned(plan: list[tuple[bool, str]]) -> dict[str, int]:
    fates = Counter(f for _b, f in plan)
    return {
        "screened": len(plan),
        "eligible": len(plan) - fates["ineligible"],
        "consented": sum(n for f, n in fates.items() if f in CONSENTED),
        "included": sum(n for f, n in fates.items() if f in RANDOMISED),
        "withdrawn": sum(n for f, n in fates.items() if f in WITHDRAWN),
        "ineligible": fates["ineligible"],
        "declined": fates["declined"],
    }


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=st.lists(st.tuples(st.booleans(), st.sampled_from(FATES)), min_size=1, max_size=9))
def test_consort_counts_equal_an_independent_recount(
    session: Session, world: World, plan: list[tuple[bool, str]]
) -> None:
    with rolled_back(session):
        code = two_site_study(session, world)
        for at_b, fate in plan:
            live(session, world, code, at_b, fate)
        board = service.study_dashboard(session, code, actor=world.actors["administrator"])
        with session.begin():
            study_id = session.execute(
                text("SELECT id FROM research_study WHERE code = :c"), {"c": code}
            ).scalar_one()
            overall = recount(session, study_id, None)
            place_of = text("SELECT id FROM core_place WHERE code = :c")
            per_site = {
                site.place_code: recount(
                    session,
                    study_id,
                    session.execute(place_of, {"c": site.place_code}).scalar_one(),
                )
                for site in board.sites
            }
        assert service_counts(board.counts) == overall == planned(plan)
        for site in board.sites:
            at_b = site.place_code == world.facility_b.code
            assert service_counts(site.counts) == per_site[site.place_code]
            assert per_site[site.place_code] == planned([p for p in plan if p[0] == at_b])
