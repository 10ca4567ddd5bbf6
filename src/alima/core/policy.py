"""Extension points: a domain refines the core's decisions without the core importing it.

The core decides access from roles and place scopes, and writes patients. Two decisions belong
to co-management (``alima.alliance``) and are plugged in here when that package is imported:

- an *actor policy* narrows the actor built at each request (a partner agreement that says
  "aggregates only" withholds patient-level permissions) or adds a time-limited access
  (break-the-glass);
- a *period guard* refuses a write dated in a reporting month that partners have approved
  (``ensure_period_open``), so an approved month cannot change under anyone's feet.

Registration is idempotent. ``alima.alliance`` registers at import; the application, the
migrations and the tests import it (``alima.all_models``, ``alima.main``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from alima.core.access import Actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from alima.core.models import User

#: ``policy(session, user, actor) -> actor``: returns the same or a narrowed/extended actor.
ActorPolicy = Callable[["Session", "User", Actor], Actor]
#: ``guard(session, place_id, on)``: raises an ``AlimaError`` when writing there then is refused.
PeriodGuard = Callable[["Session", uuid.UUID, date], None]

_actor_policies: list[ActorPolicy] = []
_period_guards: list[PeriodGuard] = []


def register_actor_policy(policy: ActorPolicy) -> None:
    """Apply ``policy`` to every actor built from now on."""
    if policy not in _actor_policies:
        _actor_policies.append(policy)


def register_period_guard(guard: PeriodGuard) -> None:
    """Call ``guard`` before every dated write of the core."""
    if guard not in _period_guards:
        _period_guards.append(guard)


def actor_policies() -> tuple[ActorPolicy, ...]:
    """The registered actor policies, in registration order."""
    return tuple(_actor_policies)


def period_guards() -> tuple[PeriodGuard, ...]:
    """The registered period guards."""
    return tuple(_period_guards)


def apply_actor_policies(session: Session, user: User, actor: Actor) -> Actor:
    """Run every registered actor policy (inside the caller's transaction)."""
    for policy in _actor_policies:
        actor = policy(session, user, actor)
    return actor


def ensure_period_open(session: Session, *, place_id: uuid.UUID, on: date) -> None:
    """Raise if a write dated ``on`` at ``place_id`` falls in a locked (approved) period."""
    for guard in _period_guards:
        guard(session, place_id, on)
