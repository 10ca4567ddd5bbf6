"""Submissions from ODK devices waiting for a data manager: look, re-apply corrected, reject."""

import uuid
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from alima.api.deps import SessionDep
from alima.core.access import Actor
from alima.interop.openrosa import service
from alima.interop.openrosa.enums import STATUS_LABELS
from alima.interop.openrosa.schemas import (
    SubmissionDetail,
    SubmissionRead,
    SubmissionReapply,
    SubmissionReject,
)
from alima.web.deps import WebActor
from alima.web.form_pages import Asked, FormView, RecordForm, keyed
from alima.web.forms import WebForm, is_refusal
from alima.web.rendering import render

router = APIRouter(prefix="/openrosa/review", default_response_class=HTMLResponse)

REAPPLY = WebForm(SubmissionReapply, error_page=is_refusal, kept=200_000)
REJECT = WebForm(SubmissionReject, error_page=is_refusal)


@dataclass
class ReviewContext:
    """Submissions waiting for a data manager."""

    actor: Actor
    submissions: list[SubmissionRead]
    labels: dict[str, str]


@dataclass
class SubmissionContext:
    """One submission, with the forms to re-apply it or reject it."""

    actor: Actor
    submission: SubmissionDetail
    labels: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _labels() -> dict[str, str]:
    return {status.value: text for status, text in STATUS_LABELS.items()}


@router.get("", name="openrosa:review")
def review(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Submissions refused, unreadable or never applied, in the actor's places."""
    waiting = service.to_review(session, actor=actor)
    return render(request, "openrosa/review.html", ReviewContext(actor, waiting, _labels()))


def _context(session: SessionDep, submission_id: uuid.UUID, actor: Actor) -> SubmissionContext:
    detail = service.get_submission(session, submission_id, actor=actor)
    values = {"corrected_xml": detail.corrected_xml or detail.xml}
    return SubmissionContext(actor, detail, _labels(), values)


@router.get("/{submission_id}", name="openrosa:submission_page")
def submission_page(
    request: Request, submission_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """A submission as received, why it was refused, and what can be done."""
    return render(request, "openrosa/submission.html", _context(session, submission_id, actor))


def _submission_form(asked: Asked[uuid.UUID], values: dict[str, str]) -> SubmissionContext:
    context = _context(asked.session, asked.key, asked.actor)
    context.values.update(values)
    return context


SUBMISSION = FormView(
    "openrosa/submission.html", _submission_form, ("submission_id", uuid.UUID), context_first=False
)
RecordForm(
    REAPPLY, SUBMISSION, keyed(service.reapply), lambda _, done: f"/openrosa/review/{done.id}"
).post(router, "/{submission_id}/reapply", "openrosa:reapply", "Apply the corrected XML.")
RecordForm(REJECT, SUBMISSION, keyed(service.reject), lambda _, __: "/openrosa/review").post(
    router, "/{submission_id}/reject", "openrosa:reject", "Close the submission, with the reason."
)
