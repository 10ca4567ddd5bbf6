"""Typed page contexts of the account administration pages (templates ``admin/*.html``)."""

from dataclasses import dataclass

from alima.core.access import Actor
from alima.core.service.accounts import AccountRow


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
