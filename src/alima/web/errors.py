"""Error pages per status (Datasette's idea), in the reader's language."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from alima.core.i18n import N_, gettext
from alima.web.contexts import ErrorContext
from alima.web.deps import signed_in_actor
from alima.web.rendering import render

log = logging.getLogger("alima")

STATUS_MESSAGES = {
    400: N_("The request could not be understood."),
    401: N_("Please sign in."),
    403: N_("You are not allowed to do this."),
    404: N_("This page does not exist or you may not see it."),
    405: N_("This action is not possible here."),
    409: N_("This conflicts with the current state of the record."),
    413: N_("What you sent is too large."),
    422: N_("Some information is not valid."),
    429: N_("Too many attempts. Please wait and try again."),
    500: N_("An unexpected error occurred."),
}


def error_page(request: Request, status: int, message: str | None = None) -> HTMLResponse:
    """Render ``{status}.html`` if it exists, else ``error.html``.

    A signed-in user keeps the site's header (menu, name, sign-out); should that fail, the
    page is rendered again with the anonymous header.
    """
    text = message or gettext(STATUS_MESSAGES.get(status, STATUS_MESSAGES[400]))
    templates: Jinja2Templates = request.app.state.templates
    template = f"{status}.html"
    try:
        templates.env.get_template(template)
    except Exception:
        template = "error.html"
    context = ErrorContext(status=status, message=text, actor=signed_in_actor(request))
    try:
        return render(request, template, context, status_code=status)
    except Exception:
        if context.actor is None:
            raise
        log.exception("error page with the signed-in user's header failed")
    return render(request, template, ErrorContext(status=status, message=text), status_code=status)


def login_redirect(request: Request) -> RedirectResponse:
    """Send an anonymous visitor to the sign-in page, coming back afterwards."""
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
