"""Translation helpers shared by every layer.

Source strings are English; the French catalog is complete and French is the default locale.
``N_`` marks a string for extraction without translating it at import time: the text is
translated when it is shown, in the reader's language.
"""

from __future__ import annotations

import contextvars
from functools import lru_cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"

_current_locale: contextvars.ContextVar[str] = contextvars.ContextVar(
    "alima_locale", default=DEFAULT_LOCALE
)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


def catalog_path(locale: str) -> Path:
    """Path of the ``.po`` catalog of ``locale`` (what translators edit)."""
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def compiled_path(locale: str) -> Path:
    """Path of the compiled ``.mo`` catalog of ``locale`` (what runs), beside its ``.po``."""
    return catalog_path(locale).with_suffix(".mo")


@lru_cache(maxsize=8)
def translations(locale: str) -> NullTranslations:
    """The compiled catalog of ``locale``; English is the source language and needs none.

    ``make messages`` compiles each ``.po`` into the ``.mo`` beside it, and both are
    committed; ``tests/test_translations.py`` fails when a ``.mo`` says anything else than
    its ``.po``, so what is committed is what runs. Reading the ``.mo`` takes a few
    milliseconds where compiling the ``.po`` took some 80 at every start of a process.
    """
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    path = compiled_path(locale)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        return GNUTranslations(handle)


def _preferred(accept_language: str) -> list[str]:
    """Language tags of an ``Accept-Language`` header, most wanted first (RFC 9110 §12.5.4).

    Entries with ``q=0``, an unreadable or out-of-range ``q``, or the ``*`` wildcard are
    dropped; ties keep the header's order. Only the first 20 entries are read.
    """
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")[:20]):
        tag, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = -1.0
        if tag and tag != "*" and 0 < quality <= 1:
            ranked.append((-quality, index, tag.lower()))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(accept_language: str | None) -> str | None:
    """The best of our locales for an ``Accept-Language`` header, if any matches.

    Babel matches each preferred tag against ``LOCALES`` (``fr-FR`` is served ``fr``);
    aliases are off so that a language we do not have never maps to one we do.
    """
    if not accept_language:
        return None
    from babel import Locale  # only the web negotiates: command lines start without babel

    found = Locale.negotiate(_preferred(accept_language), LOCALES, sep="-", aliases={})
    return found.language if found is not None else None


def set_locale(locale: str) -> contextvars.Token[str]:
    """Set the locale for the current context (request, CLI command)."""
    return _current_locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def reset_locale(token: contextvars.Token[str]) -> None:
    """Restore the locale that was current before ``set_locale`` returned ``token``."""
    _current_locale.reset(token)


def get_locale() -> str:
    """Locale of the current context."""
    return _current_locale.get()


def gettext(message: str, **params: object) -> str:
    """Translate ``message`` into the current locale and format it with ``params``."""
    text = translations(get_locale()).gettext(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """Plural-aware translation."""
    text = translations(get_locale()).ngettext(singular, plural, n)
    return text.format(n=n, **params)
