"""A laptop's side of sync: enrol once, then push what it wrote and pull what it may see.

Push sends the laptop's own changes after the last one the hub acknowledged, in batches; the
hub's acknowledgement is saved only once received, so after any cut the same changes are sent
again and the hub skips what it already has. Pull applies a page of the hub's changes and saves
the new position in the same transaction, so a crash between the two replays the page (applying
a row twice writes the same row).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import Text, cast, func, select, text
from sqlalchemy.orm import Session, sessionmaker

import alima.all_models  # noqa: F401 - every synced model must be mapped
from alima.core import collector
from alima.core.changelog import Change, uuid_of
from alima.core.db import Base
from alima.core.errors import AlimaError, Conflict, NotFound
from alima.core.migrate import head_revision
from alima.core.time import utcnow
from alima.sync import pages, wire
from alima.sync.errors import SyncError
from alima.sync.models import SyncPeer

#: Changes per push request and per pull page (a few hundred rows compress well).
PUSH_BATCH = 500
PULL_PAGE = 2000
#: On a fast link (a batch answered within ``FAST_BATCH_S``) the batches grow, doubling up to
#: ``PUSH_BATCH_MAX`` changes: fewer requests and transactions for a first push; a slow link
#: keeps small batches, each of which is progress kept.
PUSH_BATCH_MAX = 2000
FAST_BATCH_S = 1.0


class HubError(Exception):
    """The hub refused a request, with its code and message (in the laptop's language)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class LinkError(Exception):
    """The request or its answer was lost: the hub may or may not have acted on it."""


class Transport(Protocol):
    """Carries a request to the hub; raises ``HubError`` or ``LinkError``."""

    def __call__(self, path: str, credential: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send ``payload`` to ``path`` and return the hub's answer."""
        ...


@dataclass
class Summary:
    """What one sync did."""

    pushed: int = 0
    pulled: int = 0
    skipped_pending: int = 0
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    conflicts: int = 0
    error: str | None = None


@dataclass(frozen=True)
class Status:
    """The sync page of a laptop."""

    enrolled: bool
    hub_url: str | None = None
    site_code: str | None = None
    last_success_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error: str | None = None
    pending: int = 0
    conflicts: int = 0
    quarantined: int = 0


def _peer(session: Session) -> SyncPeer:
    peer = session.scalars(select(SyncPeer)).first()
    if peer is None:
        raise NotFound(SyncError.SYNC_007)
    return peer


def status(session: Session) -> Status:
    """Last success, pending changes, errors and what the hub reported."""
    with session.begin():
        peer = session.scalars(select(SyncPeer)).first()
        if peer is None:
            return Status(enrolled=False, pending=_pending_count(session, 0))
        return Status(
            enrolled=True,
            hub_url=peer.hub_url,
            site_code=peer.site_code,
            last_success_at=peer.last_success_at,
            last_attempt_at=peer.last_attempt_at,
            last_error=peer.last_error,
            pending=_pending_count(session, peer.pushed_seq),
            conflicts=peer.conflicts,
            quarantined=peer.quarantined,
        )


def _pending(session: Session, after: int, limit: int) -> list[Change]:
    return list(
        session.scalars(
            select(Change)
            .where(Change.seq > after, Change.kind.in_(("site", "upload")))
            .order_by(Change.seq)
            .limit(limit)
        )
    )


def _pending_count(session: Session, after: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(Change.seq > after, Change.kind.in_(("site", "upload")))
        )
        or 0
    )


def enrol(
    factory: sessionmaker[Session], transport: Transport, hub_url: str, code: str, name: str
) -> str:
    """Exchange the hub's one-time code for this laptop's credential; returns the site code."""
    with factory() as session, session.begin():
        if session.scalars(select(SyncPeer)).first() is not None:
            raise Conflict(SyncError.SYNC_002, site="", node=hub_url)
    answer = transport(wire.ENROL, "", {"code": code, "name": name})
    with factory() as session, session.begin():
        session.add(
            SyncPeer(
                hub_url=hub_url,
                node_id=uuid.UUID(answer["node_id"]),
                site_code=answer["site_code"],
                credential=answer["credential"],
                pull_cursor="0",
            )
        )
    return str(answer["site_code"])


@collector.paused()
def _batch(
    factory: sessionmaker[Session], since: int, size: int
) -> tuple[str, list[dict[str, Any]]]:
    """The laptop's credential and its changes after ``since`` (at most ``size``), as sent."""
    with factory() as session, session.begin():
        credential = _peer(session).credential
        # The rows as stored (JSON text), sent without being decoded and encoded again.
        batch: list[dict[str, Any]] = [
            {
                "seq": seq,
                "entity": entity,
                "row": orjson.Fragment(row),
                "base": None if base is None else orjson.Fragment(base),
                "hlc": hlc,
            }
            for seq, entity, row, base, hlc in session.execute(
                select(
                    Change.seq,
                    Change.entity,
                    cast(Change.row, Text),
                    cast(Change.base, Text),
                    Change.hlc,
                )
                .where(Change.seq > since, Change.kind.in_(("site", "upload")))
                .order_by(Change.seq)
                .limit(size)
            )
        ]
    return credential, batch


def _acknowledged(factory: sessionmaker[Session]) -> int:
    with factory() as session, session.begin():
        return int(_peer(session).pushed_seq)


def push(factory: sessionmaker[Session], transport: Transport, summary: Summary) -> None:
    """Send every change not yet acknowledged, batch after batch.

    While the hub applies a batch, the laptop reads the next one (from the last change sent,
    as if the hub acknowledged the whole batch, which it does unless it is behind): the two
    overlap. The next batch is sent only once the answer came, with the acknowledgement
    saved; when the hub acknowledged something else, the batch read ahead is dropped and read
    again from what the hub has.
    """
    since, size = _acknowledged(factory), PUSH_BATCH
    credential, batch = _batch(factory, since, size)
    full = len(batch) == size
    with ThreadPoolExecutor(1, thread_name_prefix="alima-push") as carrier:
        while batch:
            sent_at = time.monotonic()
            request = carrier.submit(
                transport, wire.PUSH, credential, {"since": since, "changes": batch}
            )
            last = int(batch[-1]["seq"] or 0)
            ahead, ahead_size = _batch(factory, last, size), size
            answer = request.result()
            if full and time.monotonic() - sent_at < FAST_BATCH_S:
                size = min(2 * size, max(PUSH_BATCH_MAX, PUSH_BATCH))
            acked = int(answer["acked"])
            with factory() as session, session.begin():
                peer = _peer(session)
                peer.pushed_seq = max(peer.pushed_seq, acked)
                peer.quarantined += len(answer.get("quarantined", []))
                peer.conflicts += int(answer.get("conflicts", 0))
                saved = int(peer.pushed_seq)
            summary.pushed += int(answer.get("applied", 0))
            summary.quarantined.extend(answer.get("quarantined", []))
            summary.conflicts += int(answer.get("conflicts", 0))
            if acked < last and acked <= since:
                return  # the hub is behind us (restored): the next sync resends from there
            since = saved
            if saved != last:
                ahead, ahead_size = _batch(factory, saved, size), size
            (credential, batch), full = ahead, len(ahead[1]) == ahead_size


def _runs(changes: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The page's rows in runs of one table, in the page's order."""
    runs: list[tuple[str, list[dict[str, Any]]]] = []
    for change in changes:
        if not runs or runs[-1][0] != change["entity"]:
            runs.append((change["entity"], []))
        runs[-1][1].append(change["row"])
    return runs


def _apply_page(
    session: Session,
    runs: list[tuple[str, list[dict[str, Any]]]],
    summary: Summary,
    checked: pages.Checked | None,
) -> None:
    """Write a page's runs; with ``checked``, through the driver with foreign keys collected."""
    if session.get_bind().dialect.name == "sqlite" and checked is None:
        session.execute(text("PRAGMA defer_foreign_keys = ON"))
    acked = _peer(session).pushed_seq
    pending_rows = set(
        session.scalars(select(Change.row_id).where(Change.seq > acked, Change.kind == "site"))
    )
    dialect = session.get_bind().dialect
    for entity, run in runs:
        rows = run
        if pending_rows:
            # Changed here since the last push: the hub will merge our change and send back
            # the result, which we apply then.
            rows = [row for row in run if uuid_of(row["id"]) not in pending_rows]
            summary.skipped_pending += len(run) - len(rows)
        if not rows:
            continue
        summary.pulled += len(rows)
        if checked is None:
            pages.upsert(session, entity, rows)
            continue
        table = Base.metadata.tables[entity]
        upsert = pages.sqlite_statement(table, tuple(run[0]), dialect)
        assert upsert is not None  # noqa: S101 - ``pages.unchecked`` made sure of it
        parameters = [upsert.parameters(row) for row in rows]
        session.connection().exec_driver_sql(upsert.sql, parameters)
        checked.add(entity, upsert, parameters)
    if checked is not None:
        checked.check(session)


@collector.paused()
def _write_page(
    factory: sessionmaker[Session], cursor: int, page: dict[str, Any], summary: Summary
) -> bool:
    """Apply a page and save its cursor in one transaction; False if the cursor moved since."""
    runs = _runs(page["changes"])
    with pages.page_session(factory, runs) as (session, checked), session.begin():
        peer = _peer(session)
        if int(peer.pull_cursor or 0) != cursor:
            return False
        with pages.page_cache(session):
            _apply_page(session, runs, summary, checked)
        peer.pull_cursor = str(page["cursor"])
    return True


def _pull_position(factory: sessionmaker[Session]) -> tuple[str, int]:
    with factory() as session, session.begin():
        peer = _peer(session)
        return peer.credential, int(peer.pull_cursor or 0)


def pull(
    factory: sessionmaker[Session],
    transport: Transport,
    summary: Summary,
    *,
    after_page: Callable[[], None] | None = None,
) -> None:
    """Apply the hub's pages until there is no more; each page with its cursor, atomically.

    The next page is asked for as soon as a page has arrived, so that the hub prepares it
    while the laptop applies this one; a page is applied only after the one before it
    committed, and only if the cursor saved is still the one it was asked from.
    """

    def ask(credential: str, cursor: int) -> Future[dict[str, Any]]:
        return carrier.submit(
            transport, wire.PULL, credential, {"cursor": cursor, "limit": PULL_PAGE}
        )

    with ThreadPoolExecutor(1, thread_name_prefix="alima-pull") as carrier:
        credential, cursor = _pull_position(factory)
        request = ask(credential, cursor)
        while True:
            page = request.result()
            following = ask(credential, int(page["cursor"])) if page["more"] else None
            moved = not _write_page(factory, cursor, page, summary)
            if moved:  # another sync moved on meanwhile: ask again from there
                if following is not None:
                    with contextlib.suppress(HubError, LinkError):
                        following.result()
                credential, cursor = _pull_position(factory)
                request = ask(credential, cursor)
                continue
            if after_page is not None:
                after_page()
            if following is None:
                return
            cursor, request = int(page["cursor"]), following


def sync(
    factory: sessionmaker[Session],
    transport: Transport,
    *,
    after_page: Callable[[], None] | None = None,
) -> Summary:
    """Push, then pull; the outcome is kept for the sync page."""
    summary = Summary()
    with factory() as session, session.begin():
        _peer(session).last_attempt_at = utcnow()
    try:
        push(factory, transport, summary)
        pull(factory, transport, summary, after_page=after_page)
    except (HubError, LinkError) as error:
        summary.error = error.message if isinstance(error, HubError) else str(error)
    with factory() as session, session.begin():
        peer = _peer(session)
        peer.last_error = summary.error
        if summary.error is None:
            peer.last_success_at = utcnow()
    return summary


def schema() -> str:
    """This laptop's schema revision, sent with every request."""
    return head_revision()


def local_transport(hub_factory: sessionmaker[Session]) -> Transport:
    """A transport that hands requests to a hub in this process, through the wire format."""

    def carry(path: str, credential: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = wire.decode(wire.encode(payload))
        with hub_factory() as session:
            try:
                answer = wire.handle(session, path, credential, schema(), body)
            except AlimaError as error:
                raise HubError(error.status, error.code.name, error.message) from None
        return wire.decode(wire.encode(answer))

    return carry


def iter_pending(session: Session) -> Iterator[Change]:
    """This laptop's changes not yet acknowledged by the hub."""
    yield from _pending(session, _peer(session).pushed_seq, 1_000_000)
