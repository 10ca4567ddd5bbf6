"""What the care forms of one patient share: the form context and the post."""

import uuid
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from alima.care.schemas import CareFormRead
from alima.web.contexts_treat import CareFormContext, Option
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, submit
from alima.web.rendering import render

S = TypeVar("S", bound=BaseModel)

#: A care form page: the patient's form data and the values shown -> the page context.
ContextOf = Callable[[Request, WebActor, CareFormRead, dict[str, str]], CareFormContext]


def form_context(
    request: Request, actor: WebActor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    """A care form of one patient, its place chosen when there is only one."""
    if form.default_place_code:
        values.setdefault("place_code", form.default_place_code)
    return CareFormContext(
        actor=actor,
        action=str(request.url.path),
        values=values,
        form=form,
        options={"place_code": [Option(p.code, p.name) for p in form.places]},
    )


def patient_form_post(
    request: Request,
    actor: WebActor,
    patient_id: uuid.UUID,
    posted: Posted,
    *,
    form: WebForm[S],
    template: str,
    load: Callable[[], CareFormRead],
    save: Callable[[S], str],
    context_of: ContextOf = form_context,
    errors_of: Callable[[dict[str, str]], dict[str, str]] = dict,
) -> Response:
    """Save a patient's care form, or show it again (``errors_of`` places the errors)."""

    def page(posted: Posted) -> HTMLResponse:
        context = context_of(request, actor, load(), posted.values)
        context.errors = errors_of(posted.errors)
        return render(request, template, context, status_code=posted.status)

    return submit(form, posted, save, page, patient_id=patient_id)
