"""What the outbreak use cases share: who may read and write, the units of a place, DTOs.

Weekly reports are aggregate data of a facility: readers of its patients or of its
aggregates read them, writers of its patients (nurses, data managers) write them. The line
list is patient-level (age, sex, village, onset): only readers of the facility's patients see
it, and every read is audited. Alerts are read by whoever reads the place's aggregates and
acted on by a district or country user holding ``OUTBREAK_RESPOND`` over the alert's district.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission, sees_free_text
from alima.core.enums import SERVICE_POINTS, PlaceKind
from alima.core.errors import RuleViolation
from alima.core.models import Place
from alima.core.service.common import dto, place_in_scope
from alima.outbreaks import repository
from alima.outbreaks.config import Surveillance
from alima.outbreaks.enums import (
    TRANSITIONS,
    AlertAction,
    AlertStatus,
)
from alima.outbreaks.errors import OutbreaksError
from alima.outbreaks.models import Alert, LineListCase, WeeklyReport
from alima.outbreaks.rules.epiweeks import EpiWeek
from alima.outbreaks.schemas import ActionRead, AlertRead, CaseRead, CountLine, WeeklyReportRead

READ_PERMISSIONS = (Permission.PATIENT_READ, Permission.AGGREGATE_READ)
WRITE_PERMISSION = Permission.PATIENT_WRITE
CASE_READ = Permission.PATIENT_READ
RESPOND = Permission.OUTBREAK_RESPOND
SERVICE_POINT_KINDS = [k.value for k in SERVICE_POINTS]
REPORT = "outbreaks_weekly_report"
CASE = "outbreaks_case"
ALERT = "outbreaks_alert"


def read_paths(actor: Actor) -> tuple[str, ...]:
    """Subtrees whose reports, dashboards and alerts the actor may read."""
    return tuple(p for perm in READ_PERMISSIONS for p in actor.paths_for(perm))


def can_read(actor: Actor, path: str) -> bool:
    """Whether the actor may read the surveillance figures of the place at ``path``."""
    return any(actor.can_at(p, path) for p in READ_PERMISSIONS)


def writable_facility(session: Session, actor: Actor, code: str | None) -> Place:
    """The service point ``code`` if the actor writes there, else their only one."""
    field = "place_code"
    if code:
        place = place_in_scope(session, actor, code, WRITE_PERMISSION, field=field)
    else:
        candidates = core_repository.list_places(
            session, actor.paths_for(WRITE_PERMISSION), kinds=SERVICE_POINT_KINDS
        )
        if len(candidates) != 1:
            raise RuleViolation(OutbreaksError.OUTBREAKS_004, field=field)
        place = candidates[0]
    if place.kind not in SERVICE_POINT_KINDS:
        raise RuleViolation(OutbreaksError.OUTBREAKS_004, field=field)
    return place


def ancestor_ids(place: Place) -> list[uuid.UUID]:
    """The ids on the place's path, the country first and the place last."""
    return [uuid.UUID(part) for part in place.path.strip("/").split("/") if part]


def lineage(session: Session, place: Place) -> dict[str, Place]:
    """The place's ancestors (itself included) by kind: country, district, health area..."""
    found = repository.places_by_id(session, ancestor_ids(place))
    return {p.kind: p for p in found.values()}


def district_of(session: Session, place: Place) -> Place | None:
    """The district the place lies in (itself for a district)."""
    return lineage(session, place).get(PlaceKind.DISTRICT.value)


def on_time(report: WeeklyReport, config: Surveillance) -> bool:
    """Whether the report was written by the deadline of its week."""
    deadline = report.week_start + timedelta(days=6 + config.due_days)
    written: datetime = report.created_at
    return written.date() <= deadline


def report_read(
    report: WeeklyReport, config: Surveillance, raised: Sequence[AlertRead] = ()
) -> WeeklyReportRead:
    """The DTO of a report (its lines by disease and age group)."""
    return dto(
        WeeklyReportRead,
        report,
        place_code=report.place.code,
        place_name=report.place.name,
        lines=[dto(CountLine, line) for line in report.lines if line.cases or line.deaths],
        on_time=on_time(report, config),
        raised=list(raised),
    )


def case_read(row: LineListCase, actor: Actor, raised: Sequence[AlertRead] = ()) -> CaseRead:
    """The DTO of a line-listed case (its note only for readers of the facility's patients)."""
    return dto(
        CaseRead,
        row,
        **_place_fields(row.place),
        vaccination=row.vaccination or None,
        note=row.note if sees_free_text(actor, row.place.path) else None,
        raised=list(raised),
    )


def allowed_actions(alert: Alert, actor: Actor, district: Place | None) -> list[AlertAction]:
    """The actions the actor may take on the alert now."""
    if district is None or not actor.can_at(RESPOND, district.path):
        return []
    status = AlertStatus(alert.status)
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


def alert_read(
    alert: Alert,
    *,
    actor: Actor | None = None,
    district: Place | None = None,
    with_actions: bool = False,
) -> AlertRead:
    """The DTO of an alert; its log and the reader's possible actions when asked."""
    actions = []
    if with_actions:
        actions = [
            ActionRead(
                action=AlertAction(a.action),
                from_status=AlertStatus(a.from_status),
                to_status=AlertStatus(a.to_status),
                note=a.note,
                by=a.author.full_name if a.author else None,
                at=a.created_at,
            )
            for a in alert.actions
        ]
    return dto(
        AlertRead,
        alert,
        **_place_fields(alert.place),
        actions=actions,
        allowed=allowed_actions(alert, actor, district) if actor is not None else [],
    )


def _place_fields(place: Place) -> dict[str, str]:
    return {"place_code": place.code, "place_name": place.name, "place_kind": place.kind}


def new_alert_read(row: dict[str, Any], place: Place) -> AlertRead:
    """The DTO of an alert just raised, from its row as written (no log, no actions yet)."""
    return AlertRead.model_validate(row | _place_fields(place))


def week_of(year: int, week: int) -> EpiWeek:
    """An epi week from its numbers."""
    return EpiWeek(year, week)
