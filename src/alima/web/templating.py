"""Jinja2 environment: autoescape, translations of the current locale, formatting filters."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import jinja2
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi.templating import Jinja2Templates

from alima.core.i18n import get_locale, translations
from alima.core.labels import LABELS
from alima.web.cards import PageTemplate

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def _gettext(message: str) -> str:
    return translations(get_locale()).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_locale()).ngettext(singular, plural, n)


def fmt_date(value: date | None) -> str:
    """A date in the reader's language (21 nov. 2026 / Nov 21, 2026)."""
    return format_date(value, format="medium", locale=get_locale()) if value else ""


def fmt_datetime(value: datetime | None) -> str:
    """A timestamp (UTC) in the reader's language."""
    if value is None:
        return ""
    return format_datetime(value, format="medium", tzinfo=None, locale=get_locale()) + " UTC"


def fmt_number(value: float | None, digits: int = 1) -> str:
    """A number with the reader's decimal separator."""
    if value is None:
        return ""
    return format_decimal(round(value, digits), locale=get_locale())


#: Below this age (months) an age reads in months, above it in years and months.
AGE_IN_MONTHS_UNTIL = 24


def fmt_age(months: float | None) -> str:
    """An age in months or years and months."""
    if months is None:
        return ""
    whole = int(months)
    if whole < AGE_IN_MONTHS_UNTIL:
        return _ngettext("%(num)d month", "%(num)d months", whole) % {"num": whole}
    years, rest = divmod(whole, 12)
    return _gettext("%(years)d years %(months)d months") % {"years": years, "months": rest}


def label(code: str | None) -> str:
    """The translated label of a stored code (role, place kind, audit action...)."""
    if code is None:
        return ""
    text = LABELS.get(code)
    return _gettext(text) if text else code


def make_templates() -> Jinja2Templates:
    """Templates with autoescape on and gettext bound to the request's locale."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )
    env.template_class = PageTemplate
    templates = Jinja2Templates(env=env)
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = fmt_date
    env.filters["datetime"] = fmt_datetime
    env.filters["number"] = fmt_number
    env.filters["age"] = fmt_age
    env.filters["label"] = label
    env.globals["get_locale"] = get_locale
    return templates
