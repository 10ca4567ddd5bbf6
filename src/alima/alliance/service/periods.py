"""Monthly data approval and locking.

A data manager submits a site's month, the coordinators of the lead and co-lead organisations
approve it; approved means locked (``repository.ensure_period_open`` refuses every write dated
in it) until a coordinator unlocks it with a reason. Every step is audited.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from alima.alliance import repository, rules
from alima.alliance.enums import PeriodStatus
from alima.alliance.errors import AllianceError
from alima.alliance.models import DataPeriod, PeriodApproval
from alima.alliance.schemas import (
    ApprovalRead,
    ApprovalsPage,
    PeriodRead,
    PeriodSubmit,
    SubmitOption,
    UnlockRequest,
)
from alima.alliance.service.common import refusal
from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.audit import record
from alima.core.enums import SERVICE_POINTS, AuditAction
from alima.core.errors import CoreError, Forbidden, NotFound, RuleViolation
from alima.core.models import Organisation, User
from alima.core.time import today, utcnow

#: Months offered for submission (the last ones that have ended).
SUBMITTABLE_MONTHS = 12

VIEW_PERMISSIONS = (
    Permission.AGGREGATE_READ,
    Permission.DATA_SUBMIT,
    Permission.DATA_APPROVE,
    Permission.PERIOD_UNLOCK,
)


def _organisation_id(session: Session, actor: Actor) -> uuid.UUID | None:
    user = session.get(User, actor.id)
    return user.organisation_id if user else None


def _read(
    session: Session, period: DataPeriod, actor: Actor, organisation_id: uuid.UUID | None
) -> PeriodRead:
    status = PeriodStatus(period.status)
    current = [a for a in period.approvals if a.round == period.round]
    approved = frozenset(a.organisation_id for a in current)
    required = frozenset(repository.lead_organisation_ids(session, period.project_id))
    awaiting = [
        o.code
        for o in (session.get(Organisation, oid) for oid in required - approved)
        if o is not None
    ]
    path = period.place.path
    return PeriodRead(
        id=period.id,
        place_code=period.place.code,
        place_name=period.place.name,
        project_code=period.project.code,
        month=rules.month_key(period.starts_on),
        status=status.value,
        locked=rules.is_locked(status),
        round=period.round,
        submitted_at=period.submitted_at,
        approvals=[
            ApprovalRead(
                organisation_code=a.organisation.code,
                approved_by=a.approved_by.full_name,
                approved_at=a.approved_at,
            )
            for a in current
        ],
        awaiting=sorted(awaiting) if status is PeriodStatus.SUBMITTED else [],
        unlock_reason=period.unlock_reason,
        can_approve=actor.can_at(Permission.DATA_APPROVE, path)
        and status is PeriodStatus.SUBMITTED
        and organisation_id in required - approved,
        can_unlock=actor.can_at(Permission.PERIOD_UNLOCK, path) and status is PeriodStatus.APPROVED,
    )


def approvals_page(session: Session, *, actor: Actor) -> ApprovalsPage:
    """Months of sites in the actor's scope, and the sites and months the actor may submit."""
    paths = sorted({p for permission in VIEW_PERMISSIONS for p in actor.paths_for(permission)})
    if not paths:
        raise Forbidden(CoreError.CORE_002)
    with session.begin():
        organisation_id = _organisation_id(session, actor)
        periods = [
            _read(session, p, actor, organisation_id)
            for p in repository.list_periods(session, paths)
        ]
        served = [
            path
            for paths_of_project in core_repository.project_place_paths(
                session, [p.id for p in repository.list_projects(session)]
            ).values()
            for path in paths_of_project
        ]
        places = [
            SubmitOption(place_code=p.code, place_name=p.name)
            for p in core_repository.list_places(
                session,
                actor.paths_for(Permission.DATA_SUBMIT),
                kinds=[k.value for k in SERVICE_POINTS],
            )
            if any(p.path.startswith(s) for s in served)
        ]
        months = [rules.month_key(m) for m in rules.recent_months(today(), SUBMITTABLE_MONTHS)]
        return ApprovalsPage(periods=periods, places=places, months=months if places else [])


def submit_period(session: Session, data: PeriodSubmit, *, actor: Actor) -> PeriodRead:
    """Submit a site's month for approval (data managers)."""
    starts_on = rules.parse_month(data.month)
    with session.begin():
        place = core_repository.find_place_by_code(session, data.place_code)
        if place is None or not actor.can_at(Permission.DATA_SUBMIT, place.path):
            raise (
                refusal(actor, place.path, CoreError.CORE_011, code=data.place_code)
                if place is not None
                else NotFound(CoreError.CORE_011, code=data.place_code)
            )
        projects = repository.projects_serving(session, place.path)
        if not projects:
            raise RuleViolation(AllianceError.ALLIANCE_010, place=place.name)
        period = repository.find_period_at(session, place.id, starts_on)
        where = {"month": data.month, "place": place.name}
        rules.check_submission(
            starts_on, today(), PeriodStatus(period.status) if period else None, **where
        )
        if period is None:
            period = DataPeriod(
                project_id=projects[0].id,
                place_id=place.id,
                starts_on=starts_on,
                status=PeriodStatus.SUBMITTED.value,
                round=1,
                submitted_by_id=actor.id,
                submitted_at=utcnow(),
            )
            session.add(period)
        else:
            period.status = PeriodStatus.SUBMITTED.value
            period.round += 1
            period.submitted_by_id = actor.id
            period.submitted_at = utcnow()
        session.flush()
        record(
            session,
            actor,
            AuditAction.SUBMIT,
            entity_type="data_period",
            entity_id=period.id,
            place_id=place.id,
            detail=data.month,
        )
        loaded = repository.find_period(session, period.id)
        assert loaded is not None  # noqa: S101 - just written in this transaction
        return _read(session, loaded, actor, _organisation_id(session, actor))


def _period_for(
    session: Session, period_id: uuid.UUID, actor: Actor, permission: Permission
) -> DataPeriod:
    period = repository.find_period(session, period_id)
    if period is None or not any(actor.can_at(p, period.place.path) for p in VIEW_PERMISSIONS):
        raise NotFound(AllianceError.ALLIANCE_018)
    if not actor.can_at(permission, period.place.path):
        raise Forbidden(CoreError.CORE_002)
    return period


def check_unlock_allowed(session: Session, period_id: uuid.UUID, *, actor: Actor) -> None:
    """Raise unless the actor may unlock this month (before showing a form's own errors)."""
    with session.begin():
        _period_for(session, period_id, actor, Permission.PERIOD_UNLOCK)


def approve_period(session: Session, period_id: uuid.UUID, *, actor: Actor) -> PeriodRead:
    """Approve a submitted month for the actor's organisation (lead and co-lead coordinators).

    Once every required organisation has approved, the month is locked.
    """
    with session.begin():
        period = _period_for(session, period_id, actor, Permission.DATA_APPROVE)
        organisation_id = _organisation_id(session, actor)
        required = rules.required_approvers(
            repository.lead_organisation_ids(session, period.project_id)
        )
        approved = frozenset(a.organisation_id for a in period.approvals if a.round == period.round)
        rules.check_approval(PeriodStatus(period.status), organisation_id, required, approved)
        assert organisation_id is not None  # noqa: S101 - check_approval refused None
        now = utcnow()
        session.add(
            PeriodApproval(
                period_id=period.id,
                round=period.round,
                organisation_id=organisation_id,
                approved_by_id=actor.id,
                approved_at=now,
            )
        )
        status = rules.status_after_approvals(required, approved | {organisation_id})
        period.status = status.value
        if status is PeriodStatus.APPROVED:
            period.approved_at = now
        session.flush()
        record(
            session,
            actor,
            AuditAction.APPROVE,
            entity_type="data_period",
            entity_id=period.id,
            place_id=period.place_id,
            detail=f"{rules.month_key(period.starts_on)}: {status.value}",
        )
        session.refresh(period, ["approvals"])
        return _read(session, period, actor, organisation_id)


def unlock_period(
    session: Session, period_id: uuid.UUID, data: UnlockRequest, *, actor: Actor
) -> PeriodRead:
    """Unlock an approved month (coordinators), with a reason; it must be approved again."""
    with session.begin():
        period = _period_for(session, period_id, actor, Permission.PERIOD_UNLOCK)
        rules.check_unlock(PeriodStatus(period.status))
        period.status = PeriodStatus.REOPENED.value
        period.unlocked_by_id = actor.id
        period.unlocked_at = utcnow()
        period.unlock_reason = data.reason
        session.flush()
        record(
            session,
            actor,
            AuditAction.UNLOCK,
            entity_type="data_period",
            entity_id=period.id,
            place_id=period.place_id,
            before={"status": PeriodStatus.APPROVED.value},
            after={"status": PeriodStatus.REOPENED.value},
            detail=data.reason,
        )
        return _read(session, period, actor, _organisation_id(session, actor))
