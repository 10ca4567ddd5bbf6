"""Alerts and their response: the list in scope, one alert, its actions; threshold sets."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from alima.core.access import Actor, Permission
from alima.core.audit import record
from alima.core.enums import AuditAction, PlaceKind
from alima.core.errors import Conflict, CoreError, Forbidden, NotFound, RuleViolation
from alima.core.models import Place
from alima.core.repository import find_place_by_code
from alima.core.service.common import add_created, place_in_scope
from alima.outbreaks import repository
from alima.outbreaks.config import Surveillance
from alima.outbreaks.enums import TRANSITIONS, AlertAction, AlertStatus, Disease
from alima.outbreaks.errors import OutbreaksError
from alima.outbreaks.models import Alert, AlertActionLog, ThresholdSet
from alima.outbreaks.rules.epiweeks import EpiWeek
from alima.outbreaks.rules.thresholds import parse_rules
from alima.outbreaks.schemas import (
    AlertActionCreate,
    AlertRead,
    ThresholdSetCreate,
    ThresholdSetRead,
)
from alima.outbreaks.service.common import (
    ALERT,
    RESPOND,
    alert_read,
    can_read,
    district_of,
    read_paths,
)
from alima.outbreaks.service.evaluation import evaluate_under, rule_book

THRESHOLDS = "outbreaks_threshold_set"


def list_alerts(session: Session, *, actor: Actor, open_only: bool = False) -> list[AlertRead]:
    """Alerts of the places in the actor's scope, newest week first."""
    with session.begin():
        rows = repository.alerts_in(session, read_paths(actor))
        return [
            alert_read(a)
            for a in rows
            if not open_only or a.status not in (AlertStatus.DISCARDED, AlertStatus.CLOSED)
        ]


def _visible(session: Session, actor: Actor, alert_id: uuid.UUID) -> Alert | None:
    alert = repository.find_alert(session, alert_id)
    if alert is None or not can_read(actor, alert.place.path):
        record(
            session,
            actor,
            AuditAction.READ_DENIED,
            entity_type=ALERT,
            entity_id=alert_id,
            place_id=alert.place_id if alert else None,
        )
        return None
    return alert


def get_alert(session: Session, alert_id: uuid.UUID, *, actor: Actor) -> AlertRead:
    """One alert with its figures, its log and the actions the reader may take."""
    with session.begin():
        alert = _visible(session, actor, alert_id)
        if alert is not None:
            district = district_of(session, alert.place)
            return alert_read(alert, actor=actor, district=district, with_actions=True)
    raise NotFound(CoreError.CORE_001)


def act_on_alert(
    session: Session, alert_id: uuid.UUID, data: AlertActionCreate, *, actor: Actor
) -> AlertRead:
    """Verify, investigate, declare, discard or close an alert (a district or country user).

    Discarding needs a note saying why.
    """
    if not actor.can(RESPOND):
        raise Forbidden(CoreError.CORE_002)
    if data.action is AlertAction.DISCARD and not data.note:
        raise RuleViolation(CoreError.CORE_012, field="note")
    with session.begin():
        alert = _visible(session, actor, alert_id)
        if alert is not None:
            district = district_of(session, alert.place)
            if district is None or not actor.can_at(RESPOND, district.path):
                raise Forbidden(CoreError.CORE_002)
            sources, target = TRANSITIONS[data.action]
            status = AlertStatus(alert.status)
            if status not in sources:
                raise Conflict(OutbreaksError.OUTBREAKS_010, status=status.value, field="action")
            log = AlertActionLog(
                alert_id=alert.id,
                action=data.action.value,
                from_status=status.value,
                to_status=target.value,
                note=data.note,
                created_by_id=actor.id,
            )
            alert.actions.append(log)
            alert.status = target.value
            session.flush()
            session.refresh(log, ["author"])
            record(
                session,
                actor,
                AuditAction.UPDATE,
                entity_type=ALERT,
                entity_id=alert.id,
                place_id=alert.place_id,
                before={"status": status.value},
                after={"status": target.value, "action": data.action.value},
            )
            return alert_read(alert, actor=actor, district=district, with_actions=True)
    raise NotFound(CoreError.CORE_001)


def evaluate_country(
    session: Session, country_code: str, week: EpiWeek, *, actor: Actor, config: Surveillance
) -> list[AlertRead]:
    """Evaluate every health area and district of a country for ``week``, raising alerts.

    For after a bulk import, or a sync that brought many reports at once.
    """
    if not actor.can(RESPOND):
        raise Forbidden(CoreError.CORE_002)
    with session.begin():
        country = place_in_scope(session, actor, country_code, RESPOND, field="country_code")
        raised = evaluate_under(session, actor, country, week, config)
        return raised


def _country(session: Session, actor: Actor, code: str, permission: Permission) -> Place:
    """The country ``code`` if ``permission`` holds there or at a place inside it."""
    place = find_place_by_code(session, code)
    if (
        place is None
        or place.kind != PlaceKind.COUNTRY.value
        or not any(p.startswith(place.path) for p in actor.paths_for(permission))
    ):
        raise NotFound(CoreError.CORE_011, code=code, field="country_code")
    return place


def thresholds_in_force(
    session: Session, country_code: str, *, actor: Actor, config: Surveillance
) -> list[ThresholdSetRead]:
    """The rules in force in a country for every disease, with their version."""
    with session.begin():
        country = _country(session, actor, country_code, Permission.PLACE_READ)
        book = rule_book(session, country, config)
        sets = repository.latest_threshold_sets(session, country.id)
        return [
            ThresholdSetRead(
                country_code=country.code,
                disease=disease,
                version=book.versions.get(disease, 0),
                rules=[r.as_data() for r in book.rules[disease]],
                source=sets[disease.value].source if disease.value in sets else None,
            )
            for disease in Disease
            if disease in book.rules
        ]


def publish_thresholds(
    session: Session, country_code: str, data: ThresholdSetCreate, *, actor: Actor
) -> ThresholdSetRead:
    """Publish a new version of a country's rules for one disease (administrators)."""
    if not actor.can(Permission.ADMINISTER):
        raise Forbidden(CoreError.CORE_002)
    try:
        rules = parse_rules(data.rules)
    except ValueError as problem:
        raise RuleViolation(
            OutbreaksError.OUTBREAKS_011, problem=str(problem), field="rules"
        ) from None
    if any(r.disease is not data.disease for r in rules):
        raise RuleViolation(OutbreaksError.OUTBREAKS_011, problem=data.disease.value, field="rules")
    with session.begin():
        country = place_in_scope(
            session, actor, country_code, Permission.ADMINISTER, field="country_code"
        )
        if country.kind != PlaceKind.COUNTRY.value:
            raise NotFound(CoreError.CORE_011, code=country_code, field="country_code")
        latest = repository.latest_threshold_sets(session, country.id).get(data.disease.value)
        row = ThresholdSet(
            place_id=country.id,
            disease=data.disease.value,
            version=(latest.version if latest else 0) + 1,
            rules=[r.as_data() for r in rules],
            source=data.source,
            created_by_id=actor.id,
        )
        add_created(
            session,
            actor,
            row,
            THRESHOLDS,
            after={"disease": row.disease, "version": row.version, "rules": row.rules},
            place_id=country.id,
        )
        return ThresholdSetRead(
            country_code=country.code,
            disease=data.disease,
            version=row.version,
            rules=row.rules,
            source=row.source,
        )
