"""Follow-up of included children: the schedule's statuses, study visits, serious adverse events.

Nothing here runs on a timer: an event's status (filled from routine care, filled by a study
visit, due, upcoming, missed, no longer expected after a withdrawal) and an SAE's report
status (to report, overdue, on time, late) are computed by ``alima.research.rules.followup``
each time they are read, with today's date given (``today`` may be passed for tests).

Scope: a child's follow-up is part of the patient's record (``PATIENT_READ`` at the child's
screening site, else 404 with an audited ``READ_DENIED``); study visits and SAEs are written by
the site's nurses (``PATIENT_WRITE``); the study lists (missed windows, SAEs) show the children
of the study's sites where the reader reads patients, each child shown audited.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from alima.core.access import Actor, Permission
from alima.core.audit import record
from alima.core.enums import AuditAction
from alima.core.errors import CoreError, NotFound, RuleViolation
from alima.core.i18n import get_locale
from alima.core.service.common import audit_changed, audit_read, dto, not_found, or_404
from alima.core.time import today as utc_today
from alima.core.time import utcnow
from alima.nutrition.models import Episode
from alima.research import repository, rules
from alima.research.enums import EventStatus, ReportStatus, SaeCategory, SaeOutcome
from alima.research.errors import ResearchError
from alima.research.models import (
    AdverseEvent,
    Allocation,
    Screening,
    Study,
    StudyEvent,
    StudyVisit,
)
from alima.research.schemas import (
    AdverseEventCreate,
    AdverseEventRead,
    ChildFollowUp,
    DeathToReport,
    MissedEvent,
    ScheduledEvent,
    StudySafety,
    StudyVisitCreate,
)
from alima.research.service.common import SITE_PERMISSION, add_child_record, visible_study
from alima.research.service.enrolment import refuse_outside

FOLLOW_UP = "research_followup"
STUDY_VISIT = "research_study_visit"
ADVERSE_EVENT = "research_adverse_event"


def window_of(event: StudyEvent) -> rules.Window:
    """A scheduled event as the pure rule takes it."""
    return rules.Window(
        event.code, event.day_offset, event.window_before_days, event.window_after_days
    )


def label_of(event: StudyEvent) -> str:
    """An event's label in the reader's language (French unless English is asked)."""
    return event.label_en if get_locale() == "en" else event.label_fr


def included_on(allocation: Allocation) -> date:
    """Day 0 of a child's schedule: the randomisation date."""
    return allocation.revealed_at.date()


def _schedule(
    events: list[StudyEvent],
    allocation: Allocation,
    *,
    today: date,
    routine: list[date],
    visits: list[StudyVisit],
    withdrawn_on: date | None,
    writable: bool,
) -> list[ScheduledEvent]:
    out = []
    start = included_on(allocation)
    for event in events:
        dates = rules.dates_of(window_of(event), start)
        status = rules.event_status(
            dates,
            today=today,
            routine=routine,
            study_visits=[v.visit_on for v in visits if v.event_id == event.id],
            withdrawn_on=withdrawn_on,
        )
        out.append(
            ScheduledEvent(
                code=event.code,
                label=label_of(event),
                day_offset=event.day_offset,
                target_on=dates.target,
                opens_on=dates.opens,
                closes_on=dates.closes,
                status=status.status,
                filled_on=status.filled_on,
                may_record=writable and status.status is EventStatus.DUE,
            )
        )
    return out


def _name(patients: dict[uuid.UUID, object], pid: uuid.UUID) -> str:
    p = patients.get(pid)
    return f"{getattr(p, 'given_name', '')} {getattr(p, 'family_name', '')}".strip()


def _sae_read(
    study: Study, sae: AdverseEvent, *, today: date, actor: Actor, name: str = ""
) -> AdverseEventRead:
    reported_on = sae.reported_at.date() if sae.reported_at else None
    return dto(
        AdverseEventRead,
        sae,
        study_code=study.code,
        patient_name=name,
        place_code=sae.place.code,
        report_status=rules.report_status(sae.report_due_on, today=today, reported_on=reported_on),
        from_routine=sae.episode_id is not None,
        may_report=sae.reported_at is None and actor.can_at(SITE_PERMISSION, sae.place.path),
    )


def _deaths(
    study: Study,
    allocations: list[Allocation],
    saes: list[AdverseEvent],
    episodes: list[Episode],
    withdrawn: dict[uuid.UUID, date],
    *,
    today: date,
    names: dict[uuid.UUID, object],
) -> list[DeathToReport]:
    """Deaths recorded by routine care after inclusion with no SAE yet: to report."""
    start = {a.patient_id: included_on(a) for a in allocations}
    reported = {s.patient_id for s in saes if s.category == SaeCategory.DEATH.value}
    out = []
    for episode in episodes:
        pid = episode.patient_id
        died = episode.closed_on
        if died is None or pid in reported or pid not in start or died < start[pid]:
            continue
        if pid in withdrawn and died > withdrawn[pid]:
            continue
        due = rules.report_due(died, study.sae_report_days)
        out.append(
            DeathToReport(
                patient_id=pid,
                patient_name=_name(names, pid),
                place_code=episode.place.code,
                episode_id=episode.id,
                died_on=died,
                report_due_on=due,
                report_status=rules.report_status(due, today=today, reported_on=None),
            )
        )
    return sorted(out, key=lambda d: d.report_due_on)


def _child(
    session: Session, actor: Actor, patient_id: uuid.UUID, study_code: str, permission: Permission
) -> tuple[Study, Allocation | None, Screening] | None:
    """The study, the child's allocation and screening if the actor holds ``permission`` there."""
    study = repository.find_study(session, study_code)
    screening = repository.find_screening(session, study.id, patient_id) if study else None
    if study is None or screening is None or not actor.can_at(permission, screening.place.path):
        return None
    return study, repository.find_allocation(session, study.id, patient_id), screening


def _follow_up(
    session: Session,
    actor: Actor,
    study: Study,
    pid: uuid.UUID,
    allocation: Allocation | None,
    *,
    today: date,
) -> ChildFollowUp:
    consent = repository.latest_consent(session, study.id, pid)
    withdrawn_on = consent.withdrawn_on if consent is not None else None
    if allocation is None:  # screened, not randomised: the study does not follow the child
        return ChildFollowUp(
            study_code=study.code,
            patient_id=pid,
            included_on=None,
            withdrawn_on=withdrawn_on,
            events=[],
            adverse_events=[],
            deaths_to_report=[],
            may_report_sae=False,
        )
    writable = actor.can_at(SITE_PERMISSION, allocation.place.path)
    start = included_on(allocation)
    saes = list(repository.adverse_events(session, study.id, pid))
    withdrawn = {pid: withdrawn_on} if withdrawn_on else {}
    return ChildFollowUp(
        study_code=study.code,
        patient_id=pid,
        included_on=start,
        withdrawn_on=withdrawn_on,
        events=_schedule(
            list(repository.events_of(session, study.id)),
            allocation,
            today=today,
            routine=repository.measured_visit_days(session, [pid], start)[pid],
            visits=list(repository.study_visits(session, study.id, [pid])),
            withdrawn_on=withdrawn_on,
            writable=writable,
        ),
        adverse_events=[_sae_read(study, s, today=today, actor=actor) for s in saes],
        deaths_to_report=_deaths(
            study,
            [allocation],
            saes,
            list(repository.deaths_in_care(session, [pid])),
            withdrawn,
            today=today,
            names={},
        ),
        may_report_sae=writable,
    )


def child_follow_up(
    session: Session,
    patient_id: uuid.UUID,
    study_code: str,
    *,
    actor: Actor,
    today: date | None = None,
) -> ChildFollowUp:
    """A child's schedule with each event's status and the child's SAEs (read, audited)."""
    on = today or utc_today()
    out = None
    with session.begin():
        found = _child(session, actor, patient_id, study_code, Permission.PATIENT_READ)
        audit_read(
            session,
            actor,
            allowed=found is not None,
            entity_type=FOLLOW_UP,
            entity_id=found[0].id if found else patient_id,
            patient_id=patient_id,
            place_id=found[2].place_id if found else None,
        )
        if found is not None:
            study, allocation, _screening = found
            out = _follow_up(session, actor, study, patient_id, allocation, today=on)
    return or_404(out)


def _included(
    session: Session, actor: Actor, patient_id: uuid.UUID, study_code: str
) -> tuple[Study, Allocation]:
    found = _child(session, actor, patient_id, study_code, SITE_PERMISSION)
    if found is None:
        raise not_found()
    study, allocation, _ = found
    if allocation is None:
        raise RuleViolation(ResearchError.RES_050, study=study.code)
    return study, allocation


def _not_future(on: date, field: str) -> date:
    if on > utc_today():
        raise RuleViolation(ResearchError.RES_013, field=field)
    return on


def record_study_visit(
    session: Session,
    patient_id: uuid.UUID,
    study_code: str,
    data: StudyVisitCreate,
    *,
    actor: Actor,
) -> ChildFollowUp:
    """Record a study visit for an event whose window routine care left without measures."""
    refuse_outside(session, actor, patient_id, study_code)
    on = _not_future(data.visit_on or utc_today(), "visit_on")
    with session.begin():
        study, allocation = _included(session, actor, patient_id, study_code)
        event = next(
            (e for e in repository.events_of(session, study.id) if e.code == data.event_code),
            None,
        )
        if event is None:
            raise NotFound(CoreError.CORE_001)
        consent = repository.latest_consent(session, study.id, patient_id)
        if consent is not None and consent.withdrawn_on is not None:
            raise RuleViolation(ResearchError.RES_007)
        dates = rules.dates_of(window_of(event), included_on(allocation))
        if not dates.holds(on):
            raise RuleViolation(
                ResearchError.RES_051, field="visit_on", opens=dates.opens, closes=dates.closes
            )
        routine = repository.measured_visit_days(session, [patient_id], dates.opens)[patient_id]
        if rules.closest(dates, routine) is not None:
            raise RuleViolation(ResearchError.RES_052)
        if any(
            v.event_id == event.id for v in repository.study_visits(session, study.id, [patient_id])
        ):
            raise RuleViolation(ResearchError.RES_053)
        add_child_record(
            session,
            actor,
            StudyVisit,
            data,
            (STUDY_VISIT, ("event_id", "visit_on", "weight_kg", "muac_mm", "oedema")),
            study=study,
            patient_id=patient_id,
            place_id=allocation.place_id,
            event_id=event.id,
            visit_on=on,
        )
        return _follow_up(session, actor, study, patient_id, allocation, today=utc_today())


#: What the audit keeps of a new SAE.
SAE_FIELDS = ("onset_on", "aware_on", "category", "outcome", "relatedness", "report_due_on")


def report_adverse_event(
    session: Session,
    patient_id: uuid.UUID,
    study_code: str,
    data: AdverseEventCreate,
    *,
    actor: Actor,
) -> AdverseEventRead:
    """Record a serious adverse event of an included child; its report is due within the delay."""
    refuse_outside(session, actor, patient_id, study_code)
    onset = _not_future(data.onset_on, "onset_on")
    aware = _not_future(data.aware_on or utc_today(), "aware_on")
    if aware < onset:
        raise RuleViolation(ResearchError.RES_054, field="aware_on")
    if data.category is SaeCategory.DEATH and data.outcome is not SaeOutcome.FATAL:
        raise RuleViolation(ResearchError.RES_056, field="outcome")
    with session.begin():
        study, allocation = _included(session, actor, patient_id, study_code)
        saes = repository.adverse_events(session, study.id, patient_id)
        if data.category is SaeCategory.DEATH and any(
            s.category == SaeCategory.DEATH.value for s in saes
        ):
            raise RuleViolation(ResearchError.RES_058)
        if data.episode_id is not None and not any(
            e.id == data.episode_id for e in repository.deaths_in_care(session, [patient_id])
        ):
            raise NotFound(CoreError.CORE_001)
        sae = add_child_record(
            session,
            actor,
            AdverseEvent,
            data,
            (ADVERSE_EVENT, SAE_FIELDS),
            study=study,
            patient_id=patient_id,
            place_id=allocation.place_id,
            onset_on=onset,
            aware_on=aware,
            report_due_on=rules.report_due(aware, study.sae_report_days),
        )
        return _sae_read(study, sae, today=utc_today(), actor=actor)


def mark_reported(
    session: Session, study_code: str, sae_id: uuid.UUID, *, actor: Actor
) -> AdverseEventRead:
    """Record that an SAE reached the sponsor, now (once)."""
    with session.begin():
        study = repository.find_study(session, study_code)
        sae = repository.find_adverse_event(session, study.id, sae_id) if study else None
        if study is None or sae is None or not actor.can_at(SITE_PERMISSION, sae.place.path):
            record(
                session,
                actor,
                AuditAction.READ_DENIED,
                entity_type=ADVERSE_EVENT,
                entity_id=sae_id,
                patient_id=sae.patient_id if sae else None,
            )
            denied = True
        else:
            denied = False
    if denied:
        raise not_found()
    with session.begin():
        study = repository.find_study(session, study_code)
        sae = repository.find_adverse_event(session, study.id, sae_id) if study else None
        if study is None or sae is None:
            raise not_found()
        if sae.reported_at is not None:
            raise RuleViolation(ResearchError.RES_055)
        sae.reported_at = utcnow()
        sae.reported_by_id = actor.id
        after = {"reported_at": sae.reported_at.isoformat()}
        audit_changed(session, actor, ADVERSE_EVENT, sae, before={"reported_at": None}, after=after)
        return _sae_read(study, sae, today=utc_today(), actor=actor)


def _readable(session: Session, actor: Actor, study: Study) -> list[Allocation]:
    """The study's included children at sites where the actor reads patients."""
    return [
        a
        for a in repository.allocations_of(session, study.id)
        if actor.can_at(Permission.PATIENT_READ, a.place.path)
    ]


def _audit_shown(session: Session, actor: Actor, study: Study, shown: set[uuid.UUID]) -> None:
    for pid in sorted(shown):
        record(
            session,
            actor,
            AuditAction.READ,
            entity_type=FOLLOW_UP,
            entity_id=study.id,
            patient_id=pid,
        )


def missed_windows(
    session: Session, study_code: str, *, actor: Actor, today: date | None = None
) -> list[MissedEvent]:
    """Events whose window closed with nothing recorded, at the study's sites in your scope."""
    on = today or utc_today()
    with session.begin():
        study = visible_study(session, actor, study_code)
        allocations = _readable(session, actor, study)
        pids = [a.patient_id for a in allocations]
        events = list(repository.events_of(session, study.id))
        since = min((included_on(a) for a in allocations), default=on)
        routine = repository.measured_visit_days(session, pids, since)
        visits = list(repository.study_visits(session, study.id, pids))
        withdrawn = repository.withdrawals(session, study.id)
        names: dict[uuid.UUID, object] = dict(repository.patients_by_id(session, pids))
        out = []
        for allocation in allocations:
            pid = allocation.patient_id
            for event in _schedule(
                events,
                allocation,
                today=on,
                routine=routine[pid],
                visits=[v for v in visits if v.patient_id == pid],
                withdrawn_on=withdrawn.get(pid),
                writable=False,
            ):
                if event.status is EventStatus.MISSED:
                    out.append(
                        MissedEvent(
                            patient_id=pid,
                            patient_name=_name(names, pid),
                            place_code=allocation.place.code,
                            event_code=event.code,
                            event_label=event.label,
                            opens_on=event.opens_on,
                            closes_on=event.closes_on,
                        )
                    )
        out.sort(key=lambda m: (m.closes_on, m.place_code, m.patient_name))
        _audit_shown(session, actor, study, {m.patient_id for m in out})
        return out


#: Overdue reports first, then those still to report, then the reported ones.
_ORDER = {
    ReportStatus.OVERDUE: 0,
    ReportStatus.TO_REPORT: 1,
    ReportStatus.LATE: 2,
    ReportStatus.ON_TIME: 3,
}


def study_safety(
    session: Session, study_code: str, *, actor: Actor, today: date | None = None
) -> StudySafety:
    """A study's SAEs, overdue first, and the deaths routine care recorded still to report."""
    on = today or utc_today()
    with session.begin():
        study = visible_study(session, actor, study_code)
        allocations = _readable(session, actor, study)
        pids = {a.patient_id for a in allocations}
        saes = [s for s in repository.adverse_events(session, study.id) if s.patient_id in pids]
        names: dict[uuid.UUID, object] = dict(repository.patients_by_id(session, pids))
        rows = [
            _sae_read(study, s, today=on, actor=actor, name=_name(names, s.patient_id))
            for s in saes
        ]
        rows.sort(key=lambda r: (_ORDER[r.report_status], r.report_due_on))
        deaths = _deaths(
            study,
            allocations,
            saes,
            list(repository.deaths_in_care(session, pids)),
            repository.withdrawals(session, study.id),
            today=on,
            names=names,
        )
        _audit_shown(
            session, actor, study, {r.patient_id for r in rows} | {d.patient_id for d in deaths}
        )
        return StudySafety(
            study_code=study.code,
            report_days=study.sae_report_days,
            adverse_events=rows,
            deaths_to_report=deaths,
        )
