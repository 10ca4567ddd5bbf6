"""Projects as co-managed, and the country dashboard.

Partners, agreements in plain words, funding and its national NGO share, trainings. Aggregates
only: no patient appears here.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from alima.alliance import repository, rules
from alima.alliance.errors import AllianceError
from alima.alliance.governance import terms_of
from alima.alliance.models import Agreement, FundingAllocation, FundingGrant
from alima.alliance.schemas import (
    AgreementCreate,
    AgreementRead,
    AllocationCreate,
    AllocationRead,
    CountryDashboard,
    FormOptions,
    FundingShareRead,
    GrantCreate,
    GrantRead,
    PartnerRead,
    ProjectFunding,
    ProjectOverview,
    ProjectSummary,
)
from alima.alliance.service.common import (
    EPOCH,
    country_fields,
    overlap,
    project_visible,
    touches,
    training_summary,
)
from alima.core.access import Actor, Permission
from alima.core.audit import snapshot
from alima.core.config import Settings
from alima.core.enums import OrganisationKind
from alima.core.errors import Conflict, CoreError, Forbidden, NotFound
from alima.core.models import Organisation, Place, Project, ProjectPartner
from alima.core.service import auth
from alima.core.service.common import add_created, dto, new_row
from alima.core.time import today


def _paths(project: Project) -> list[str]:
    return [pp.place.path for pp in project.places]


def _visible_project(session: Session, code: str, actor: Actor, permission: Permission) -> Project:
    project = repository.find_project(session, code)
    if project is None or not project_visible(actor, permission, project.id, _paths(project)):
        raise NotFound(AllianceError.ALLIANCE_001, code=code)
    return project


def _organisation(session: Session, code: str) -> Organisation:
    organisation = repository.find_organisation_by_code(session, code)
    if organisation is None:
        raise NotFound(AllianceError.ALLIANCE_002, code=code)
    return organisation


def _agreement_read(agreement: Agreement, on: date) -> AgreementRead:
    terms = terms_of(agreement)
    return dto(
        AgreementRead,
        agreement,
        organisation_code=agreement.organisation.code,
        organisation_name=agreement.organisation.name,
        data_access=terms.data_access,
        may_capture=terms.may_capture,
        may_approve=terms.may_approve,
        export_level=terms.export_level,
        in_force=rules.in_force(agreement.effective_from, agreement.effective_to, on),
        plain_words=rules.describe_terms(terms),
    )


def _is_national(organisation: Organisation) -> bool:
    return organisation.kind == OrganisationKind.NATIONAL_NGO.value


def _grant_read(grant: FundingGrant) -> GrantRead:
    return dto(
        GrantRead,
        grant,
        project_code=grant.project.code,
        donor_code=grant.donor.code,
        donor_name=grant.donor.name,
        allocated=sum(a.amount for a in grant.allocations),
        allocations=[
            dto(
                AllocationRead,
                a,
                organisation_code=a.organisation.code,
                organisation_name=a.organisation.name,
                national_ngo=_is_national(a.organisation),
            )
            for a in grant.allocations
        ],
    )


def _share(grants: list[FundingGrant], currency: str) -> FundingShareRead:
    figures = [
        rules.GrantFigures(
            amount=g.amount,
            reporting_amount=g.reporting_amount,
            allocations=tuple((_is_national(a.organisation), a.amount) for a in g.allocations),
        )
        for g in grants
    ]
    share = rules.funding_share(figures)
    return FundingShareRead(
        currency=currency,
        total=share.total,
        national=share.national,
        share_percent=share.share_percent,
    )


_ROLE_ORDER = {"lead": 0, "co_lead": 1, "implementing": 2, "research": 3, "funder": 4}


def _partner_order(partner: ProjectPartner) -> tuple[int, str]:
    return _ROLE_ORDER.get(partner.role, len(_ROLE_ORDER)), partner.organisation.name


def list_projects(session: Session, *, actor: Actor) -> list[ProjectSummary]:
    """Projects whose aggregates the actor may see."""
    if not actor.can(Permission.AGGREGATE_READ):
        raise Forbidden(CoreError.CORE_002)
    with session.begin():
        countries = {p.id: p for p in repository.list_countries(session)}
        return [
            dto(ProjectSummary, p, **country_fields(countries.get(p.country_id)))
            for p in repository.list_projects(session)
            if project_visible(actor, Permission.AGGREGATE_READ, p.id, _paths(p))
        ]


def project_overview(
    session: Session, code: str, *, actor: Actor, settings: Settings
) -> ProjectOverview:
    """The co-managed project: partners, agreements, funding share, trainings."""
    on = today()
    with session.begin():
        project = _visible_project(session, code, actor, Permission.AGGREGATE_READ)
        country = session.get(Place, project.country_id)
        grants = repository.list_grants(session, [project.id])
        return dto(
            ProjectOverview,
            project,
            **country_fields(country),
            programme_areas=list(project.programme_areas or []),
            places=sorted(pp.place.name for pp in project.places),
            partners=[
                PartnerRead(
                    organisation_code=pp.organisation.code,
                    organisation_name=pp.organisation.name,
                    kind=pp.organisation.kind,
                    role=pp.role,
                )
                for pp in sorted(project.partners, key=_partner_order)
            ],
            agreements=[
                _agreement_read(a, on) for a in repository.list_agreements(session, project.id)
            ],
            grants=[_grant_read(g) for g in grants],
            funding=_share(grants, settings.reporting_currency),
            trainings=training_summary(
                session,
                paths=_paths(project),
                start=min(project.start_on, on),
                end=on,
                project_id=project.id,
            ),
        )


def organisations(session: Session) -> list[tuple[str, str]]:
    """Every organisation's (code, name), for the forms' choices."""
    with session.begin():
        return [(o.code, o.name) for o in repository.list_organisations(session)]


def form_options(
    session: Session, code: str, *, actor: Actor, permission: Permission
) -> FormOptions:
    """The project and organisations for an agreement or grant form, if the actor may record."""
    with session.begin():
        project = _visible_project(session, code, actor, Permission.AGGREGATE_READ)
        if not project_visible(actor, permission, project.id, _paths(project)):
            raise Forbidden(CoreError.CORE_002)
        return FormOptions(
            project_code=project.code,
            project_name=project.name,
            organisations=[(o.code, o.name) for o in repository.list_organisations(session)],
        )


def record_agreement(
    session: Session, code: str, data: AgreementCreate, *, actor: Actor
) -> AgreementRead:
    """Record an agreement signed by a partner organisation (administrators)."""
    terms = rules.Terms(data.data_access, data.may_capture, data.may_approve, data.export_level)
    with session.begin():
        project = _visible_project(session, code, actor, Permission.AGGREGATE_READ)
        if not project_visible(actor, Permission.AGREEMENT_WRITE, project.id, _paths(project)):
            raise Forbidden(CoreError.CORE_002)
        rules.check_terms(terms)
        rules.check_dates(data.effective_from, data.effective_to)
        organisation = _organisation(session, data.organisation_code)
        if not repository.is_partner(session, project.id, organisation.id):
            raise Conflict(AllianceError.ALLIANCE_022, code=organisation.code)
        role = data.role.value if data.role else None
        for existing in repository.list_agreements(session, project.id):
            if (
                existing.organisation_id == organisation.id
                and existing.role == role
                and rules.overlaps(
                    existing.effective_from,
                    existing.effective_to,
                    data.effective_from,
                    data.effective_to,
                )
            ):
                raise Conflict(AllianceError.ALLIANCE_021)
        agreement = Agreement(
            project_id=project.id,
            organisation_id=organisation.id,
            organisation=organisation,
            role=role,
            data_access=terms.data_access.value,
            may_capture=terms.may_capture,
            may_approve=terms.may_approve,
            export_level=terms.export_level.value,
            effective_from=data.effective_from,
            effective_to=data.effective_to,
            reference=data.reference or None,
            created_by_id=actor.id,
        )
        fields = (
            "project_id",
            "organisation_id",
            "role",
            "data_access",
            "may_capture",
            "may_approve",
            "export_level",
            "effective_from",
            "effective_to",
        )
        after = snapshot(agreement, fields)
        add_created(session, actor, agreement, "agreement", after=after, place_id=None)
        result = _agreement_read(agreement, today())
    auth.forget_api_actors()  # the agreement applies from the next API call
    return result


def record_grant(
    session: Session, code: str, data: GrantCreate, *, actor: Actor, settings: Settings
) -> GrantRead:
    """Record a donor's grant to a project (coordinators)."""
    rules.check_dates(data.starts_on, data.ends_on)
    rules.check_reporting_amount(
        data.currency, settings.reporting_currency, data.amount, data.reporting_amount
    )
    with session.begin():
        project = _visible_project(session, code, actor, Permission.AGGREGATE_READ)
        if not project_visible(actor, Permission.FUNDING_WRITE, project.id, _paths(project)):
            raise Forbidden(CoreError.CORE_002)
        donor = _organisation(session, data.donor_code)
        if repository.grant_reference_exists(session, project.id, data.reference):
            raise Conflict(AllianceError.ALLIANCE_020, reference=data.reference)
        grant = new_row(
            FundingGrant,
            data,
            project_id=project.id,
            project=project,
            donor_id=donor.id,
            donor=donor,
            created_by_id=actor.id,
        )
        after = snapshot(grant, ("reference", "currency", "amount", "reporting_amount"))
        add_created(session, actor, grant, "funding_grant", after=after, place_id=None)
        return _grant_read(grant)


def allocate(
    session: Session, grant_id: uuid.UUID, data: AllocationCreate, *, actor: Actor
) -> GrantRead:
    """Allocate part of a grant to a partner organisation (coordinators)."""
    with session.begin():
        grant = repository.find_grant(session, grant_id)
        paths = _paths(grant.project) if grant else []
        if grant is None or not project_visible(
            actor, Permission.AGGREGATE_READ, grant.project_id, paths
        ):
            raise NotFound(AllianceError.ALLIANCE_017)
        if not project_visible(actor, Permission.FUNDING_WRITE, grant.project_id, paths):
            raise Forbidden(CoreError.CORE_002)
        organisation = _organisation(session, data.organisation_code)
        rules.check_allocation(
            grant.amount, sum(a.amount for a in grant.allocations), data.amount, grant.currency
        )
        allocation = new_row(
            FundingAllocation,
            data,
            grant_id=grant.id,
            organisation_id=organisation.id,
            organisation=organisation,
            created_by_id=actor.id,
        )
        after = snapshot(allocation, ("grant_id", "organisation_id", "amount"))
        add_created(session, actor, allocation, "funding_allocation", after=after, place_id=None)
        session.refresh(grant, ["allocations"])
        return _grant_read(grant)


def country_dashboard(
    session: Session, code: str, *, actor: Actor, settings: Settings
) -> CountryDashboard:
    """Funding share to national NGOs and trainings in a country, within the actor's scope."""
    on = today()
    with session.begin():
        country = repository.find_country_by_code(session, code)
        scope = actor.paths_for(Permission.AGGREGATE_READ)
        if country is None or not touches(scope, [country.path]):
            raise NotFound(AllianceError.ALLIANCE_023, code=code)
        paths = list(overlap(scope, country.path))
        projects = [
            p
            for p in repository.list_projects(session, country_id=country.id)
            if project_visible(actor, Permission.AGGREGATE_READ, p.id, _paths(p))
        ]
        grants = repository.list_grants(session, [p.id for p in projects])
        year_start = date(on.year, 1, 1)
        lines = [
            ProjectFunding(
                code=p.code,
                name=p.name,
                funding=_share(
                    [g for g in grants if g.project_id == p.id], settings.reporting_currency
                ),
                health_workers_trained=repository.count_health_workers_trained(
                    session, paths=paths, start=EPOCH, end=on, project_id=p.id
                ),
            )
            for p in projects
        ]
        return CountryDashboard(
            code=country.code,
            name=country.name,
            funding=_share(grants, settings.reporting_currency),
            projects=lines,
            trainings=training_summary(session, paths=paths, start=year_start, end=on),
            trainings_all_time=repository.count_health_workers_trained(
                session, paths=paths, start=EPOCH, end=on
            ),
        )
