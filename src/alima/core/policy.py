"""Extension points: a domain refines the core's decisions without the core importing it.

The core decides access from roles and place scopes, and writes patients. Two decisions belong
to co-management (``alima.alliance``) and are plugged in here when that package is imported:

- an *actor policy* narrows the actor built at each request (a partner agreement that says
  "aggregates only" withholds patient-level permissions) or adds a time-limited access
  (break-the-glass);
- a *period guard* refuses a write dated in a reporting month that partners have approved
  (``ensure_period_open``), so an approved month cannot change under anyone's feet.

A third kind, *record hooks*, lets a domain read what another just wrote in the same
transaction without either importing the other: research screens every nutrition admission
for its studies' eligibility (``alima.research.hooks``).

Fail closed: the plug-ins the platform cannot run without are declared in ``PLUGINS`` and
loaded by the core itself before the first actor is built or the first dated write is checked,
so a worker, a script or a command that never imports ``alima.alliance`` still applies partner
agreements and period locks. A declared plug-in that cannot be imported, or registers nothing,
stops the process instead of silently widening access. The core names its plug-ins as strings
and imports them at run time, so it still imports no domain (``lint-imports``). Registration is
idempotent.
"""

from __future__ import annotations

import importlib
import threading
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

#: ``hook(session, row, actor)``: reads a record another domain just wrote, in its transaction.
RecordHook = Callable[["Session", object, Actor | None], None]

#: Modules plugged into the core: each has a ``register()`` that registers its policies/guards.
PLUGINS: tuple[str, ...] = ("alima.alliance.governance", "alima.research.hooks")

_actor_policies: list[ActorPolicy] = []
_period_guards: list[PeriodGuard] = []
_record_hooks: dict[str, list[RecordHook]] = {}
_loaded = False
_lock = threading.Lock()


class PluginError(RuntimeError):
    """A declared plug-in could not be loaded: refuse to build actors without it."""


def load_plugins() -> None:
    """Import every module of ``PLUGINS`` and call its ``register()`` (once per process)."""
    global _loaded  # noqa: PLW0603 - one load per process, guarded by a lock
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        for name in PLUGINS:
            before = _registered_count()
            module = importlib.import_module(name)
            register = getattr(module, "register", None)
            if not callable(register):
                raise PluginError(f"plug-in {name} has no register()")
            register()
            hooks = [h for kind in _record_hooks.values() for h in kind]
            registered = {*_actor_policies, *_period_guards, *hooks}
            if _registered_count() == before and not any(
                getattr(f, "__module__", None) == name for f in registered
            ):
                raise PluginError(f"plug-in {name} registered no policy or guard")
        _loaded = True


def _registered_count() -> int:
    return len(_actor_policies) + len(_period_guards) + sum(map(len, _record_hooks.values()))


def register_record_hook(kind: str, hook: RecordHook) -> None:
    """Call ``hook`` whenever a record of ``kind`` (``"nutrition.admission"``) is written."""
    hooks = _record_hooks.setdefault(kind, [])
    if hook not in hooks:
        hooks.append(hook)


def run_record_hooks(session: Session, kind: str, row: object, actor: Actor | None) -> None:
    """Run the hooks of ``kind`` on ``row``, inside the writer's transaction."""
    load_plugins()
    for hook in _record_hooks.get(kind, ()):
        hook(session, row, actor)


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
    load_plugins()
    return tuple(_actor_policies)


def period_guards() -> tuple[PeriodGuard, ...]:
    """The registered period guards."""
    load_plugins()
    return tuple(_period_guards)


def apply_actor_policies(session: Session, user: User, actor: Actor) -> Actor:
    """Run every registered actor policy (inside the caller's transaction)."""
    load_plugins()
    for policy in _actor_policies:
        actor = policy(session, user, actor)
    return actor


def ensure_period_open(session: Session, *, place_id: uuid.UUID, on: date) -> None:
    """Raise if a write dated ``on`` at ``place_id`` falls in a locked (approved) period."""
    load_plugins()
    for guard in _period_guards:
        guard(session, place_id, on)
