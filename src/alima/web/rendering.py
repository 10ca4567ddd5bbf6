"""Rendering a page context into a template (templates get ``page``, ``csrf_token``, ``locale``)."""

from __future__ import annotations

from typing import Any

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


def redirect(url: str) -> RedirectResponse:
    """A 303 redirect (after a form post)."""
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None) -> str:
    """Only local paths are followed after sign-in or a language switch (no open redirect)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url[:500]
