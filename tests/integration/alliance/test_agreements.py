"""Partner agreements drive access: they narrow a role at the project's places, never widen it."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.alliance.enums import DataAccess, ExportLevel
from alima.alliance.errors import AllianceError
from alima.alliance.schemas import AgreementCreate
from alima.alliance.service import projects
from alima.core.access import Actor, Permission
from alima.core.enums import OrganisationKind, PartnerRole, Role
from alima.core.errors import AlimaError, Conflict, Forbidden, RuleViolation
from alima.core.i18n import set_locale
from alima.core.models import (
    AuditEvent,
    Organisation,
    Place,
    Project,
    ProjectPartner,
    RoleAssignment,
    User,
)
from alima.core.service.auth import actor_for
from alima.core.time import today
from tests.factories.alliance import (
    Alliance,
    build_alliance,
    make_agreement,
    make_organisation,
)
from tests.factories.core import _HASH, World


@pytest.fixture
def alliance(session: Session, world: World) -> Alliance:
    return build_alliance(session, world)


def user_of(
    session: Session, organisation: Organisation | None, role: Role, *, place: Place
) -> Actor:
    """A new user of ``organisation`` holding ``role`` over ``place``, as the core builds it."""
    with session.begin():
        user = User(
            username=f"u{len(str(id(role)))}{organisation.code if organisation else 'none'}{role.value}".lower()[
                :80
            ],
            full_name="Test",
            password_hash=_HASH,
            organisation_id=organisation.id if organisation else None,
        )
        session.add(user)
        session.flush()
        session.add(
            RoleAssignment(
                user_id=user.id,
                role=role.value,
                place_id=place.id,
            )
        )
        session.flush()
        return actor_for(session, user, channel="web", ip=None)


def test_aggregates_only_withholds_patient_permissions_at_the_project(
    session: Session, world: World, alliance: Alliance
) -> None:
    partner = alliance.actors["partner_coordinator"]
    assert partner.can(Permission.AGGREGATE_READ)
    for permission in (
        Permission.PATIENT_READ,
        Permission.AUDIT_READ,
        Permission.PATIENT_EXPORT,
        Permission.DATA_APPROVE,
        Permission.FUNDING_WRITE,
        Permission.TRAINING_WRITE,
    ):
        assert not partner.can(permission), permission
    assert partner.can(Permission.AGGREGATE_EXPORT)  # its agreement allows aggregate exports
    colead = alliance.actors["colead_coordinator"]
    assert colead.can_at(Permission.PATIENT_READ, world.facility_a.path)
    assert colead.can_at(Permission.DATA_APPROVE, world.facility_a.path)


def test_place_scoped_users_are_narrowed_too_and_others_keep_their_role(
    session: Session, world: World, alliance: Alliance
) -> None:
    with session.begin():
        partner = session.get(Organisation, alliance.partner.id)
        facility = session.get(Place, world.facility_a.id)
        outsider = make_organisation(session, "OUT-NGO", OrganisationKind.NATIONAL_NGO)
    assert partner and facility
    # A clinician of the aggregates-only partner, scoped to a facility of the project.
    narrowed = user_of(session, partner, Role.CLINICIAN, place=facility)
    assert not narrowed.can(Permission.PATIENT_READ)
    assert not narrowed.can(Permission.BREAK_GLASS)
    # No organisation, or an organisation outside the project: the role alone decides.
    assert user_of(session, None, Role.CLINICIAN, place=facility).can(Permission.PATIENT_READ)
    assert user_of(session, outsider, Role.CLINICIAN, place=facility).can(Permission.PATIENT_READ)


def test_missing_expired_and_role_specific_agreements(
    session: Session, world: World, alliance: Alliance
) -> None:
    with session.begin():
        project = session.get(Project, alliance.project.id)
        facility = session.get(Place, world.facility_a.id)
        assert project and facility
        silent = make_organisation(session, "SILENT", OrganisationKind.NATIONAL_NGO)
        session.add(
            ProjectPartner(
                project_id=project.id,
                organisation_id=silent.id,
                role=PartnerRole.IMPLEMENTING.value,
            )
        )
        expired = make_organisation(session, "EXPIRED", OrganisationKind.NATIONAL_NGO)
        session.add(
            ProjectPartner(
                project_id=project.id,
                organisation_id=expired.id,
                role=PartnerRole.IMPLEMENTING.value,
            )
        )
        make_agreement(
            session,
            project,
            expired,
            DataAccess.PATIENT_LEVEL,
            effective_from=today() - timedelta(days=300),
            effective_to=today() - timedelta(days=1),
        )
        specific = make_organisation(session, "SPECIFIC", OrganisationKind.NATIONAL_NGO)
        session.add(
            ProjectPartner(
                project_id=project.id,
                organisation_id=specific.id,
                role=PartnerRole.IMPLEMENTING.value,
            )
        )
        make_agreement(session, project, specific, DataAccess.AGGREGATES, may_capture=False)
        make_agreement(session, project, specific, DataAccess.PATIENT_LEVEL, role=Role.CLINICIAN)
    # A partner of a project with agreements, but none of its own: aggregates only.
    assert not user_of(session, silent, Role.CLINICIAN, place=facility).can(Permission.PATIENT_READ)
    # An agreement that ended yesterday gives nothing any more.
    assert not user_of(session, expired, Role.CLINICIAN, place=facility).can(
        Permission.PATIENT_READ
    )
    # The agreement naming the role wins over the organisation-wide one.
    assert user_of(session, specific, Role.CLINICIAN, place=facility).can(Permission.PATIENT_READ)
    assert not user_of(session, specific, Role.DATA_MANAGER, place=facility).can(
        Permission.PATIENT_READ
    )
    # Agreements never widen a role: a researcher stays without patient data.
    assert not user_of(session, specific, Role.RESEARCHER, place=facility).can(
        Permission.PATIENT_READ
    )


def test_record_agreement_rules_and_audit(
    session: Session, world: World, alliance: Alliance
) -> None:
    admin = world.actors["administrator"]
    data = AgreementCreate(
        organisation_code=alliance.partner.code,
        role=Role.DATA_MANAGER,
        data_access=DataAccess.PATIENT_LEVEL,
        may_capture=True,
        export_level=ExportLevel.AGGREGATES,
        effective_from=today(),
        reference="Avenant n°2",
    )
    with pytest.raises(Forbidden):
        projects.record_agreement(
            session, alliance.project.code, data, actor=world.actors["coordinator"]
        )
    set_locale("en")
    created = projects.record_agreement(session, alliance.project.code, data, actor=admin)
    assert created.in_force and created.role == "data_manager"
    assert created.plain_words[0] == "Sees patient-level records at the project's sites."
    assert "Does not approve the monthly data." in created.plain_words
    set_locale("fr")
    with pytest.raises(Conflict) as overlap:
        projects.record_agreement(session, alliance.project.code, data, actor=admin)
    assert overlap.value.code is AllianceError.ALLIANCE_021
    contradictory = data.model_copy(
        update={
            "role": Role.RESEARCHER,
            "data_access": DataAccess.AGGREGATES,
            "export_level": ExportLevel.PATIENT_LEVEL,
        }
    )
    with pytest.raises(RuleViolation):
        projects.record_agreement(session, alliance.project.code, contradictory, actor=admin)
    reversed_dates = data.model_copy(
        update={"role": Role.RESEARCHER, "effective_to": today() - timedelta(days=1)}
    )
    with pytest.raises(RuleViolation):
        projects.record_agreement(session, alliance.project.code, reversed_dates, actor=admin)
    with pytest.raises(AlimaError) as unknown:
        projects.record_agreement(
            session,
            alliance.project.code,
            data.model_copy(update={"organisation_code": alliance.elsewhere_facility.code}),
            actor=admin,
        )
    assert unknown.value.code is AllianceError.ALLIANCE_002  # no such organisation
    with session.begin():
        make_organisation(session, "NOT-PARTNER", OrganisationKind.NATIONAL_NGO)
    with pytest.raises(Conflict) as outsider:
        projects.record_agreement(
            session,
            alliance.project.code,
            data.model_copy(update={"organisation_code": "NOT-PARTNER"}),
            actor=admin,
        )
    assert outsider.value.code is AllianceError.ALLIANCE_022
    with session.begin():
        events = list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.entity_type == "agreement", AuditEvent.entity_id == created.id
                )
            )
        )
    assert [e.action for e in events] == ["create"]
    # The new agreement applies at once to the partner's data managers.
    with session.begin():
        facility = session.get(Place, world.facility_a.id)
        partner = session.get(Organisation, alliance.partner.id)
    assert facility and partner
    assert user_of(session, partner, Role.DATA_MANAGER, place=facility).can(Permission.PATIENT_READ)
