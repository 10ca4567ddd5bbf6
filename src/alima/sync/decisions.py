"""What a data manager's decisions on the hub share: conflicts, quarantined records, duplicates.

Each item is decided once, by a data manager of its places (``REVIEW``), and closed with who
decided and when; a rejected record or a pair that is not the same child gives its reason.
"""

from __future__ import annotations

from alima.core.access import Actor, Permission
from alima.core.errors import BadRequest, Conflict, CoreError, Forbidden
from alima.core.time import utcnow
from alima.sync.errors import SyncError
from alima.sync.models import SyncConflict, SyncDuplicate, SyncQuarantine

#: Reviewing conflicts, quarantined records and duplicates is a data manager's work.
REVIEW = Permission.DATA_SUBMIT
#: Most items listed at once (the newest).
LIST_LIMIT = 300
#: Shortest reason for rejecting a record or for "not the same child".
MIN_REASON = 3

#: An item a person decides once.
Item = SyncConflict | SyncQuarantine | SyncDuplicate


def require(actor: Actor, permission: Permission = REVIEW) -> None:
    """Refuse an actor without ``permission`` anywhere (``CORE_002``)."""
    if not actor.can(permission):
        raise Forbidden(CoreError.CORE_002)


def reason_given(reason: str) -> str:
    """The reason typed, stripped; too short a reason is refused (``CORE_012``)."""
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise BadRequest(CoreError.CORE_012)
    return reason


def refuse_twice(item: Item, still: str = "open") -> None:
    """Refuse a second decision: the item is no longer ``still`` (``SYNC_011``, with when)."""
    if item.status != still:
        at = item.resolved_at or item.created_at
        raise Conflict(SyncError.SYNC_011, at=f"{at:%d/%m/%Y %H:%M}")


def close(item: Item, status: str, actor: Actor) -> None:
    """Close the item as ``status``, decided by ``actor`` now."""
    item.status = status
    item.resolved_by_id = actor.id
    item.resolved_at = utcnow()
