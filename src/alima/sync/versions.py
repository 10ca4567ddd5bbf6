"""Which laptops a hub accepts: the same sync protocol and a database schema it knows."""

from __future__ import annotations

from alima.core.errors import BadRequest, Conflict
from alima.core.migrate import head_revision, known_revisions
from alima.sync.errors import SyncError

#: The wire format of push and pull; a change of it is a new number.
PROTOCOL = 1


def check_protocol(sent: str | None) -> None:
    """Refuse a laptop speaking another sync protocol than this hub's, before anything is read.

    Every alima laptop names its protocol (``X-Alima-Sync``); a request without it is left to
    the credential check (it is no laptop of ours).
    """
    if sent is None:
        return
    try:
        number = int(sent.strip())
    except ValueError:
        raise BadRequest(SyncError.SYNC_012, reason="protocol") from None
    if number < PROTOCOL:
        raise Conflict(SyncError.SYNC_004, node=f"sync {number}", hub=f"sync {PROTOCOL}")
    if number > PROTOCOL:
        raise Conflict(SyncError.SYNC_005, node=f"sync {number}", hub=f"sync {PROTOCOL}")


def check(schema_head: str) -> None:
    """Refuse a laptop whose schema the hub does not know (older) or is not yet at (newer)."""
    hub = head_revision()
    if schema_head == hub:
        return
    if schema_head in known_revisions():
        raise Conflict(SyncError.SYNC_004, node=schema_head, hub=hub)
    raise Conflict(SyncError.SYNC_005, node=schema_head, hub=hub)
