"""Builders for co-management: organisations, a co-managed project over the world's district,
agreements, trainings, grants, and a second country out of everyone's scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from alima.alliance.enums import DataAccess, ExportLevel
from alima.alliance.models import (
    Agreement,
    DataPeriod,
    FundingAllocation,
    FundingGrant,
    Training,
    TrainingParticipant,
)
from alima.alliance.rules import month_start, participant_key
from alima.core.access import Actor
from alima.core.enums import OrganisationKind, PartnerRole, Role
from alima.core.models import (
    Organisation,
    Patient,
    Place,
    Project,
    ProjectPartner,
    ProjectPlace,
    RoleAssignment,
    User,
)
from alima.core.service.auth import actor_for
from alima.core.time import today
from tests.factories.core import _HASH, World, make_patient, make_place


def make_organisation(session: Session, code: str, kind: OrganisationKind) -> Organisation:
    organisation = Organisation(code=code, name=f"Organisation {code}", kind=kind.value)
    session.add(organisation)
    session.flush()
    return organisation


def make_project(
    session: Session,
    country: Place,
    places: list[Place],
    partners: list[tuple[Organisation, PartnerRole]],
    *,
    code: str | None = None,
) -> Project:
    project = Project(
        code=code or f"P-{uuid.uuid4().hex[:6].upper()}",
        name="Projet co-géré",
        country_id=country.id,
        programme_areas=["nutrition"],
        start_on=today() - timedelta(days=700),
        end_on=today() + timedelta(days=365),
    )
    session.add(project)
    session.flush()
    for place in places:
        session.add(ProjectPlace(project_id=project.id, place_id=place.id))
    for organisation, role in partners:
        session.add(
            ProjectPartner(project_id=project.id, organisation_id=organisation.id, role=role.value)
        )
    session.flush()
    return project


def make_agreement(
    session: Session,
    project: Project,
    organisation: Organisation,
    data_access: DataAccess,
    *,
    role: Role | None = None,
    may_capture: bool = True,
    may_approve: bool = True,
    export_level: ExportLevel | None = None,
    effective_from: date | None = None,
    effective_to: date | None = None,
) -> Agreement:
    if export_level is None:
        export_level = (
            ExportLevel.PATIENT_LEVEL
            if data_access is DataAccess.PATIENT_LEVEL
            else ExportLevel.AGGREGATES
        )
    agreement = Agreement(
        project_id=project.id,
        organisation_id=organisation.id,
        role=role.value if role else None,
        data_access=data_access.value,
        may_capture=may_capture,
        may_approve=may_approve,
        export_level=export_level.value,
        effective_from=effective_from or today() - timedelta(days=365),
        effective_to=effective_to,
    )
    session.add(agreement)
    session.flush()
    return agreement


def make_training(
    session: Session,
    place: Place,
    organisation: Organisation,
    *,
    participants: Sequence[tuple[str, Organisation | None]],
    ended_on: date | None = None,
    topic: str = "IPC",
    project: Project | None = None,
    title: str = "Formation PCI",
) -> Training:
    ended = ended_on or today() - timedelta(days=10)
    training = Training(
        title=title,
        topic=topic,
        organisation_id=organisation.id,
        place_id=place.id,
        project_id=project.id if project else None,
        started_on=ended - timedelta(days=2),
        ended_on=ended,
        trainer="Dr Formateur",
    )
    session.add(training)
    session.flush()
    for name, org in participants:
        session.add(
            TrainingParticipant(
                training_id=training.id,
                full_name=name,
                search_name=participant_key(name),
                cadre="Infirmier",
                organisation_id=org.id if org else None,
            )
        )
    session.flush()
    return training


def make_grant(
    session: Session,
    project: Project,
    donor: Organisation,
    *,
    amount: int,
    reporting_amount: int | None = None,
    currency: str = "EUR",
    allocations: Sequence[tuple[Organisation, int]] = (),
    reference: str | None = None,
) -> FundingGrant:
    grant = FundingGrant(
        project_id=project.id,
        donor_id=donor.id,
        reference=reference or f"G-{uuid.uuid4().hex[:6]}",
        title="Subvention",
        currency=currency,
        amount=amount,
        reporting_amount=reporting_amount or amount,
        starts_on=today() - timedelta(days=100),
        ends_on=today() + timedelta(days=265),
    )
    session.add(grant)
    session.flush()
    for organisation, value in allocations:
        session.add(
            FundingAllocation(grant_id=grant.id, organisation_id=organisation.id, amount=value)
        )
    session.flush()
    return grant


def last_month() -> date:
    """First day of last month (a month that has ended)."""
    return month_start(month_start(today()) - timedelta(days=1))


@dataclass
class Alliance:
    """The world made co-managed, plus an elsewhere nobody in the world may see.

    - ``lead`` (international NGO) and ``colead`` (national NGO) lead the project with
      patient-level agreements; ``partner`` (national NGO, implementing) has an aggregates-only
      agreement; ``funder`` funds it.
    - Every world user belongs to ``lead``; ``colead_coordinator`` is the co-lead's coordinator
      and ``partner_coordinator`` a coordinator of ``partner`` (aggregates only), both
      scoped to the project.
    - ``elsewhere``: another country with its own project, facility, patient, training, month.
    """

    lead: Organisation
    colead: Organisation
    partner: Organisation
    funder: Organisation
    project: Project
    training: Training
    period: DataPeriod
    grant: FundingGrant
    colead_coordinator: User
    partner_coordinator: User
    actors: dict[str, Actor]
    elsewhere_country: Place
    elsewhere_facility: Place
    elsewhere_patient: Patient
    elsewhere_project: Project
    elsewhere_training: Training
    elsewhere_period: DataPeriod
    elsewhere_grant: FundingGrant


def _user(
    session: Session, username: str, role: Role, organisation: Organisation, **scope: object
) -> User:
    user = User(
        username=username,
        full_name=username.title(),
        password_hash=_HASH,
        organisation_id=organisation.id,
    )
    session.add(user)
    session.flush()
    session.add(RoleAssignment(user_id=user.id, role=role.value, **scope))
    session.flush()
    return user


def build_alliance(session: Session, world: World) -> Alliance:
    """Make the world co-managed (see ``Alliance``)."""
    with session.begin():
        suffix = uuid.uuid4().hex[:4].upper()
        lead = make_organisation(session, f"LEAD-{suffix}", OrganisationKind.INTERNATIONAL_NGO)
        colead = make_organisation(session, f"COLEAD-{suffix}", OrganisationKind.NATIONAL_NGO)
        partner = make_organisation(session, f"PART-{suffix}", OrganisationKind.NATIONAL_NGO)
        funder = make_organisation(session, f"FUND-{suffix}", OrganisationKind.DONOR)
        district = session.get(Place, world.district.id)
        country = session.get(Place, world.country.id)
        facility_a = session.get(Place, world.facility_a.id)
        assert district is not None and country is not None and facility_a is not None
        project = make_project(
            session,
            country,
            [district],
            [
                (lead, PartnerRole.LEAD),
                (colead, PartnerRole.CO_LEAD),
                (partner, PartnerRole.IMPLEMENTING),
                (funder, PartnerRole.FUNDER),
            ],
            code=f"PRJ-{suffix}",
        )
        make_agreement(session, project, lead, DataAccess.PATIENT_LEVEL)
        make_agreement(session, project, colead, DataAccess.PATIENT_LEVEL)
        make_agreement(
            session, project, partner, DataAccess.AGGREGATES, may_capture=False, may_approve=False
        )
        make_agreement(
            session, project, funder, DataAccess.AGGREGATES, may_capture=False, may_approve=False
        )
        for user in world.users.values():
            stored = session.get(User, user.id)
            assert stored is not None
            stored.organisation_id = lead.id
        colead_coordinator = _user(
            session, f"colead_{suffix}".lower(), Role.COORDINATOR, colead, project_id=project.id
        )
        partner_coordinator = _user(
            session, f"partner_{suffix}".lower(), Role.COORDINATOR, partner, project_id=project.id
        )
        training = make_training(
            session,
            facility_a,
            colead,
            participants=[("Awa Diallo", colead), ("Moussa Sidibé", None)],
            project=project,
        )
        period = DataPeriod(
            project_id=project.id,
            place_id=facility_a.id,
            starts_on=last_month(),
            status="submitted",
            round=1,
            submitted_by_id=world.users["data_manager"].id,
        )
        session.add(period)
        grant = make_grant(
            session, project, funder, amount=100_000, allocations=[(colead, 40_000), (lead, 50_000)]
        )
        # Elsewhere: another country, nobody of the world has a scope there.
        elsewhere_country = make_place(session, f"X{suffix}", "country", None)
        elsewhere_district = make_place(session, f"X{suffix}-D", "district", elsewhere_country)
        elsewhere_facility = make_place(session, f"X{suffix}-D-CS", "facility", elsewhere_district)
        elsewhere_patient = make_patient(
            session, elsewhere_facility, given="Zeynabou", family="Ailleurs"
        )
        elsewhere_project = make_project(
            session,
            elsewhere_country,
            [elsewhere_district],
            [(lead, PartnerRole.LEAD)],
            code=f"XPRJ-{suffix}",
        )
        elsewhere_training = make_training(
            session, elsewhere_facility, lead, participants=[("Ibrahim Maïga", lead)]
        )
        elsewhere_period = DataPeriod(
            project_id=elsewhere_project.id,
            place_id=elsewhere_facility.id,
            starts_on=last_month(),
            status="submitted",
            round=1,
            submitted_by_id=world.users["data_manager"].id,
        )
        session.add(elsewhere_period)
        elsewhere_grant = make_grant(session, elsewhere_project, funder, amount=5_000)
        session.flush()
        users = {key: session.get(User, u.id) for key, u in world.users.items()}
        users["colead_coordinator"] = colead_coordinator
        users["partner_coordinator"] = partner_coordinator
        actors = {
            key: actor_for(session, user, channel="web", ip=None)
            for key, user in users.items()
            if user is not None
        }
    session.expunge_all()
    world.actors.update(actors)
    return Alliance(
        lead=lead,
        colead=colead,
        partner=partner,
        funder=funder,
        project=project,
        training=training,
        period=period,
        grant=grant,
        colead_coordinator=colead_coordinator,
        partner_coordinator=partner_coordinator,
        actors=actors,
        elsewhere_country=elsewhere_country,
        elsewhere_facility=elsewhere_facility,
        elsewhere_patient=elsewhere_patient,
        elsewhere_project=elsewhere_project,
        elsewhere_training=elsewhere_training,
        elsewhere_period=elsewhere_period,
        elsewhere_grant=elsewhere_grant,
    )


def alliance_page_values(session: Session, world: World) -> dict[str, str]:
    """Values of the co-management pages' path parameters, for the page walk."""
    alliance = build_alliance(session, world)
    return {
        "project_code": alliance.project.code,
        "country_code": world.country.code,
        "training_id": str(alliance.training.id),
    }
