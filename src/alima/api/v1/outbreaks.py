"""Outbreaks: weekly IDSR reports, the line list, alerts and their response, dashboards."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from alima.api.deps import ApiActor, SessionDep, SettingsDep
from alima.api.v1.common import PlaceCodePath, error_responses
from alima.outbreaks import service
from alima.outbreaks.config import Surveillance
from alima.outbreaks.enums import Disease
from alima.outbreaks.schemas import (
    AlertActionCreate,
    AlertRead,
    CaseCreate,
    CaseRead,
    CaseUpdate,
    Completeness,
    DistrictDashboard,
    ThresholdSetCreate,
    ThresholdSetRead,
    WeeklyReportCreate,
    WeeklyReportRead,
)

router = APIRouter(
    prefix="/outbreaks",
    tags=["outbreaks"],
    responses=error_responses(not_found="No such place, case or alert in your scope"),
)

Weeks = Annotated[int, Query(ge=1, le=104, description="How many weeks, up to the last ended.")]


@router.post("/reports", status_code=status.HTTP_201_CREATED)
def record_report(
    body: WeeklyReportCreate, session: SessionDep, actor: ApiActor, settings: SettingsDep
) -> WeeklyReportRead:
    """Record a facility's weekly report (or correct it, naming its ``version``)."""
    return service.record_weekly_report(
        session, body, actor=actor, config=Surveillance.of(settings)
    )


@router.get("/reports")
def reports(
    session: SessionDep, actor: ApiActor, settings: SettingsDep, weeks: Weeks = 8
) -> list[WeeklyReportRead]:
    """Reports of the facilities in your scope over the latest weeks."""
    return service.list_reports(session, actor=actor, config=Surveillance.of(settings), weeks=weeks)


@router.post("/cases", status_code=status.HTTP_201_CREATED)
def record_case(
    body: CaseCreate, session: SessionDep, actor: ApiActor, settings: SettingsDep
) -> CaseRead:
    """Put a suspected case of an immediately notifiable disease on the line list."""
    return service.record_case(session, body, actor=actor, config=Surveillance.of(settings))


@router.get("/cases")
def cases(
    session: SessionDep, actor: ApiActor, disease: Annotated[Disease | None, Query()] = None
) -> list[CaseRead]:
    """The line list of the facilities whose patients you read (audited)."""
    return service.list_cases(session, actor=actor, disease=disease)


@router.patch("/cases/{case_id}")
def update_case(
    case_id: uuid.UUID,
    body: CaseUpdate,
    session: SessionDep,
    actor: ApiActor,
    settings: SettingsDep,
) -> CaseRead:
    """Record a case's sample, laboratory result or outcome."""
    return service.update_case(
        session, case_id, body, actor=actor, config=Surveillance.of(settings)
    )


@router.get("/alerts")
def alerts(
    session: SessionDep, actor: ApiActor, open_only: Annotated[bool, Query()] = False
) -> list[AlertRead]:
    """Alerts of the health areas and districts in your scope, newest week first."""
    return service.list_alerts(session, actor=actor, open_only=open_only)


@router.get("/alerts/{alert_id}")
def alert(alert_id: uuid.UUID, session: SessionDep, actor: ApiActor) -> AlertRead:
    """An alert: its rule, figures, log of actions, and the actions you may take."""
    return service.get_alert(session, alert_id, actor=actor)


@router.post("/alerts/{alert_id}/actions")
def act(
    alert_id: uuid.UUID, body: AlertActionCreate, session: SessionDep, actor: ApiActor
) -> AlertRead:
    """Verify, investigate, declare, discard (with a note) or close an alert."""
    return service.act_on_alert(session, alert_id, body, actor=actor)


@router.get("/districts/{district_code}/dashboard")
def dashboard(
    district_code: PlaceCodePath,
    session: SessionDep,
    actor: ApiActor,
    settings: SettingsDep,
    weeks: Weeks = 12,
) -> DistrictDashboard:
    """A district's weekly cases and attack rates against the thresholds, and its reports."""
    return service.district_dashboard(
        session, district_code, actor=actor, config=Surveillance.of(settings), weeks=weeks
    )


@router.get("/districts/{district_code}/completeness")
def completeness(
    district_code: PlaceCodePath,
    session: SessionDep,
    actor: ApiActor,
    settings: SettingsDep,
    weeks: Weeks = 12,
) -> list[Completeness]:
    """Reports received and on time against those expected, week by week."""
    return service.completeness(
        session, district_code, actor=actor, config=Surveillance.of(settings), weeks=weeks
    )


@router.get("/thresholds/{country_code}")
def thresholds(
    country_code: PlaceCodePath, session: SessionDep, actor: ApiActor, settings: SettingsDep
) -> list[ThresholdSetRead]:
    """The threshold rules in force in a country, per disease, with their version."""
    return service.thresholds_in_force(
        session, country_code, actor=actor, config=Surveillance.of(settings)
    )


@router.post("/thresholds/{country_code}", status_code=status.HTTP_201_CREATED)
def publish(
    country_code: PlaceCodePath, body: ThresholdSetCreate, session: SessionDep, actor: ApiActor
) -> ThresholdSetRead:
    """Publish a new version of a country's rules for one disease (administrators)."""
    return service.publish_thresholds(session, country_code, body, actor=actor)
