"""The community page and its statistics (aggregates only)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from alima.community import repository, rules
from alima.community.enums import ReferralStatus, ScreenerType
from alima.community.models import Screening
from alima.community.schemas import (
    AgreementRow,
    CommunityOverview,
    CommunityStatistics,
    CountRow,
    StatisticsFilter,
)
from alima.community.service.common import (
    place_option,
    referral_read,
    screening_read,
    training_read,
)
from alima.core import repository as core_repository
from alima.core.access import Actor, Permission, minimal_prefixes
from alima.core.enums import SERVICE_POINTS
from alima.core.errors import CoreError, NotFound, RuleViolation
from alima.core.service.common import audit_listed
from alima.core.time import today
from alima.growth.muac import MuacBand

#: Default period of the statistics page.
STATISTICS_DAYS = 365


def overview(session: Session, *, actor: Actor) -> CommunityOverview:
    """The community page: places, referrals waiting, latest screenings and trainings."""
    read_paths = actor.paths_for(Permission.PATIENT_READ)
    on = today()
    with session.begin():
        places = core_repository.list_places(
            session,
            actor.paths_for(Permission.PATIENT_WRITE),
            kinds=[k.value for k in SERVICE_POINTS],
        )
        referrals = repository.list_pending_referrals(session, read_paths)
        screenings = repository.list_recent_screenings(session, read_paths)
        audit_listed(session, actor, "community_referral", referrals, "community_overview")
        audit_listed(session, actor, "community_screening", screenings, "community_overview")
        return CommunityOverview(
            places=[place_option(p) for p in places],
            pending_referrals=[referral_read(r, on) for r in referrals],
            recent_screenings=[screening_read(s, on) for s in screenings],
            recent_trainings=[
                training_read(t) for t in repository.list_recent_trainings(session, read_paths)
            ],
        )


def statistics_paths(actor: Actor) -> tuple[str, ...]:
    """Where the actor may see community statistics: aggregates, or patient data, there."""
    return minimal_prefixes(
        actor.paths_for(Permission.AGGREGATE_READ) + actor.paths_for(Permission.PATIENT_READ)
    )


def _agreement_row(screener: ScreenerType | None, pairs: list[tuple[int, int]]) -> AgreementRow:
    result = rules.agreement(pairs)
    return AgreementRow(
        screener_type=screener,
        agreeing=result.agreeing,
        measured=result.measured,
        percent=None if result.percent is None else round(result.percent, 1),
        mean_difference_mm=result.mean_difference_mm,
    )


def statistics(
    session: Session, criteria: StatisticsFilter, *, actor: Actor
) -> CommunityStatistics:
    """Trainings, screenings, referrals, completion and MUAC agreement (aggregates only)."""
    scope = statistics_paths(actor)
    if not scope:
        raise NotFound(CoreError.CORE_001)
    end = criteria.end or today()
    start = criteria.start or end - timedelta(days=STATISTICS_DAYS - 1)
    if start > end:
        raise RuleViolation(CoreError.CORE_004, fields="start", field="start")
    with session.begin():
        place = None
        paths: tuple[str, ...] = scope
        if criteria.place_code:
            place = core_repository.find_place_by_code(session, criteria.place_code)
            if place is None or not any(place.path.startswith(p) for p in scope):
                raise NotFound(CoreError.CORE_011, code=criteria.place_code)
            paths = (place.path,)
        by_screener = repository.count_screenings_by(
            session, paths, start, end, Screening.screener_type
        )
        by_band = repository.count_screenings_by(session, paths, start, end, Screening.muac_band)
        by_status = repository.count_referrals_by_status(session, paths, start, end)
        pairs = repository.measured_pairs(session, paths, start, end)
        overdue = repository.count_overdue_referrals(
            session,
            paths,
            start,
            end,
            today() - timedelta(days=rules.DEFAULT_SETTINGS.overdue_days),
        )
        referrals = sum(by_status.values())
        completed = by_status.get(ReferralStatus.COMPLETED.value, 0)
        return CommunityStatistics(
            place_code=place.code if place else None,
            place_name=place.name if place else None,
            start=start,
            end=end,
            trainings=repository.count_trainings(session, paths, start, end),
            mothers_trained=repository.sum_mothers_trained(session, paths, start, end),
            screenings=sum(by_screener.values()),
            screenings_by_screener=[
                CountRow(code=t.value, count=by_screener.get(t.value, 0)) for t in ScreenerType
            ],
            screenings_by_band=[
                CountRow(code=b.value, count=by_band.get(b.value, 0)) for b in MuacBand
            ],
            referrals=referrals,
            referrals_completed=completed,
            referrals_pending=by_status.get(ReferralStatus.PENDING.value, 0),
            referrals_overdue=overdue,
            admitted=repository.count_admitted(session, paths, start, end),
            completion_percent=round(100.0 * completed / referrals, 1) if referrals else None,
            agreement=_agreement_row(None, [(c, f) for _t, c, f in pairs]),
            agreement_by_screener=[
                _agreement_row(t, [(c, f) for kind, c, f in pairs if kind == t.value])
                for t in ScreenerType
            ],
        )
