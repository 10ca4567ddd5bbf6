"""SMC pages: campaigns, setup, a campaign's figures, door-to-door lists, a household's round."""

import re
import uuid
from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from alima.api.deps import SessionDep, SettingsDep
from alima.core.access import Actor, Permission
from alima.core.config import Settings
from alima.core.i18n import N_, gettext
from alima.core.schemas import PatientCreate
from alima.core.service import patients as patient_service
from alima.core.time import today
from alima.smc import service
from alima.smc.enums import Product, TargetSource
from alima.smc.schemas import (
    AdherenceReport,
    CampaignCreate,
    CampaignRead,
    CampaignReport,
    DoseCreate,
    SupplyCreate,
    TeamCreate,
)
from alima.web.contexts_smc import (
    SmcCampaignContext,
    SmcCampaignsContext,
    SmcHouseholdContext,
    SmcListContext,
    SmcSetupContext,
)
from alima.web.contexts_treat import Option
from alima.web.deps import WebActor
from alima.web.form_pages import Asked, FormView, RecordForm, keyed
from alima.web.forms import Posted, WebForm, enum_options, form_error, is_forbidden, submit
from alima.web.rendering import render, show
from alima.web.spreadsheet import Cell, csv_response, xlsx_response
from alima.web.templating import label

router = APIRouter(prefix="/smc", default_response_class=HTMLResponse)

Village = Annotated[str, Query(max_length=200)]
Caregiver = Annotated[str, Query(max_length=200)]
CYCLE_FIELDS = tuple(f"cycle_{n}" for n in range(1, 6))
#: A line of the areas box: a place code, then its census figure if any.
AREA_LINE = re.compile(r"^\s*([A-Za-z0-9_.-]{1,60})(?:[\s,;:=]+(\d{1,8}))?\s*$")


@router.get("", name="smc:campaigns")
def campaigns(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """The SMC campaigns covering places in your scope."""
    context = SmcCampaignsContext(
        actor=actor,
        campaigns=service.list_campaigns(session, actor=actor),
        can_set_up=actor.can(Permission.DATA_SUBMIT),
    )
    return render(request, "smc/campaigns.html", context)


# --- campaign setup ------------------------------------------------------------------------


def _compose_campaign(posted: Posted) -> dict[str, object]:
    starts = [posted.text(name) for name in CYCLE_FIELDS if posted.text(name)]
    areas: list[object] = []
    for line in re.split(r"[\n\r]+", posted.text("areas_text")):
        if not line.strip():
            continue
        match = AREA_LINE.match(line)
        if match is None:
            areas.append({"place_code": line.strip()[:60] or "?", "census_target": "x"})
            continue
        code, figure = match.groups()
        areas.append({"place_code": code, "census_target": int(figure) if figure else None})
    return {"cycle_starts": starts, "areas": areas}


CAMPAIGN = WebForm(
    CampaignCreate,
    extra=(*CYCLE_FIELDS, "areas_text"),
    compose=_compose_campaign,
    error_page=is_forbidden,
    messages={"areas": N_("Give one district or health area code a line (and its census figure).")},
)


def _setup_context(asked: Asked[None], values: dict[str, str]) -> SmcSetupContext:
    return SmcSetupContext(
        actor=asked.actor,
        action="/smc/campaigns/new",
        values=values,
        options={"target_source": enum_options(TargetSource)},
        areas=service.setup_places(asked.session, actor=asked.actor),
    )


RecordForm[None, CampaignCreate, CampaignRead](
    CAMPAIGN,
    FormView("smc/setup.html", _setup_context),
    lambda a, data: service.create_campaign(
        a.session, data, actor=a.actor, settings=service.SmcSettings.of(a.settings)
    ),
    lambda _, created: f"/smc/campaigns/{created.id}",
    start=lambda _: {"season": str(today().year), "target_source": TargetSource.PLACES.value},
).add(router, "/campaigns/new", ("smc:setup", "smc:setup_post"), "Set up an SMC campaign.")


# --- a campaign ----------------------------------------------------------------------------

TEAM = WebForm(
    TeamCreate,
    extra=("villages_text",),
    compose=lambda p: {
        "villages": [
            v.strip() for v in re.split(r"[,;\n\r]+", p.text("villages_text")) if v.strip()
        ]
    },
    error_page=is_forbidden,
)
SUPPLY = WebForm(SupplyCreate, error_page=is_forbidden)


def _campaign_context(
    session: Session, actor: Actor, campaign_id: uuid.UUID, values: dict[str, str]
) -> SmcCampaignContext:
    campaign = service.get_campaign(session, campaign_id, actor=actor)
    sites = sorted({(t.place_code, t.place_name) for t in campaign.teams})
    writable = service.writable_site_options(session, campaign_id, actor=actor)
    return SmcCampaignContext(
        actor=actor,
        campaign=campaign,
        report=service.campaign_report(session, campaign_id, actor=actor),
        values=values,
        options={
            "place_code": [Option(code, name) for code, name in writable or sites],
            "product": enum_options(Product),
            "cycle_number": [Option(str(c.number), str(c.number)) for c in campaign.cycles],
        },
    )


@router.get("/campaigns/{smc_campaign_id}", name="smc:campaign")
def campaign(
    request: Request,
    smc_campaign_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    saved: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    """A campaign: coverage and drop-out per cycle, per area, SPAQ used and left, teams."""
    context = _campaign_context(session, actor, smc_campaign_id, {})
    context.saved = saved if saved in {"team", "supply"} else ""
    return render(request, "smc/campaign.html", context)


def _campaign_form(failed: str) -> FormView[uuid.UUID]:
    """The campaign's page with its ``failed`` form (``team`` or ``supply``) refused."""

    def context(asked: Asked[uuid.UUID], values: dict[str, str]) -> SmcCampaignContext:
        shown = _campaign_context(asked.session, asked.actor, asked.key, values)
        shown.failed = failed
        return shown

    return FormView("smc/campaign.html", context, key=("smc_campaign_id", uuid.UUID))


def _saved(kind: str) -> Callable[[Asked[uuid.UUID], object], str]:
    return lambda asked, _: f"/smc/campaigns/{asked.key}?saved={kind}"


# Add a team of distributors and its villages; record SPAQ blisters received for a cycle.
RecordForm(TEAM, _campaign_form("team"), keyed(service.add_team), _saved("team")).post(
    router, "/campaigns/{smc_campaign_id}/teams", "smc:team_post"
)
RecordForm(SUPPLY, _campaign_form("supply"), keyed(service.record_supply), _saved("supply")).post(
    router, "/campaigns/{smc_campaign_id}/supplies", "smc:supply_post"
)


def report_rows(report: CampaignReport) -> list[list[Cell]]:
    """The campaign's figures as tables in the reader's language."""
    rows: list[list[Cell]] = [
        [
            gettext("Cycle"),
            gettext("Start"),
            gettext("Target"),
            gettext("Children treated"),
            gettext("Coverage (%)"),
            gettext("Excluded"),
            gettext("Drop-out since cycle 1"),
            gettext("Drop-out (%)"),
            gettext("Day 3 reported"),
            gettext("Day 3 taken"),
        ]
    ]
    for c in report.cycles:
        rows.append(
            [
                c.number,
                c.starts_on.isoformat(),
                c.target,
                c.treated,
                c.coverage_percent,
                c.excluded,
                c.dropout,
                c.dropout_percent,
                c.day3_reported,
                c.day3_given,
            ]
        )
    rows.append([])
    heading: list[Cell] = [gettext("Area"), gettext("Target")]
    heading += [gettext("Cycle {number}").format(number=c.number) for c in report.cycles]
    rows.append(heading)
    for a in report.areas:
        rows.append([a.place_name, a.target, *a.treated])
    rows.append([])
    rows.append([gettext("Product"), gettext("Received"), gettext("Used"), gettext("Left")])
    for p in report.products:
        rows.append([label(p.product.value), p.received, p.used, p.left])
    return rows


def _filename(report: CampaignReport, extension: str) -> str:
    return f"smc-{report.season}-{str(report.campaign_id)[:8]}.{extension}"


@router.get("/campaigns/{smc_campaign_id}/report.csv", name="smc:report_csv")
def report_csv(smc_campaign_id: uuid.UUID, session: SessionDep, actor: WebActor) -> Response:
    """The campaign's figures as CSV."""
    report = service.campaign_report(session, smc_campaign_id, actor=actor)
    return csv_response(report_rows(report), _filename(report, "csv"))


@router.get("/campaigns/{smc_campaign_id}/report.xlsx", name="smc:report_xlsx")
def report_xlsx(smc_campaign_id: uuid.UUID, session: SessionDep, actor: WebActor) -> Response:
    """The campaign's figures as an Excel workbook."""
    report = service.campaign_report(session, smc_campaign_id, actor=actor)
    return xlsx_response(
        report_rows(report), _filename(report, "xlsx"), title=str(report.season), widths=(24,)
    )


# --- door to door --------------------------------------------------------------------------


@router.get("/cycles/{smc_cycle_id}/list", name="smc:list")
def distribution_list(
    request: Request,
    smc_cycle_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    team: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    """The door-to-door list of a cycle: each village's children, done or still to find."""
    try:
        team_id = uuid.UUID(team) if team else None
    except ValueError:
        team_id = None
    listing = service.distribution_list(session, smc_cycle_id, team_id=team_id, actor=actor)
    campaign = service.get_campaign(session, listing.campaign_id, actor=actor)
    context = SmcListContext(
        actor=actor,
        listing=listing,
        teams=[Option(str(t.id), f"{t.name} · {t.place_name}") for t in campaign.teams],
        team=str(team_id) if team_id else "",
    )
    return render(request, "smc/list.html", context)


DOSE = WebForm(DoseCreate, given=("cycle_id",), extra=("caregiver",), error_page=is_forbidden)
ADHERENCE = WebForm(AdherenceReport, error_page=is_forbidden)
REGISTER = WebForm(
    PatientCreate, omit=("phone",), kept=300, refused=form_error, error_page=is_forbidden
)


def _household_url(cycle_id: uuid.UUID, village: str, caregiver: str, **more: str) -> str:
    query = {"village": village, "caregiver": caregiver, **more}
    return f"/smc/cycles/{cycle_id}/household?{urlencode(query)}"


def _household_context(
    session: Session,
    actor: Actor,
    cycle_id: uuid.UUID,
    *,
    village: str,
    caregiver: str,
    child: str = "",
    values: dict[str, str] | None = None,
    settings: Settings | None = None,
    failed: str = "",
) -> SmcHouseholdContext:
    """The household's page; re-dosing after vomiting as ``settings`` say (default: yes, 30')."""
    redose = settings.smc_redose_after_vomiting if settings else True
    window = settings.smc_vomit_window_minutes if settings else 30
    try:
        child_id = uuid.UUID(child) if child else None
    except ValueError:
        child_id = None
    house = None
    current = None
    campaign_name, number = "", 0
    if village.strip() and caregiver.strip():
        house = service.household(
            session, cycle_id, village=village, caregiver=caregiver, actor=actor, child_id=child_id
        )
        campaign_name, number = house.campaign_name, house.cycle.number
        chosen = [c for c in house.children if child_id and c.patient_id == child_id]
        pending = [c for c in house.children if c.band is not None and c.dose is None]
        current = next(iter(chosen or pending), None)
    else:
        cycle = service.cycle_summary(session, cycle_id, actor=actor)
        campaign_name, number = cycle
    sites = house.sites if house else []
    shown = dict(values or {})
    shown.setdefault("day1_observed", "yes")
    if len(sites) == 1:
        shown.setdefault("place_code", sites[0][0])
    return SmcHouseholdContext(
        actor=actor,
        cycle_id=str(cycle_id),
        cycle_number=number,
        campaign_name=campaign_name,
        village=village,
        caregiver=caregiver,
        household=house,
        current=current,
        values=shown,
        options={
            "place_code": [Option(code, name) for code, name in sites],
            "team_id": [
                Option(str(t.id), f"{t.name} · {t.place_name}")
                for t in (house.teams if house else [])
            ],
            "sex": [Option("F", gettext("Girl")), Option("M", gettext("Boy"))],
        },
        redose=redose,
        redose_window=window,
        failed=failed,
    )


@router.get("/cycles/{smc_cycle_id}/household", name="smc:household")
def household(
    request: Request,
    smc_cycle_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
    village: Village = "",
    caregiver: Caregiver = "",
    child: Annotated[str, Query(max_length=40)] = "",
    saved: Annotated[str, Query(max_length=12)] = "",
) -> HTMLResponse:
    """A household's children for a cycle, one child's day 1 at a time."""
    context = _household_context(
        session,
        actor,
        smc_cycle_id,
        village=village,
        caregiver=caregiver,
        child=child,
        settings=settings,
    )
    context.saved = saved if saved in {"dose", "adherence", "registered"} else ""
    return render(request, "smc/household.html", context)


@router.post("/cycles/{smc_cycle_id}/doses", name="smc:dose_post")
def record_dose(
    request: Request,
    smc_cycle_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
    posted: Annotated[Posted, Depends(DOSE)],
) -> Response:
    """Record a child's day 1 and go back to the household for the next child."""
    village, caregiver = posted.text("village"), posted.text("caregiver")
    context = _household_context(
        session,
        actor,
        smc_cycle_id,
        village=village,
        caregiver=caregiver,
        child=posted.text("patient_id"),
        values=posted.values,
        settings=settings,
        failed="dose",
    )
    return submit(
        DOSE,
        posted,
        lambda data: service.record_dose(
            session, data, actor=actor, settings=service.SmcSettings.of(settings)
        ),
        lambda p: show(request, "smc/household.html", context, p),
        then=_household_url(smc_cycle_id, village, caregiver, saved="dose"),
        cycle_id=smc_cycle_id,
    )


@router.post("/doses/{smc_dose_id}/adherence", name="smc:adherence_post")
def report_adherence(
    request: Request,
    smc_dose_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(ADHERENCE)],
    cycle: Annotated[uuid.UUID, Query()],
    village: Village = "",
    caregiver: Caregiver = "",
) -> Response:
    """Days 2 and 3 of the previous cycle, as the caregiver reports them."""

    def save(data: AdherenceReport) -> str:
        dose = service.report_adherence(session, smc_dose_id, data, actor=actor)
        return _household_url(
            cycle, village, caregiver, child=str(dose.patient_id), saved="adherence"
        )

    def again(p: Posted) -> Response:
        context = _household_context(
            session,
            actor,
            cycle,
            village=village,
            caregiver=caregiver,
            values=p.values,
            failed="adherence",
        )
        return show(request, "smc/household.html", context, p)

    return submit(ADHERENCE, posted, save, again)


@router.post("/cycles/{smc_cycle_id}/household/children", name="smc:register_post")
def register_child(
    request: Request,
    smc_cycle_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
    posted: Annotated[Posted, Depends(REGISTER)],
) -> Response:
    """Register a child of the household (the patient register and its duplicate check)."""
    village, caregiver = posted.text("village"), posted.text("caregiver_name")
    context = _household_context(
        session,
        actor,
        smc_cycle_id,
        village=village,
        caregiver=caregiver,
        values=posted.values,
        settings=settings,
        failed="register",
    )

    def save(data: PatientCreate) -> str:
        child = patient_service.register_patient(session, data, actor=actor)
        return _household_url(
            smc_cycle_id, village, caregiver, child=str(child.id), saved="registered"
        )

    try:
        return submit(
            REGISTER, posted, save, lambda p: show(request, "smc/household.html", context, p)
        )
    except patient_service.DuplicateSuspected as exc:
        context.duplicate_message = exc.warning.message
        context.duplicates = exc.warning.candidates
        return render(request, "smc/household.html", context, status_code=409)
