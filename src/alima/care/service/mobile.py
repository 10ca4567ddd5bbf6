"""Mobile clinics at displacement sites, and the displaced population counted there.

These are programme figures, not patient data: anyone who may see aggregates (or patients)
at a place sees them; recording them needs the right to record care there.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from alima.care import repository
from alima.care.errors import CareError
from alima.care.models import DisplacedPopulation, MobileSession
from alima.care.schemas import (
    DisplacedPopulationCreate,
    DisplacedPopulationRead,
    MobileOverview,
    MobileSessionCreate,
    MobileSessionRead,
    PlaceOption,
    SiteRow,
)
from alima.core import repository as core_repository
from alima.core.access import Actor, Permission, minimal_prefixes, sees_free_text
from alima.core.audit import snapshot
from alima.core.enums import PlaceKind
from alima.core.errors import CoreError, Forbidden, NotFound, RuleViolation
from alima.core.models import Place
from alima.core.service.common import (
    add_created,
    audit_saved,
    dto,
    new_row,
    place_in_scope,
    record_date,
)
from alima.core.time import today

#: The overview covers this many days back from today.
OVERVIEW_DAYS = 365


def session_read(row: MobileSession, *, free_text: bool = True) -> MobileSessionRead:
    """The DTO of a mobile-clinic session; team and note only with ``free_text``."""
    clinic = row.mobile_clinic
    return dto(
        MobileSessionRead,
        row,
        site_code=row.place.code,
        site_name=row.place.name,
        mobile_clinic_code=clinic.code if clinic else None,
        mobile_clinic_name=clinic.name if clinic else None,
        team=row.team if free_text else None,
        note=row.note if free_text else None,
    )


def _count_read(row: DisplacedPopulation, *, free_text: bool = True) -> DisplacedPopulationRead:
    return DisplacedPopulationRead(
        site_code=row.place.code,
        site_name=row.place.name,
        counted_on=row.counted_on,
        individuals=row.individuals,
        households=row.households,
        source=row.source if free_text else None,
    )


def _reading_paths(actor: Actor) -> tuple[str, ...]:
    return minimal_prefixes(
        actor.paths_for(Permission.AGGREGATE_READ) + actor.paths_for(Permission.PATIENT_READ)
    )


def _writable(session: Session, actor: Actor, code: str, kind: PlaceKind, field: str) -> Place:
    place = place_in_scope(session, actor, code, Permission.PATIENT_WRITE, field=field)
    if place.kind != kind.value:
        error = CareError.CARE_010 if kind is PlaceKind.DISPLACEMENT_SITE else CareError.CARE_011
        raise RuleViolation(error, field=field)
    return place


def _check_date(value: date | None, field: str) -> date:
    return record_date(value, field, CareError.CARE_002)


def form_options(session: Session, *, actor: Actor) -> tuple[list[PlaceOption], list[PlaceOption]]:
    """Displacement sites and mobile clinics where the actor may record sessions."""
    with session.begin():
        places = core_repository.list_places(
            session,
            actor.paths_for(Permission.PATIENT_WRITE),
            kinds=[PlaceKind.DISPLACEMENT_SITE.value, PlaceKind.MOBILE_CLINIC.value],
        )
        options = [PlaceOption(code=p.code, name=p.name, kind=p.kind) for p in places]
    return (
        [o for o in options if o.kind == PlaceKind.DISPLACEMENT_SITE.value],
        [o for o in options if o.kind == PlaceKind.MOBILE_CLINIC.value],
    )


def record_session(
    session: Session, data: MobileSessionCreate, *, actor: Actor
) -> MobileSessionRead:
    """Record a mobile-clinic session at a displacement site."""
    if not actor.can(Permission.PATIENT_WRITE):
        raise Forbidden(CoreError.CORE_002)
    held_on = _check_date(data.held_on, "held_on")
    with session.begin():
        site = _writable(session, actor, data.site_code, PlaceKind.DISPLACEMENT_SITE, "site_code")
        clinic = (
            _writable(
                session,
                actor,
                data.mobile_clinic_code,
                PlaceKind.MOBILE_CLINIC,
                "mobile_clinic_code",
            )
            if data.mobile_clinic_code
            else None
        )
        row = new_row(
            MobileSession,
            data,
            place_id=site.id,
            place=site,
            mobile_clinic_id=clinic.id if clinic else None,
            mobile_clinic=clinic,
            held_on=held_on,
            services=[s.value for s in dict.fromkeys(data.services)],
            created_by_id=actor.id,
        )
        after = snapshot(row, ("held_on", "team", "people_reached"))
        add_created(session, actor, row, "mobile_session", after=after, place_id=site.id)
        return session_read(row)


def record_population(
    session: Session, data: DisplacedPopulationCreate, *, actor: Actor
) -> DisplacedPopulationRead:
    """Record the displaced population of a site on a date (replacing that date's count)."""
    if not actor.can(Permission.PATIENT_WRITE):
        raise Forbidden(CoreError.CORE_002)
    counted_on = _check_date(data.counted_on, "counted_on")
    with session.begin():
        site = _writable(session, actor, data.site_code, PlaceKind.DISPLACEMENT_SITE, "site_code")
        row = repository.find_count(session, site.id, counted_on)
        fields = ("individuals", "households", "source")
        before = snapshot(row, fields) if row else None
        if row is None:
            row = DisplacedPopulation(
                place_id=site.id, place=site, counted_on=counted_on, created_by_id=actor.id
            )
            session.add(row)
        row.individuals = data.individuals
        row.households = data.households
        row.source = data.source or None
        audit_saved(
            session,
            actor,
            row,
            "displaced_population",
            before=before,
            fields=fields,
            place_id=site.id,
        )
        return _count_read(row)


def _months(start: date, end: date) -> list[date]:
    months, cursor = [], date(start.year, start.month, 1)
    while cursor <= end:
        months.append(cursor)
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    return months


def overview(session: Session, *, actor: Actor) -> tuple[MobileOverview, list[date]]:
    """Sites with their displaced population by month, and the sessions held there."""
    paths = _reading_paths(actor)
    if not paths:
        raise NotFound(CoreError.CORE_001)
    end = today()
    start = end - timedelta(days=OVERVIEW_DAYS - 1)
    months = _months(start, end)
    with session.begin():
        sites = repository.list_sites(session, paths)
        ids = [s.id for s in sites]
        counts = repository.list_counts(session, ids, start, end)
        sessions = repository.sessions_by_site(session, ids, start, end)
        rows: list[SiteRow] = []
        for site in sites:
            mine = [c for c in counts if c.place_id == site.id]
            by_month: dict[date, DisplacedPopulation] = {}
            for count in mine:  # oldest first: the month keeps its latest count
                by_month[date(count.counted_on.year, count.counted_on.month, 1)] = count
            latest = mine[-1] if mine else None
            held, reached = sessions.get(site.id, (0, 0))
            rows.append(
                SiteRow(
                    code=site.code,
                    name=site.name,
                    latest_count=latest.individuals if latest else None,
                    latest_counted_on=latest.counted_on if latest else None,
                    counts=[
                        _count_read(by_month[m], free_text=sees_free_text(actor, site.path))
                        for m in months
                        if m in by_month
                    ],
                    by_month=[by_month[m].individuals if m in by_month else None for m in months],
                    sessions=held,
                    people_reached=reached,
                )
            )
        recent = repository.list_recent_sessions(session, paths)
        return (
            MobileOverview(
                start=start,
                end=end,
                sites=rows,
                recent_sessions=[
                    session_read(r, free_text=sees_free_text(actor, r.place.path)) for r in recent
                ],
                sessions=sum(r.sessions for r in rows),
                people_reached=repository.people_reached_at_sites(session, paths, start, end),
                sites_served=repository.count_sites_served(session, paths, start, end),
                clinics_active=repository.count_clinics_active(session, paths, start, end),
            ),
            months,
        )
