"""Typed page contexts of the account administration pages (templates ``admin/*.html``)."""

from dataclasses import dataclass

from alima.core.access import Actor
from alima.core.schemas import TokenCreated
from alima.core.service.accounts import AccountRow
from alima.web.contexts_treat import FormContext


@dataclass
class AccountsContext:
    """The users an administrator may manage."""

    actor: Actor
    accounts: list[AccountRow]


@dataclass
class AccountContext:
    """One account: activate or deactivate it, revoke its API tokens."""

    actor: Actor
    account: AccountRow
    is_self: bool
    error: str | None = None
    #: What was just saved (``password``), to say so.
    saved: str = ""


@dataclass
class AccountFormContext(FormContext):
    """A form of the account pages: a new user, a role, a password, an API token."""

    account: AccountRow | None = None


@dataclass
class TokenShownContext:
    """A new API token, shown once."""

    actor: Actor
    account: AccountRow
    created: TokenCreated


@dataclass
class OwnPasswordContext(FormContext):
    """The signed-in user's own password form; ``saved`` once it was changed."""

    saved: bool = False
