"""Research pages: the monitor's source data verification and queries; a study's set-up after its start."""

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from alima.api.deps import SessionDep
from alima.core.access import Actor
from alima.core.i18n import N_, gettext
from alima.core.time import today
from alima.research import service
from alima.research.enums import (
    FormKind,
)
from alima.research.schemas import (
    ConsentFormIn,
    EthicsApprovalIn,
    QueryAnswer,
    QueryCreate,
)
from alima.web.contexts_research import (
    MonitoringContext,
    SetupContext,
    SourceContext,
)
from alima.web.contexts_treat import Option
from alima.web.deps import WebActor
from alima.web.form_pages import Asked, FormView, RecordForm, keyed
from alima.web.forms import Posted, WebForm, is_refusal, submit
from alima.web.rendering import redirect, render, show
from alima.web.routes.research.pages import child_context, child_url

router = APIRouter(prefix="/research", default_response_class=HTMLResponse)


QUERY = WebForm(QueryCreate, error_page=is_refusal)
ANSWER = WebForm(QueryAnswer, error_page=is_refusal)


@router.get("/studies/{study_code}/monitoring", name="research:monitoring")
def monitoring(
    request: Request, study_code: str, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """The monitor's list: the children included at its sites, with their open queries."""
    children = service.monitored_children(session, study_code, actor=actor)
    context = MonitoringContext(actor=actor, study_code=study_code, children=children)
    return render(request, "research/monitoring.html", context)


def _source_url(study_code: str, patient_id: uuid.UUID, saved: str) -> str:
    return f"/research/studies/{study_code}/patients/{patient_id}/source?saved={saved}"


@router.get("/studies/{study_code}/patients/{patient_id}/source", name="research:source")
def source(
    request: Request,
    study_code: str,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    saved: str = "",
) -> HTMLResponse:
    """An included child's record, read-only, for the monitor; its queries."""
    record = service.source_record(session, study_code, patient_id, actor=actor)
    shown = saved if saved in {"query", "closed"} else ""
    context = SourceContext(actor=actor, record=record, saved=shown)
    return render(request, "research/source.html", context)


@router.post("/studies/{study_code}/patients/{patient_id}/queries", name="research:query")
def raise_query(
    request: Request,
    study_code: str,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(QUERY)],
) -> Response:
    """The monitor raises a query on a data point, or sees the form again."""

    def page(posted: Posted) -> HTMLResponse:
        record = service.source_record(session, study_code, patient_id, actor=actor)
        context = SourceContext(
            actor=actor, record=record, values=posted.values, errors=posted.errors
        )
        return show(request, "research/source.html", context, posted)

    return submit(
        QUERY,
        posted,
        lambda data: service.raise_query(session, study_code, patient_id, data, actor=actor),
        page,
        then=_source_url(study_code, patient_id, "query"),
    )


def _child_watched(
    study_code: str, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> uuid.UUID:
    """An included child its monitor or its site may query about, checked first.

    Before the rest of the request: a child elsewhere is a 404 (audited) whatever was sent.
    """
    service.refuse_unwatched(session, actor, patient_id, study_code)
    return patient_id


ChildWatched = Annotated[uuid.UUID, Depends(_child_watched)]


@router.post(
    "/studies/{study_code}/patients/{patient_id}/queries/{query_id}/answer",
    name="research:answer",
)
def answer_query(
    request: Request,
    study_code: str,
    patient_id: ChildWatched,
    query_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(ANSWER)],
) -> Response:
    """The site answers a monitor's query on the child's study page."""

    def page(posted: Posted) -> HTMLResponse:
        context = child_context(
            session, actor, patient_id, study_code, values=posted.values, failed="answer"
        )
        return show(request, "research/child.html", context, posted)

    return submit(
        ANSWER,
        posted,
        lambda data: service.answer_query(
            session, study_code, patient_id, query_id, data, actor=actor
        ),
        page,
        then=child_url(study_code, patient_id, "answer"),
    )


@router.post(
    "/studies/{study_code}/patients/{patient_id}/queries/{query_id}/close",
    name="research:close_query",
)
def close_query(
    study_code: str,
    patient_id: ChildWatched,
    query_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
) -> Response:
    """The monitor closes an answered query."""
    service.close_query(session, study_code, patient_id, query_id, actor=actor)
    return redirect(_source_url(study_code, patient_id, "closed"))


# --- set-up after the start: ethics approvals, form versions -------------------------------

ETHICS = WebForm(EthicsApprovalIn, error_page=is_refusal)
FORM = WebForm(ConsentFormIn, error_page=is_refusal)
KINDS = {FormKind.CONSENT: N_("Consent form"), FormKind.INFORMATION: N_("Information sheet")}
#: What the set-up page says was saved (its forms).
SETUP_SAVES = ("ethics", "form")


def _setup_context(
    session: Session,
    actor: Actor,
    study_code: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    failed: str = "",
    saved: str = "",
) -> SetupContext:
    setup = service.study_setup(session, study_code, actor=actor)
    return SetupContext(
        actor=actor,
        setup=setup,
        options={"kind": [Option(k.value, gettext(text)) for k, text in KINDS.items()]},
        values=values if values is not None else {"approved_on": today().isoformat()},
        errors=errors or {},
        failed=failed,
        saved=saved,
    )


@router.get("/studies/{study_code}/setup", name="research:setup")
def setup(
    request: Request, study_code: str, session: SessionDep, actor: WebActor, saved: str = ""
) -> HTMLResponse:
    """A study's sites, arms, ethics approvals and form versions; administrators add the last two."""
    shown = saved if saved in SETUP_SAVES else ""
    return render(
        request, "research/setup.html", _setup_context(session, actor, study_code, saved=shown)
    )


def _setup_form(failed: str) -> FormView[str]:
    """The set-up page with its ``failed`` form (``ethics`` or ``form``) refused."""

    def context(asked: Asked[str], values: dict[str, str]) -> SetupContext:
        return _setup_context(asked.session, asked.actor, asked.key, values=values, failed=failed)

    return FormView("research/setup.html", context, ("study_code", str), context_first=False)


def _setup_saved(name: str) -> Callable[[Asked[str], object], str]:
    return lambda asked, _: f"/research/studies/{asked.key}/setup?saved={name}"


# An ethics approval (administrators of every site of the study); a new approved form version,
# in force from now on (consents on older ones: re-consent).
ETHICS_FORM = RecordForm(
    ETHICS, _setup_form("ethics"), keyed(service.add_ethics_approval), _setup_saved("ethics")
)
ETHICS_FORM.post(router, "/studies/{study_code}/ethics", "research:ethics")
CONSENT_FORM = RecordForm(
    FORM, _setup_form("form"), keyed(service.add_consent_form), _setup_saved("form")
)
CONSENT_FORM.post(router, "/studies/{study_code}/forms", "research:form")
