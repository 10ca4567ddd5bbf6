"""Errors that reach a user: a stable code, an HTTP status, and a translatable message.

Each domain declares its messages in its own ``errors.py`` as an ``ErrorCode`` enum
(pyxform's catalogue style). Services raise ``AlimaError`` subclasses with the code and the
context the message needs; the API renders ``{"code", "message", "context"}`` and the web
layer an error page, both in the reader's language.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from alima.core.i18n import N_, get_locale, gettext


@dataclass(frozen=True)
class Detail:
    """An error's short English title and its message template (English source, translated)."""

    title: str
    message: str


class ErrorCode(enum.Enum):
    """Base for the per-domain error catalogues; values are ``Detail``."""

    @property
    def detail(self) -> Detail:
        """The ``Detail`` of this code."""
        value = self.value
        if not isinstance(value, Detail):
            msg = f"{self.name} has no Detail"
            raise TypeError(msg)
        return value


class CoreError(ErrorCode):
    """Errors of the core: authentication, access, validation, records."""

    CORE_001 = Detail("not found", N_("This record does not exist or you may not see it."))
    CORE_002 = Detail("forbidden", N_("You are not allowed to do this."))
    CORE_003 = Detail("unauthenticated", N_("Please sign in."))
    CORE_004 = Detail("invalid input", N_("Some fields are not valid: {fields}."))
    CORE_005 = Detail("bad credentials", N_("Unknown user name or wrong password."))
    CORE_006 = Detail(
        "throttled",
        N_(
            "Too many failed sign-in attempts from this device. "
            "Please wait {seconds} seconds and try again."
        ),
    )
    CORE_007 = Detail("csrf", N_("This form has expired. Please reload the page and try again."))
    CORE_008 = Detail("deleted", N_("This record was deleted: {reason}"))
    CORE_009 = Detail("conflict", N_("This record was changed by someone else. Reload and retry."))
    CORE_010 = Detail("bad token", N_("This API token is not valid or has expired."))
    CORE_011 = Detail("place unknown", N_("No place has the code {code}."))
    CORE_012 = Detail("reason required", N_("Please give a reason."))
    CORE_013 = Detail("internal", N_("An unexpected error occurred (reference {request_id})."))
    CORE_014 = Detail("user exists", N_("A user named {username} already exists."))
    CORE_015 = Detail(
        "weak password", N_("The password must have at least {min_length} characters.")
    )
    CORE_016 = Detail("birth date required", N_("Give a date of birth or an estimated age."))
    CORE_017 = Detail("birth date future", N_("The date of birth cannot be in the future."))
    CORE_018 = Detail("password has user name", N_("The password must not contain the user name."))
    CORE_019 = Detail(
        "common password",
        N_("This password is too common or too easy to guess. Choose a longer phrase."),
    )
    CORE_020 = Detail("own account", N_("You cannot deactivate your own account."))
    CORE_021 = Detail(
        "unstorable text",
        N_(
            "What you sent contains characters that cannot be recorded (such as a NUL byte). "
            "Remove them and try again."
        ),
    )
    CORE_022 = Detail(
        "last role",
        N_("A user keeps at least one role: deactivate the account instead."),
    )
    CORE_023 = Detail("role held", N_("This user already has this role at {place}."))
    CORE_024 = Detail(
        "account deactivated",
        N_("This account is deactivated: reactivate it before creating an API token."),
    )
    CORE_025 = Detail(
        "current password wrong",
        N_("This is not your current password."),
    )
    CORE_026 = Detail(
        "same password",
        N_("The new password must differ from the current one."),
    )


class AlimaError(Exception):
    """An error with a code from a catalogue and the context its message needs."""

    status: ClassVar[int] = 400

    def __init__(self, code: ErrorCode, /, **context: Any) -> None:
        self.code = code
        self.context = context
        super().__init__(f"{code.name}: {code.detail.title} {context}")

    @property
    def message(self) -> str:
        """The message in the current locale, formatted with the context."""
        # A date reads in the reader's language (28 nov. 2026 / Nov 28, 2026).
        from babel.dates import format_date  # here: importing babel costs every process

        params = {
            name: format_date(value, format="medium", locale=get_locale())
            if isinstance(value, date)
            else value
            for name, value in self.context.items()
        }
        try:
            return gettext(self.code.detail.message, **params)
        except (KeyError, IndexError):
            return gettext(self.code.detail.message)


class BadRequest(AlimaError):
    """The request cannot be processed as sent."""

    status = 400


class Unauthenticated(AlimaError):
    """No valid session or token."""

    status = 401


class Forbidden(AlimaError):
    """Authenticated but not allowed."""

    status = 403


class NotFound(AlimaError):
    """Absent, or outside the caller's scope (indistinguishable on purpose)."""

    status = 404


class Conflict(AlimaError):
    """The request conflicts with the current state."""

    status = 409


class RuleViolation(AlimaError):
    """Valid shape, but a clinical or programme rule refuses it."""

    status = 422


class Throttled(AlimaError):
    """Too many attempts."""

    status = 429
