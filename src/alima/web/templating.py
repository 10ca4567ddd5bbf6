"""Jinja2 environment: autoescape, translations of the current locale, formatting filters."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import jinja2
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi.templating import Jinja2Templates

from alima.core.i18n import get_locale, translations
from alima.core.labels import label_text
from alima.core.time import age_in_months, today
from alima.web.cards import PageTemplate
from alima.web.static import static_url

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
#: Below a month, an age given by its birth date reads in weeks, below a week in days.
DAYS_IN_A_WEEK = 7


def _months(n: int) -> str:
    return _ngettext("%(num)d month", "%(num)d months", n) % {"num": n}


def fmt_age(value: float | date | None) -> str:
    """An age: ``11 mois``, ``2 ans 5 mois`` (``2 years 5 months``).

    ``value`` is an age in whole months, or a birth date: then a child younger than a month
    reads in weeks (``3 semaines``), younger than a week in days.
    """
    if value is None:
        return ""
    if isinstance(value, date):
        on = today()
        whole = age_in_months(value, on)
        if whole < 1:
            days = max((on - value).days, 0)
            if days < DAYS_IN_A_WEEK:
                return _ngettext("%(num)d day", "%(num)d days", days) % {"num": days}
            weeks = days // DAYS_IN_A_WEEK
            return _ngettext("%(num)d week", "%(num)d weeks", weeks) % {"num": weeks}
    else:
        whole = int(value)
    if whole < AGE_IN_MONTHS_UNTIL:
        return _months(whole)
    years, rest = divmod(whole, 12)
    text = _ngettext("%(num)d year", "%(num)d years", years) % {"num": years}
    return f"{text} {_months(rest)}" if rest else text


def fmt_value(value: object) -> str:
    """A stored value shown in the audit trail: numbers, yes/no and codes as a reader reads them."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _gettext("yes") if value else _gettext("no")
    if isinstance(value, float):
        return fmt_number(value, 2)
    if isinstance(value, str):
        return label_text(value)
    return str(value)


def label(code: str | None) -> str:
    """The translated label of a stored code (role, place kind, audit action...)."""
    return label_text(code)


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
    env.filters["value"] = fmt_value
    # A source string kept as data (a protocol file's title), marked elsewhere with N_().
    env.filters["translated"] = _gettext
    env.globals["get_locale"] = get_locale
    env.globals["static_url"] = static_url
    return templates
