"""The monthly summary kept up to date by ``alima serve`` itself.

A task of the server's event loop sleeps ``ALIMA_SUMMARY_REFRESH_MINUTES``, then runs
:func:`alima.nutrition.service.refresh_summary` in a worker thread: the (site, month) pairs
written since the last round are rewritten, and a month just ended is added. Reports are right
without it (dirty pairs are recounted live); it keeps them fast. A failure is logged and the
next round tries again.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.orm import Session, sessionmaker

from alima.nutrition import service

log = logging.getLogger("alima.nutrition")


def refresh_once(factory: sessionmaker[Session]) -> tuple[int, object]:
    """One refresh of the summary."""
    with factory() as session:
        return service.refresh_summary(session)


async def refresh_periodically(factory: sessionmaker[Session], minutes: float) -> None:
    """Refresh every ``minutes`` until cancelled."""
    while True:
        await asyncio.sleep(minutes * 60)
        try:
            count, through = await asyncio.to_thread(refresh_once, factory)
        except Exception:
            log.exception("summary refresh failed; trying again in %s minutes", minutes)
            continue
        log.info("monthly summary: %s site-month(s) written, through %s", count, through)
