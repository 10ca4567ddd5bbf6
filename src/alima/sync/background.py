"""Background sync of an enrolled laptop: ``alima serve`` syncs every few minutes by itself.

A task of the server's event loop sleeps ``ALIMA_SYNC_INTERVAL_MINUTES``, then runs one
:func:`alima.sync.node.sync` in a worker thread when the laptop is enrolled (a ``SyncPeer``
row exists; a hub has none and does nothing). ``node.sync`` keeps its own outcome (last
error, last success) for the sync page; anything else that goes wrong is logged and the next
round tries again: the server never stops for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from alima.sync import node as node_service
from alima.sync.node import Summary, Transport

log = logging.getLogger("alima.sync")

TransportFor = Callable[[str], Transport]


def sync_once(factory: sessionmaker[Session], transport_for: TransportFor) -> Summary | None:
    """One sync if this laptop is enrolled (``None`` when it is not)."""
    with factory() as session:
        status = node_service.status(session)
    if not status.enrolled or status.hub_url is None:
        return None
    return node_service.sync(factory, transport_for(status.hub_url))


async def run_periodically(
    factory: sessionmaker[Session], minutes: float, transport_for: Callable[[], TransportFor]
) -> None:
    """Sync every ``minutes`` until cancelled (``transport_for`` is read at each round)."""
    while True:
        await asyncio.sleep(minutes * 60)
        try:
            summary = await asyncio.to_thread(sync_once, factory, transport_for())
        except Exception:
            log.exception("background sync failed; trying again in %s minutes", minutes)
            continue
        if summary is not None and summary.error is not None:
            log.warning("background sync: %s", summary.error)
