"""The co-managed world of the security tests, and the targets inside and outside scope."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from alima.alliance.models import DataPeriod
from alima.alliance.rules import month_key, months_before
from alima.core.access import Actor, Grant
from alima.core.enums import Role
from alima.core.models import Place, RoleAssignment
from alima.core.service import accounts, auth
from alima.core.time import today, utcnow
from alima.interop.dhis2 import service as dhis2_service
from alima.interop.dhis2.schemas import MappingFile
from alima.interop.openrosa.catalogue import SCREENING
from alima.nutrition import service as nutrition_service
from alima.nutrition.schemas import AdmissionCreate
from tests.factories.alliance import Alliance, build_alliance
from tests.factories.core import PASSWORD, World, make_patient, make_user
from tests.factories.dhis2_server import small_mapping
from tests.factories.openrosa import refused_submission
from tests.factories.outbreaks import outbreak_targets
from tests.factories.research import research_targets
from tests.factories.smc import smc_targets
from tests.factories.stock import make_receipt
from tests.factories.sync import sync_targets
from tests.factories.treat import treat_security_targets
from tests.security.permission_matrix import Targets


@pytest.fixture
def alliance(session: Session, world: World) -> Alliance:
    return build_alliance(session, world)


def _admit(session: Session, patient_id: str, actor: Actor) -> str:
    """An episode admitted a week ago, so that a visit today is a valid next visit."""
    admitted = nutrition_service.admit_child(
        session,
        AdmissionCreate.model_validate(
            {
                "patient_id": patient_id,
                "admitted_on": today() - timedelta(days=7),
                "muac_mm": 112,
                "weight_kg": 7.0,
                "height_cm": 70.0,
                "appetite_test_passed": True,
            }
        ),
        actor=actor,
    )
    return str(admitted.episode_id)


def _approved_period(session: Session, period: DataPeriod, place: Place) -> str:
    """An approved (locked) month a year back at ``place``, for the unlock routes; a year back
    so that the lock refuses none of the other calls of the matrix (dated this month)."""
    approved = DataPeriod(
        project_id=period.project_id,
        place_id=place.id,
        starts_on=months_before(today().replace(day=1), 12),
        status="approved",
        round=1,
        submitted_by_id=period.submitted_by_id,
        approved_at=utcnow(),
    )
    with session.begin():
        session.add(approved)
    return str(approved.id)


def _new_patient(session: Session, place: Place) -> str:
    with session.begin():
        return str(make_patient(session, place).id)


@pytest.fixture
def targets(session: Session, world: World, alliance: Alliance) -> dict[str, Targets]:
    """Values for every path parameter and request field, inside (``in``) and outside
    (``out``) everyone's scope. A new parameter needs a value in both."""
    on = today()
    # Only to create the out-of-scope episode: someone with a scope in the other country.
    elsewhere_admin = Actor(
        id=world.users["administrator"].id,
        username="setup",
        full_name="Setup",
        grants=(Grant(Role.ADMINISTRATOR, (alliance.elsewhere_country.path,)),),
    )
    common = {
        "login": world.users["clinician_b"].username,
        "password": PASSWORD,
        "past_day": (on - timedelta(days=3)).isoformat(),
        "future_day": (on + timedelta(days=30)).isoformat(),
        "month": month_key(on),
        "submit_month": month_key(months_before(on, 2)),
        "organisation_code": alliance.colead.code,
        "donor_code": alliance.funder.code,
        # Outside the clinician's facility, inside everyone else's district.
        "emergency_identifier": world.patient_b.identifier,
    }
    # Accounts an administrator may manage (in) or not (out), each with an API token.
    with session.begin():
        managed_in = make_user(
            session, f"managed-{uuid.uuid4().hex[:8]}", Role.CLINICIAN, world.facility_a
        )
        managed_out = make_user(
            session, f"managed-{uuid.uuid4().hex[:8]}", Role.CLINICIAN, alliance.elsewhere_facility
        )
        managed = {"in": managed_in.username, "out": managed_out.username}
        # A second role of each, that an administrator may take back (never the last one).
        second_in = RoleAssignment(
            user_id=managed_in.id, role=Role.DATA_MANAGER.value, place_id=world.facility_a.id
        )
        second_out = RoleAssignment(
            user_id=managed_out.id,
            role=Role.DATA_MANAGER.value,
            place_id=alliance.elsewhere_facility.id,
        )
        session.add_all([second_in, second_out])
        session.flush()
    for username in managed.values():
        auth.create_api_token(session, username=username, name="managed", days=1)
    token_in = accounts.list_tokens(session, managed["in"])[0]
    token_out = accounts.list_tokens(session, managed["out"])[0]
    inside = {
        **common,
        "user_id": str(managed_in.id),
        "token_id": str(token_in.id),
        "assignment_id": str(second_in.id),
        "patient_id": str(world.patient_a.id),
        "place_code": world.facility_a.code,
        "project_code": alliance.project.code,
        "country_code": world.country.code,
        "training_id": str(alliance.training.id),
        "period_id": str(alliance.period.id),
        "grant_id": str(alliance.grant.id),
        "episode_id": _admit(session, str(world.patient_a.id), world.actors["clinician_a"]),
        # A child of facility A not in treatment yet: the admission routes admit them.
        "admittable_patient_id": _new_patient(session, world.facility_a),
        "approved_period_id": _approved_period(session, alliance.period, world.facility_a),
        "form_id": SCREENING,
        "submission_id": refused_submission(
            session, world.actors["clinician_a"], world.facility_a.code
        ),
        # Stock at facility A, so that losses and negative adjustments are valid.
        "stock_movement_id": str(
            make_receipt(session, world.actors["clinician_a"], world.facility_a.code, 100).id
        ),
    }
    outside = {
        **common,
        "user_id": str(managed_out.id),
        "token_id": str(token_out.id),
        "assignment_id": str(second_out.id),
        "patient_id": str(alliance.elsewhere_patient.id),
        "place_code": alliance.elsewhere_facility.code,
        "project_code": alliance.elsewhere_project.code,
        "country_code": alliance.elsewhere_country.code,
        "training_id": str(alliance.elsewhere_training.id),
        "period_id": str(alliance.elsewhere_period.id),
        "grant_id": str(alliance.elsewhere_grant.id),
        "episode_id": _admit(session, str(alliance.elsewhere_patient.id), elsewhere_admin),
        "admittable_patient_id": _new_patient(session, alliance.elsewhere_facility),
        "approved_period_id": _approved_period(
            session, alliance.elsewhere_period, alliance.elsewhere_facility
        ),
        "form_id": SCREENING,
        "submission_id": refused_submission(
            session, elsewhere_admin, alliance.elsewhere_facility.code
        ),
        "stock_movement_id": str(
            make_receipt(session, elsewhere_admin, alliance.elsewhere_facility.code, 100).id
        ),
    }
    for land, site in (
        (world.country, world.facility_a),
        (alliance.elsewhere_country, alliance.elsewhere_facility),
    ):
        dhis2_service.import_mapping(
            session, MappingFile.model_validate(small_mapping(land.code, site.code)), actor=None
        )
    treat = treat_security_targets(
        session,
        world,
        elsewhere_patient_id=str(alliance.elsewhere_patient.id),
        elsewhere_place=alliance.elsewhere_facility,
        elsewhere_country=alliance.elsewhere_country,
        elsewhere_actor=elsewhere_admin,
    )
    inside |= treat["in"]
    outside |= treat["out"]
    outbreaks = outbreak_targets(
        session,
        world,
        elsewhere_place=alliance.elsewhere_facility,
        elsewhere_actor=elsewhere_admin,
    )
    inside |= outbreaks["in"]
    outside |= outbreaks["out"]
    inside |= smc_targets(
        session,
        world.actors["data_manager"],
        area_code=world.area_a.code,
        site=world.facility_a,
        writer=world.actors["clinician_a"],
    )
    outside |= smc_targets(
        session,
        elsewhere_admin,
        # The district above the other country's facility (tests/factories/alliance.py).
        area_code=alliance.elsewhere_facility.code.removesuffix("-CS"),
        site=alliance.elsewhere_facility,
        writer=elsewhere_admin,
    )
    inside |= research_targets(
        session,
        world.actors["administrator"],
        project_code=alliance.project.code,
        sponsor_code=alliance.lead.code,
        site=world.facility_a,
        patient_id=world.patient_a.id,
        episode_id=inside["episode_id"],
    )
    outside |= research_targets(
        session,
        elsewhere_admin,
        project_code=alliance.elsewhere_project.code,
        sponsor_code=alliance.lead.code,
        site=alliance.elsewhere_facility,
        patient_id=alliance.elsewhere_patient.id,
        episode_id=outside["episode_id"],
    )
    inside |= sync_targets(session, world.facility_a, world.patient_a.id)
    outside |= sync_targets(session, alliance.elsewhere_facility, alliance.elsewhere_patient.id)
    return {"in": inside, "out": outside}
