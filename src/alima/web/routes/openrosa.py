"""Submissions from ODK devices waiting for a data manager: look, re-apply corrected, reject."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

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
from alima.web.forms import Posted, WebForm, is_refusal, submit
from alima.web.rendering import render, show

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


def _page(
    request: Request, session: SessionDep, submission_id: uuid.UUID, actor: Actor
) -> Callable[[Posted], HTMLResponse]:
    def page(posted: Posted) -> HTMLResponse:
        context = _context(session, submission_id, actor)
        context.values.update(posted.values)
        return show(request, "openrosa/submission.html", context, posted)

    return page


@router.post("/{submission_id}/reapply", name="openrosa:reapply")
def reapply(
    request: Request,
    submission_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(REAPPLY)],
) -> Response:
    """Apply the submission again, with the corrected XML."""
    return submit(
        REAPPLY,
        posted,
        lambda data: service.reapply(session, submission_id, data, actor=actor),
        _page(request, session, submission_id, actor),
        then=lambda done: f"/openrosa/review/{done.id}",
    )


@router.post("/{submission_id}/reject", name="openrosa:reject")
def reject(
    request: Request,
    submission_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(REJECT)],
) -> Response:
    """Close the submission without applying it, with the reason."""
    return submit(
        REJECT,
        posted,
        lambda data: service.reject(session, submission_id, data, actor=actor),
        _page(request, session, submission_id, actor),
        then="/openrosa/review",
    )
