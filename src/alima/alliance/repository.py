"""Queries of co-management; ``find_*`` returns ``None``; never commits.

Every query runs on SQLite and PostgreSQL.

Two functions here serve other domains:

- ``ensure_period_open(session, place_id=..., on=...)``, the period guard that
  ``alima.core.period_lock`` runs at every flush for each dated row written (a care record, a
  visit): it raises ``Conflict`` (``ALLIANCE_005``) when the month is approved at that place
  or at any place above it;
- ``count_health_workers_trained`` and ``health_workers_trained_by_month`` for indicators.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Final

from sqlalchemy import Select, bindparam, extract, func, or_, select
from sqlalchemy.orm import Session, selectinload

from alima.alliance import rules
from alima.alliance.enums import PeriodStatus
from alima.alliance.errors import AllianceError
from alima.alliance.models import (
    Agreement,
    BreakGlassGrant,
    DataPeriod,
    EmergencyAlert,
    FundingAllocation,
    FundingGrant,
    PeriodApproval,
    Training,
    TrainingParticipant,
)
from alima.core import repository as core_repository
from alima.core.enums import PartnerRole, PlaceKind
from alima.core.errors import Conflict
from alima.core.models import (
    AuditEvent,
    Organisation,
    Patient,
    Place,
    Project,
    ProjectPartner,
    ProjectPlace,
    User,
)
from alima.core.repository import find_by_id, in_paths

#: The live patient with an identifier: the core's query, which this domain's services use.
find_patient_by_identifier = core_repository.find_patient_by_identifier


# --- trainings -------------------------------------------------------------------------------


def _trained(
    paths: Sequence[str], start: date, end: date, project_id: uuid.UUID | None
) -> Select[str, uuid.UUID | None]:
    stmt = (
        select(TrainingParticipant.search_name, TrainingParticipant.organisation_id)
        .join(Training, Training.id == TrainingParticipant.training_id)
        .join(Place, Place.id == Training.place_id)
        .where(in_paths(Place.path, paths), Training.ended_on.between(start, end))
    )
    if project_id is not None:
        stmt = stmt.where(Training.project_id == project_id)
    return stmt


def count_health_workers_trained(
    session: Session,
    *,
    paths: Sequence[str],
    start: date,
    end: date,
    project_id: uuid.UUID | None = None,
) -> int:
    """Health workers trained at places inside ``paths``, trainings ending within [start, end].

    A health worker is counted once however many trainings they attended: participants are
    the same person when their folded names and organisations match.
    """
    distinct = _trained(paths, start, end, project_id).distinct().subquery()
    return session.scalar(select(func.count()).select_from(distinct)) or 0


def health_workers_trained_by_month(
    session: Session,
    *,
    paths: Sequence[str],
    start: date,
    end: date,
    project_id: uuid.UUID | None = None,
) -> dict[str, int]:
    """Health workers trained per month (``YYYY-MM``) of the trainings' end.

    Every month of [start, end] is present (zero included); a person trained twice in a month
    counts once in that month.
    """
    year = extract("year", Training.ended_on).label("year")
    month = extract("month", Training.ended_on).label("month")
    distinct = (
        _trained(paths, start, end, project_id).add_columns(year, month).distinct().subquery()
    )
    rows = session.execute(
        select(distinct.c.year, distinct.c.month, func.count()).group_by(
            distinct.c.year, distinct.c.month
        )
    )
    series = dict.fromkeys(rules.month_keys(start, end), 0)
    for y, m, count in rows:
        series[f"{int(y):04d}-{int(m):02d}"] = int(count)
    return series


def trainings_by_topic(
    session: Session,
    *,
    paths: Sequence[str],
    start: date,
    end: date,
    project_id: uuid.UUID | None = None,
) -> dict[str, int]:
    """Training sessions per topic at places inside ``paths``, ending within [start, end]."""
    stmt = (
        select(Training.topic, func.count())
        .join(Place, Place.id == Training.place_id)
        .where(in_paths(Place.path, paths), Training.ended_on.between(start, end))
        .group_by(Training.topic)
        .order_by(Training.topic)
    )
    if project_id is not None:
        stmt = stmt.where(Training.project_id == project_id)
    return {topic: int(count) for topic, count in session.execute(stmt)}


def list_trainings(
    session: Session,
    paths: Sequence[str],
    *,
    project_id: uuid.UUID | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[tuple[Training, int]], int]:
    """Trainings at places inside ``paths``, latest first, with their participant counts."""
    participants = (
        select(func.count())
        .where(TrainingParticipant.training_id == Training.id)
        .correlate(Training)
        .scalar_subquery()
    )
    stmt = (
        select(Training, participants)
        .join(Place, Place.id == Training.place_id)
        .where(in_paths(Place.path, paths))
        .options(
            selectinload(Training.place),
            selectinload(Training.organisation),
            selectinload(Training.project),
        )
    )
    if project_id is not None:
        stmt = stmt.where(Training.project_id == project_id)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(
        stmt.order_by(Training.ended_on.desc(), Training.title).limit(limit).offset(offset)
    )
    return [(training, int(count)) for training, count in rows], total


def find_training(session: Session, training_id: uuid.UUID) -> Training | None:
    """A training with its place, organisation, project and participants loaded."""
    return find_by_id(
        session,
        Training,
        training_id,
        selectinload(Training.place),
        selectinload(Training.organisation),
        selectinload(Training.project),
        selectinload(Training.participants).selectinload(TrainingParticipant.organisation),
    )


# --- organisations, places, projects ---------------------------------------------------------


def find_organisation_by_code(session: Session, code: str) -> Organisation | None:
    """The organisation with ``code``, if any."""
    return session.scalars(select(Organisation).where(Organisation.code == code)).one_or_none()


def list_organisations(session: Session) -> list[Organisation]:
    """Every organisation, by name."""
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def find_country_by_code(session: Session, code: str) -> Place | None:
    """The country place with ``code``, if any."""
    return session.scalars(
        select(Place).where(Place.code == code, Place.kind == PlaceKind.COUNTRY.value)
    ).one_or_none()


def list_countries(session: Session) -> list[Place]:
    """Every country place."""
    return list(
        session.scalars(
            select(Place).where(Place.kind == PlaceKind.COUNTRY.value).order_by(Place.code)
        )
    )


def list_projects(session: Session, *, country_id: uuid.UUID | None = None) -> list[Project]:
    """Projects (optionally of one country) with partners and places loaded, by code."""
    stmt = (
        select(Project)
        .options(
            selectinload(Project.partners).selectinload(ProjectPartner.organisation),
            selectinload(Project.places).selectinload(ProjectPlace.place),
        )
        .order_by(Project.code)
    )
    if country_id is not None:
        stmt = stmt.where(Project.country_id == country_id)
    return list(session.scalars(stmt))


def find_project(session: Session, code: str) -> Project | None:
    """The project with ``code``, partners and places loaded."""
    return session.scalars(
        select(Project)
        .where(Project.code == code)
        .options(
            selectinload(Project.partners).selectinload(ProjectPartner.organisation),
            selectinload(Project.places).selectinload(ProjectPlace.place),
        )
    ).one_or_none()


def projects_serving(session: Session, place_path: str) -> list[Project]:
    """Projects that serve the place at ``place_path`` (one of their places contains it)."""
    rows = session.execute(
        select(Project, Place.path)
        .join(ProjectPlace, ProjectPlace.project_id == Project.id)
        .join(Place, Place.id == ProjectPlace.place_id)
        .order_by(Project.code)
    )
    seen: dict[uuid.UUID, Project] = {}
    for project, path in rows:
        if place_path.startswith(path):
            seen.setdefault(project.id, project)
    return list(seen.values())


def lead_organisation_ids(session: Session, project_id: uuid.UUID) -> list[uuid.UUID]:
    """Organisations that lead or co-lead a project (they approve its months)."""
    return list(
        session.scalars(
            select(ProjectPartner.organisation_id).where(
                ProjectPartner.project_id == project_id,
                ProjectPartner.role.in_([PartnerRole.LEAD.value, PartnerRole.CO_LEAD.value]),
            )
        )
    )


def is_partner(session: Session, project_id: uuid.UUID, organisation_id: uuid.UUID) -> bool:
    """Whether the organisation takes part in the project in any role."""
    return (
        session.scalar(
            select(ProjectPartner.id).where(
                ProjectPartner.project_id == project_id,
                ProjectPartner.organisation_id == organisation_id,
            )
        )
        is not None
    )


# --- agreements ------------------------------------------------------------------------------


def list_agreements(session: Session, project_id: uuid.UUID) -> list[Agreement]:
    """A project's agreements, by organisation, role and start date."""
    return list(
        session.scalars(
            select(Agreement)
            .where(Agreement.project_id == project_id)
            .options(selectinload(Agreement.organisation))
            .join(Organisation, Organisation.id == Agreement.organisation_id)
            .order_by(Organisation.name, Agreement.role, Agreement.effective_from)
        )
    )


def agreements_governing(
    session: Session, organisation_id: uuid.UUID
) -> dict[uuid.UUID, list[Agreement]]:
    """The organisation's agreements in each project it partners in that has agreements.

    A project listed with no agreement means the organisation gets the default terms there.
    """
    governed = list(
        session.scalars(
            select(ProjectPartner.project_id)
            .where(
                ProjectPartner.organisation_id == organisation_id,
                ProjectPartner.project_id.in_(select(Agreement.project_id)),
            )
            .distinct()
        )
    )
    result: dict[uuid.UUID, list[Agreement]] = {project_id: [] for project_id in governed}
    if governed:
        for agreement in session.scalars(
            select(Agreement).where(
                Agreement.organisation_id == organisation_id,
                Agreement.project_id.in_(governed),
            )
        ):
            result[agreement.project_id].append(agreement)
    return result


# --- break-the-glass -------------------------------------------------------------------------


def live_emergency_patient_ids(
    session: Session, user_id: uuid.UUID, now: datetime
) -> frozenset[uuid.UUID]:
    """Patients the user opened by break-the-glass and whose access has not yet ended."""
    return frozenset(
        session.scalars(
            select(BreakGlassGrant.patient_id).where(
                BreakGlassGrant.user_id == user_id, BreakGlassGrant.expires_at > now
            )
        )
    )


def list_break_glass(
    session: Session, paths: Sequence[str], *, user_id: uuid.UUID | None = None, limit: int = 200
) -> list[tuple[BreakGlassGrant, Organisation | None, int]]:
    """Emergency accesses to patients inside ``paths`` (or opened by ``user_id``), newest first.

    Each comes with the opener's organisation and the number of reads made under it.
    """
    reads = (
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.actor_id == BreakGlassGrant.user_id,
            AuditEvent.patient_id == BreakGlassGrant.patient_id,
            AuditEvent.detail == "break_glass",
            AuditEvent.at >= BreakGlassGrant.created_at,
            AuditEvent.at <= BreakGlassGrant.expires_at,
        )
        .correlate(BreakGlassGrant)
        .scalar_subquery()
    )
    stmt = (
        select(BreakGlassGrant, Organisation, reads)
        .join(Patient, Patient.id == BreakGlassGrant.patient_id)
        .join(Place, Place.id == Patient.place_id)
        .join(User, User.id == BreakGlassGrant.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .options(
            selectinload(BreakGlassGrant.user),
            selectinload(BreakGlassGrant.patient).selectinload(Patient.place),
        )
        .order_by(BreakGlassGrant.created_at.desc())
        .limit(limit)
    )
    scope = in_paths(Place.path, paths)
    stmt = stmt.where(or_(scope, BreakGlassGrant.user_id == user_id) if user_id else scope)
    return [(grant, org, int(count)) for grant, org, count in session.execute(stmt)]


# --- monthly approval and locking ------------------------------------------------------------


def find_period(session: Session, period_id: uuid.UUID) -> DataPeriod | None:
    """A site's month with place, project and approvals loaded."""
    return find_by_id(
        session,
        DataPeriod,
        period_id,
        selectinload(DataPeriod.place),
        selectinload(DataPeriod.project),
        selectinload(DataPeriod.approvals).selectinload(PeriodApproval.organisation),
    )


def find_period_at(session: Session, place_id: uuid.UUID, starts_on: date) -> DataPeriod | None:
    """The record of a place's month, if it was ever submitted."""
    return session.scalars(
        select(DataPeriod).where(DataPeriod.place_id == place_id, DataPeriod.starts_on == starts_on)
    ).one_or_none()


def list_periods(session: Session, paths: Sequence[str], *, limit: int = 100) -> list[DataPeriod]:
    """Months of places inside ``paths``, latest month first."""
    return list(
        session.scalars(
            select(DataPeriod)
            .join(Place, Place.id == DataPeriod.place_id)
            .where(in_paths(Place.path, paths))
            .options(
                selectinload(DataPeriod.place),
                selectinload(DataPeriod.project),
                selectinload(DataPeriod.approvals).selectinload(PeriodApproval.organisation),
            )
            .order_by(DataPeriod.starts_on.desc(), Place.name)
            .limit(limit)
        )
    )


#: Built once (it runs at every flush of a dated row): the place's ancestors and the month
#: are its parameters.
_LOCKED_PERIOD: Final = (
    select(DataPeriod.starts_on, Place.name)
    .join(Place, Place.id == DataPeriod.place_id)
    .where(
        DataPeriod.place_id.in_(bindparam("places", expanding=True)),
        DataPeriod.starts_on == bindparam("month"),
        DataPeriod.status == PeriodStatus.APPROVED.value,
    )
    .limit(1)
)


def find_locked_period(session: Session, place: Place, on: date) -> tuple[date, str] | None:
    """The approved month covering ``on`` at ``place`` or above it: (first day, place name).

    Runs at every flush of a dated row, so it reads two columns in one indexed query, through
    the connection, rather than loading the period and its place through the ORM.
    """
    row = (
        session.connection()
        .execute(
            _LOCKED_PERIOD,
            {"places": rules.ancestor_ids(place.path), "month": rules.month_start(on)},
        )
        .first()
    )
    return None if row is None else (row[0], row[1])


def ensure_period_open(session: Session, *, place_id: uuid.UUID, on: date) -> None:
    """Refuse a write dated ``on`` at ``place_id`` when that month is approved there or above.

    Runs at flush for every dated row (``alima.core.period_lock``). Raises ``Conflict``
    (``ALLIANCE_005``) with the month and the place in a translated message.
    """
    place = session.get(Place, place_id)
    if place is None:
        return
    locked = find_locked_period(session, place, on)
    if locked is not None:
        starts_on, place_name = locked
        raise Conflict(
            AllianceError.ALLIANCE_005, month=rules.month_key(starts_on), place=place_name
        )


# --- funding ---------------------------------------------------------------------------------


def list_grants(session: Session, project_ids: Sequence[uuid.UUID]) -> list[FundingGrant]:
    """Grants of the projects, with donors and allocations (and their organisations) loaded."""
    if not project_ids:
        return []
    return list(
        session.scalars(
            select(FundingGrant)
            .where(FundingGrant.project_id.in_(project_ids))
            .options(
                selectinload(FundingGrant.donor),
                selectinload(FundingGrant.project),
                selectinload(FundingGrant.allocations).selectinload(FundingAllocation.organisation),
            )
            .order_by(FundingGrant.starts_on, FundingGrant.reference)
        )
    )


def find_grant(session: Session, grant_id: uuid.UUID) -> FundingGrant | None:
    """A grant with its project's places and its allocations loaded."""
    return find_by_id(
        session,
        FundingGrant,
        grant_id,
        selectinload(FundingGrant.project)
        .selectinload(Project.places)
        .selectinload(ProjectPlace.place),
        selectinload(FundingGrant.allocations),
    )


def grant_reference_exists(session: Session, project_id: uuid.UUID, reference: str) -> bool:
    """Whether the project already has a grant with this reference."""
    return (
        session.scalar(
            select(FundingGrant.id).where(
                FundingGrant.project_id == project_id, FundingGrant.reference == reference
            )
        )
        is not None
    )


# --- read audit ------------------------------------------------------------------------------

READ_ACTIONS = ("read", "read_denied")


def list_reads(
    session: Session,
    paths: Sequence[str],
    *,
    since: datetime | None,
    until: datetime | None,
    username: str | None,
    identifier: str | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[AuditEvent, str | None, str | None, str | None, str | None]], int]:
    """Openings (and refused openings) of patient records at places inside ``paths``.

    Newest first: each event with the reader's user name and organisation code, and the
    patient's identifier and place name.
    """
    stmt = (
        select(AuditEvent, User.username, Organisation.code, Patient.identifier, Place.name)
        .join(Place, Place.id == AuditEvent.place_id)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .outerjoin(Patient, Patient.id == AuditEvent.patient_id)
        .where(
            AuditEvent.action.in_(READ_ACTIONS),
            AuditEvent.patient_id.is_not(None),
            in_paths(Place.path, paths),
        )
    )
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    if username:
        stmt = stmt.where(func.lower(User.username) == username.strip().lower())
    if identifier:
        stmt = stmt.where(func.upper(Patient.identifier) == identifier.strip().upper())
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(
        stmt.order_by(AuditEvent.at.desc(), AuditEvent.id).limit(limit).offset(offset)
    )
    return [(e, u, o, i, p) for e, u, o, i, p in rows], total


def count_break_glass_since(session: Session, user_id: uuid.UUID, since: datetime) -> int:
    """Emergency accesses ``user_id`` opened since ``since``."""
    return (
        session.scalar(
            select(func.count())
            .select_from(BreakGlassGrant)
            .where(BreakGlassGrant.user_id == user_id, BreakGlassGrant.created_at >= since)
        )
        or 0
    )


def list_emergency_alerts(
    session: Session, paths: Sequence[str], *, limit: int = 50
) -> list[EmergencyAlert]:
    """Alerts about patients inside ``paths``, newest first."""
    if not paths:
        return []
    return list(
        session.scalars(
            select(EmergencyAlert)
            .join(Patient, Patient.id == EmergencyAlert.patient_id)
            .join(Place, Place.id == Patient.place_id)
            .where(in_paths(Place.path, paths))
            .options(
                selectinload(EmergencyAlert.user),
                selectinload(EmergencyAlert.patient).selectinload(Patient.place),
            )
            .order_by(EmergencyAlert.created_at.desc())
            .limit(limit)
        )
    )
