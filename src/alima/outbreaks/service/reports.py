"""Weekly IDSR reports and line-listed cases, each written with its audit event.

The thresholds of the facility's health area and district are evaluated in the same
transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.audit import record, snapshot
from alima.core.enums import AuditAction
from alima.core.errors import Conflict, CoreError, Forbidden, NotFound, RuleViolation
from alima.core.service.common import add_created
from alima.core.time import today
from alima.outbreaks import repository
from alima.outbreaks.config import Surveillance
from alima.outbreaks.enums import IMMEDIATELY_NOTIFIABLE, VACCINE_PREVENTABLE
from alima.outbreaks.errors import OutbreaksError
from alima.outbreaks.models import LineListCase, WeeklyCount, WeeklyReport
from alima.outbreaks.rules.epiweeks import EpiWeek
from alima.outbreaks.schemas import (
    CaseCreate,
    CaseRead,
    CaseUpdate,
    CountLine,
    WeeklyReportCreate,
    WeeklyReportRead,
)
from alima.outbreaks.service.common import (
    CASE,
    REPORT,
    WRITE_PERMISSION,
    case_read,
    report_read,
    writable_facility,
)
from alima.outbreaks.service.evaluation import evaluate_for

CASE_FIELDS = (
    "disease",
    "onset_on",
    "epi_year",
    "epi_week",
    "village",
    "age_months",
    "sex",
    "vaccination",
    "vaccine_doses",
    "sample_taken",
    "lab_result",
    "outcome",
)


def _checked_week(data: WeeklyReportCreate, config: Surveillance) -> EpiWeek:
    week = EpiWeek(data.epi_year, data.epi_week)
    try:
        ended = config.calendar.ended(week, today())
    except ValueError:
        raise RuleViolation(
            OutbreaksError.OUTBREAKS_002, year=week.year, week=week.week, field="epi_week"
        ) from None
    if not ended:
        raise RuleViolation(
            OutbreaksError.OUTBREAKS_003, year=week.year, week=week.week, field="epi_week"
        )
    return week


def _checked_lines(
    lines: list[CountLine], config: Surveillance
) -> dict[tuple[str, str], CountLine]:
    checked: dict[tuple[str, str], CountLine] = {}
    for line in lines:
        key = (line.disease.value, line.age_group)
        if line.age_group not in config.age_groups:
            raise RuleViolation(
                OutbreaksError.OUTBREAKS_005, age_group=line.age_group, field="lines"
            )
        if line.deaths > line.cases:
            raise RuleViolation(
                OutbreaksError.OUTBREAKS_006,
                disease=line.disease.value,
                age_group=line.age_group,
                field="lines",
            )
        if key in checked:
            raise RuleViolation(
                OutbreaksError.OUTBREAKS_007,
                disease=line.disease.value,
                age_group=line.age_group,
                field="lines",
            )
        checked[key] = line
    return checked


def _lines_snapshot(report: WeeklyReport) -> dict[str, Any]:
    return {
        "version": report.version,
        "note": report.note,
        "lines": {
            f"{line.disease}/{line.age_group}": [line.cases, line.deaths]
            for line in report.lines
            if line.cases or line.deaths
        },
    }


def record_weekly_report(
    session: Session, data: WeeklyReportCreate, *, actor: Actor, config: Surveillance
) -> WeeklyReportRead:
    """Record a facility's weekly report, or correct it (``version`` given), then evaluate.

    A second report of the same week is refused: a correction names the version it corrects
    and updates the report in place (every line kept, audited before and after).
    """
    if not actor.can(WRITE_PERMISSION):
        raise Forbidden(CoreError.CORE_002)
    week = _checked_week(data, config)
    lines = _checked_lines(data.lines, config)
    with session.begin():
        place = writable_facility(session, actor, data.place_code)
        report = repository.find_report_of_week(session, place.id, week.year, week.week)
        if report is not None and data.version is None:
            raise Conflict(
                OutbreaksError.OUTBREAKS_001,
                year=week.year,
                week=week.week,
                version=report.version,
                field="epi_week",
            )
        if report is None and data.version is not None:
            raise NotFound(CoreError.CORE_001, field="version")
        before = None
        if report is None:
            report = WeeklyReport(
                place_id=place.id,
                place=place,
                epi_year=week.year,
                epi_week=week.week,
                week_start=config.calendar.start(week),
                version=1,
                note=data.note,
                created_by_id=actor.id,
            )
            session.add(report)
        else:
            if report.version != data.version:
                raise Conflict(OutbreaksError.OUTBREAKS_012, version=report.version)
            before = _lines_snapshot(report)
            report.version += 1
            report.note = data.note
        existing = {(line.disease, line.age_group): line for line in report.lines}
        for key, line in existing.items():
            typed = lines.get(key)
            line.cases = typed.cases if typed else 0
            line.deaths = typed.deaths if typed else 0
        for key, typed in lines.items():
            if key not in existing and (typed.cases or typed.deaths):
                report.lines.append(
                    WeeklyCount(
                        disease=typed.disease.value,
                        age_group=typed.age_group,
                        cases=typed.cases,
                        deaths=typed.deaths,
                    )
                )
        session.flush()
        record(
            session,
            actor,
            AuditAction.UPDATE if before else AuditAction.CREATE,
            entity_type=REPORT,
            entity_id=report.id,
            place_id=place.id,
            before=before,
            after=_lines_snapshot(report),
        )
        raised = evaluate_for(session, actor, place, week, config)
        return report_read(report, config, raised)


def record_case(
    session: Session, data: CaseCreate, *, actor: Actor, config: Surveillance
) -> CaseRead:
    """Put a suspected case on its facility's line list, then evaluate the thresholds."""
    if not actor.can(WRITE_PERMISSION):
        raise Forbidden(CoreError.CORE_002)
    if data.disease not in IMMEDIATELY_NOTIFIABLE:
        raise RuleViolation(
            OutbreaksError.OUTBREAKS_009, disease=data.disease.value, field="disease"
        )
    if data.onset_on > today():
        raise RuleViolation(OutbreaksError.OUTBREAKS_008, field="onset_on")
    if data.disease not in VACCINE_PREVENTABLE and (
        data.vaccination is not None or data.vaccine_doses is not None
    ):
        raise RuleViolation(
            OutbreaksError.OUTBREAKS_014, disease=data.disease.value, field="vaccination"
        )
    week = config.calendar.week_of(data.onset_on)
    with session.begin():
        place = writable_facility(session, actor, data.place_code)
        row = LineListCase(
            place_id=place.id,
            place=place,
            disease=data.disease.value,
            onset_on=data.onset_on,
            epi_year=week.year,
            epi_week=week.week,
            village=data.village,
            age_months=data.age_years * 12 + data.age_months,
            sex=data.sex.value,
            vaccination=data.vaccination.value if data.vaccination else None,
            vaccine_doses=data.vaccine_doses,
            sample_taken=data.sample_taken or data.lab_result.value in ("positive", "negative"),
            lab_result=data.lab_result.value,
            outcome=data.outcome.value,
            note=data.note,
            created_by_id=actor.id,
        )
        add_created(
            session,
            actor,
            row,
            CASE,
            after=snapshot(row, CASE_FIELDS),
            place_id=place.id,
        )
        raised = evaluate_for(session, actor, place, week, config)
        return case_read(row, actor, raised)


def update_case(
    session: Session,
    case_id: uuid.UUID,
    data: CaseUpdate,
    *,
    actor: Actor,
    config: Surveillance,
) -> CaseRead:
    """Record a case's sample, laboratory result or outcome, then evaluate.

    A positive result makes a confirmed case.
    """
    refused = False
    with session.begin():
        row = repository.find_case(session, case_id)
        if (
            row is None
            or row.deleted_at is not None
            or not actor.can_at(WRITE_PERMISSION, row.place.path)
        ):
            record(
                session,
                actor,
                AuditAction.READ_DENIED,
                entity_type=CASE,
                entity_id=case_id,
                place_id=row.place_id if row else None,
            )
            refused = True
        else:
            before = snapshot(row, CASE_FIELDS)
            for name in ("sample_taken", "lab_result", "outcome"):
                value = getattr(data, name)
                if value is not None:
                    setattr(row, name, getattr(value, "value", value))
            if row.lab_result in ("positive", "negative"):
                row.sample_taken = True
            session.flush()
            record(
                session,
                actor,
                AuditAction.UPDATE,
                entity_type=CASE,
                entity_id=row.id,
                place_id=row.place_id,
                before=before,
                after=snapshot(row, CASE_FIELDS),
            )
            week = EpiWeek(row.epi_year, row.epi_week)
            raised = evaluate_for(session, actor, row.place, week, config)
            return case_read(row, actor, raised)
    assert refused  # noqa: S101 - the block returned otherwise
    raise NotFound(CoreError.CORE_001)
