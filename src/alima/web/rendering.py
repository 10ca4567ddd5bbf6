"""Rendering a page context into a template (templates get ``page``, ``csrf_token``, ``locale``)."""

from __future__ import annotations

from typing import Any, Protocol

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from alima.core.i18n import get_locale


def render(request: Request, template: str, page: Any, *, status_code: int = 200) -> HTMLResponse:
    """Render ``template`` with the page context dataclass ``page``."""
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request,
        template,
        {
            "page": page,
            "csrf_token": request.state.csrf,
            "locale": get_locale(),
            "current_path": request.url.path,
            "query_string": request.url.query,
        },
        status_code=status_code,
    )
    return response


class HasErrors(Protocol):
    """A form page context: the errors shown next to the fields."""

    errors: dict[str, str]


class Refused(Protocol):
    """What was refused in a posted form (``alima.web.forms.Posted``)."""

    errors: dict[str, str]
    status: int


def show(request: Request, template: str, page: HasErrors, posted: Refused) -> HTMLResponse:
    """Render a refused form again: ``page`` with the errors, at the refusal's status."""
    page.errors = posted.errors
    return render(request, template, page, status_code=posted.status)


def redirect(url: str) -> RedirectResponse:
    """A 303 redirect (after a form post)."""
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None) -> str:
    """Only local paths are followed after sign-in or a language switch (no open redirect)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url[:500]
