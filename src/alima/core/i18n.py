"""Translation helpers shared by every layer.

Source strings are English; the French catalog is complete and French is the default locale.
``N_`` marks a string for extraction without translating it at import time: the text is
translated when it is shown, in the reader's language.
"""

from __future__ import annotations

import contextvars
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

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
    """Path of the ``.po`` catalog of ``locale``."""
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=8)
def translations(locale: str) -> NullTranslations:
    """The catalog of ``locale``, compiled in memory from its ``.po`` file.

    Reading the ``.po`` directly means there is no compiled artefact to forget: what is
    committed is what runs. English is the source language and needs no catalog.
    """
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    path = catalog_path(locale)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def negotiate(accept_language: str | None) -> str | None:
    """The best of our locales for an ``Accept-Language`` header, if any matches."""
    if not accept_language:
        return None
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")[:20]):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()[:2]
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag in LOCALES and quality > 0:
            choices.append((-quality, index, tag))
    return min(choices)[2] if choices else None


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
