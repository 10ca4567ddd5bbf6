"""A laptop's side of sync: enrol once, then push what it wrote and pull what it may see.

Push sends the laptop's own changes after the last one the hub acknowledged, in batches; the
hub's acknowledgement is saved only once received, so after any cut the same changes are sent
again and the hub skips what it already has. Pull applies a page of the hub's changes and saves
the new position in the same transaction, so a crash between the two replays the page (applying
a row twice writes the same row).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any, Protocol

import orjson
from sqlalchemy import JSON, Boolean, Date, Float, Text, Uuid, cast, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import alima.all_models  # noqa: F401 - every synced model must be mapped
from alima.core import collector
from alima.core.changelog import CAPTURE, Change, reader_of, uuid_of, values_of
from alima.core.db import Base, UTCDateTime
from alima.core.errors import AlimaError, Conflict, NotFound
from alima.core.migrate import head_revision
from alima.core.time import utcnow
from alima.sync import wire
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


#: Lengths of ``2026-11-28T04:12:00.123456+00:00`` and of a UUID's text.
_ISO_UTC_LENGTH, _UUID_LENGTH = 32, 36


def _iso_utc(value: Any) -> Any:
    """A UTC timestamp as JSON carries it, as SQLite stores it; None if not that shape."""
    if (
        isinstance(value, str)
        and len(value) == _ISO_UTC_LENGTH
        and value[10] == "T"
        and value[26:] == "+00:00"
    ):
        return f"{value[:10]} {value[11:26]}"
    return None


def _uuid_hex(value: Any) -> Any:
    """A UUID as JSON carries it, as SQLite stores it; None if not that shape."""
    if (
        isinstance(value, str)
        and len(value) == _UUID_LENGTH
        and value[8] == value[13] == value[18] == value[23] == "-"
    ):
        return value.replace("-", "").lower()
    return None


#: Length of ``2026-11-28``.
_ISO_DATE_LENGTH = 10


def _iso_date(value: Any) -> Any:
    """A date as JSON carries it, as SQLite stores it (the same text); None if not that shape."""
    if (
        isinstance(value, str)
        and len(value) == _ISO_DATE_LENGTH
        and value[4] == value[7] == "-"
        and value[:4].isdigit()
        and value[5:7].isdigit()
        and value[8:].isdigit()
    ):
        return value
    return None


def _sqlite_column(column: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """The function turning a JSON value of ``column`` into what SQLite stores (None: as is).

    What ``values_of`` and the column type's bind processor make, composed once per column;
    the usual shapes of UUIDs and UTC timestamps are rewritten as text directly, JSON values
    written by orjson.
    """
    if isinstance(column.type, JSON):
        return lambda value: orjson.dumps(value).decode()
    read = reader_of(column)
    process = column.type._cached_bind_processor(dialect)  # what a statement uses
    if read is None and process is None:
        return None

    def general(value: Any) -> Any:
        if value is not None and read is not None:
            value = read(str(value))
        return process(value) if process is not None else value

    fast = (
        _uuid_hex
        if isinstance(column.type, Uuid)
        else _iso_utc
        if isinstance(column.type, UTCDateTime)
        else _iso_date
        if isinstance(column.type, Date)
        else None
    )
    if fast is None:
        return general

    def quick(value: Any) -> Any:
        stored = fast(value)
        return stored if stored is not None else general(value)

    return quick


def _ready(column: Any) -> type | None:
    """The Python type a column's value is stored as it is by SQLite (None: always convert)."""
    return (
        bool
        if isinstance(column.type, Boolean)
        else float
        if isinstance(column.type, Float)
        else None
    )


@dataclass(frozen=True)
class _Upsert:
    """A table's upsert on SQLite: its statement, and how to make its parameters from rows."""

    sql: str
    values: Callable[[dict[str, Any]], Any]
    #: The position of each value to convert, how, and the type it needs no converting in
    #: (a bool for a Boolean column, a float for a Float one: SQLite stores them as they are).
    converters: list[tuple[int, Callable[[Any], Any], type | None]]
    #: JSON columns, whose value is always written as JSON text (None too, as ``null``).
    documents: list[tuple[int, Callable[[Any], Any]]]
    #: The position of the row's id, and of each foreign key with the table and column it
    #: names; None when a foreign key is not of one column (SQLite must check the page).
    id_at: int
    references: list[tuple[int, str, str]] | None

    def parameters(self, row: dict[str, Any]) -> tuple[Any, ...]:
        """A row's parameters, in the statement's order."""
        values = list(self.values(row))
        for i, convert, ready in self.converters:
            value = values[i]
            if value is not None and type(value) is not ready:
                values[i] = convert(value)
        for i, convert in self.documents:
            values[i] = convert(values[i])
        return tuple(values)


_SQLITE_UPSERTS: dict[tuple[str, tuple[str, ...]], _Upsert | None] = {}


def _references(table: Any, order: list[str]) -> list[tuple[int, str, str]] | None:
    """Each foreign key among the statement's columns: its position, the table and column named."""
    found = []
    for constraint in table.foreign_key_constraints:
        if len(constraint.elements) != 1:
            return None
        element = constraint.elements[0]
        if element.parent.key in order:
            found.append(
                (order.index(element.parent.key), element.column.table.name, element.column.name)
            )
    return found


def _sqlite_statement(table: Any, keys: tuple[str, ...], dialect: Any) -> _Upsert | None:
    """The driver statement writing rows with these keys (None: the general path)."""
    cached = (table.name, keys)
    if cached in _SQLITE_UPSERTS:
        return _SQLITE_UPSERTS[cached]
    columns = {c.key: c for c in table.columns if c.key in keys}
    insert = sqlite.insert(table)
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={key: insert.excluded[key] for key in columns if key != "id"},
    )
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))
    order = list(compiled.positiontup or [])
    upsert = None
    # A parameter that is not a column sent (a default): the general path.
    if sorted(order) == sorted(columns) and len(order) >= 2:  # noqa: PLR2004
        converters = [(i, _sqlite_column(columns[key], dialect)) for i, key in enumerate(order)]
        upsert = _Upsert(
            str(compiled),
            itemgetter(*order),
            [
                (i, convert, _ready(columns[order[i]]))
                for i, convert in converters
                if convert and not isinstance(columns[order[i]].type, JSON)
            ],
            [(i, c) for i, c in converters if c and isinstance(columns[order[i]].type, JSON)],
            order.index("id"),
            _references(table, order),
        )
    _SQLITE_UPSERTS[cached] = upsert
    return upsert


def _uniform(rows: list[dict[str, Any]]) -> tuple[str, ...] | None:
    """The keys every row has, in the first row's order; None when they differ."""
    keys = rows[0].keys()
    if any(len(row) != len(keys) or row.keys() != keys for row in rows):
        return None
    return tuple(keys)


def _sqlite_upsert(session: Session, table: Any, rows: list[dict[str, Any]]) -> bool:
    """The hub's rows in one ``executemany`` of the driver; False when their keys differ."""
    keys = _uniform(rows)
    upsert = None if keys is None else _sqlite_statement(table, keys, session.get_bind().dialect)
    if upsert is None:
        return False
    session.connection().exec_driver_sql(upsert.sql, [upsert.parameters(row) for row in rows])
    return True


def _upsert(session: Session, entity: str, rows: list[dict[str, Any]]) -> None:
    """Write the hub's rows as they are (insert, or replace the whole row)."""
    table = Base.metadata.tables[entity]
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and _sqlite_upsert(session, table, rows):
        return
    _core_upsert(session, table, rows)


def _core_upsert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """The hub's rows through a Core statement (each value as ``values_of`` reads it)."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={c.key: insert.excluded[c.key] for c in table.columns if c.key != "id"},
    )
    session.execute(statement, [values_of(table, row) for row in rows])


def _runs(changes: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The page's rows in runs of one table, in the page's order."""
    runs: list[tuple[str, list[dict[str, Any]]]] = []
    for change in changes:
        if not runs or runs[-1][0] != change["entity"]:
            runs.append((change["entity"], []))
        runs[-1][1].append(change["row"])
    return runs


class _Checked:
    """The foreign keys of the rows a page wrote with SQLite's checks off, checked at its end.

    SQLite checks a foreign key for each row it writes, one look-up of the row it names at a
    time (a third of a fresh pull's SQLite work). A page's rows name few rows: the same place,
    users, and parents mostly written in the same page; the names are collected from the
    parameters and only those not written by the page are looked up, once each, before the
    commit. A name found nowhere fails the page as SQLite's deferred check would have, at its
    commit.
    """

    def __init__(self) -> None:
        self.written: dict[str, set[Any]] = {}
        self.named: dict[tuple[str, str], set[Any]] = {}

    def add(self, table: str, upsert: _Upsert, parameters: list[tuple[Any, ...]]) -> None:
        """The rows of ``table`` written with these parameters."""
        at = upsert.id_at
        self.written.setdefault(table, set()).update(p[at] for p in parameters)
        for i, parent, column in upsert.references or ():
            self.named.setdefault((parent, column), set()).update(p[i] for p in parameters)

    def check(self, session: Session) -> None:
        """Raise SQLite's own error if a row names a row the laptop does not have."""
        quote = session.get_bind().dialect.identifier_preparer.quote
        connection = session.connection()
        for (parent, column), named in self.named.items():
            wanted = named - self.written.get(parent, set()) if column == "id" else set(named)
            wanted.discard(None)
            values = list(wanted)
            for start in range(0, len(values), _CHECK_CHUNK):
                chunk = values[start : start + _CHECK_CHUNK]
                found = connection.exec_driver_sql(
                    f"SELECT {quote(column)} FROM {quote(parent)}"  # noqa: S608 - names of the schema
                    f" WHERE {quote(column)} IN ({', '.join('?' * len(chunk))})",
                    tuple(chunk),
                ).scalars()
                if len(set(found)) < len(set(chunk)):
                    raise IntegrityError(
                        "COMMIT", None, sqlite3.IntegrityError("FOREIGN KEY constraint failed")
                    )


#: Names looked up in one query of ``_Checked.check`` (SQLite allows 32,766 parameters).
_CHECK_CHUNK = 500


def _apply_page(
    session: Session,
    runs: list[tuple[str, list[dict[str, Any]]]],
    summary: Summary,
    checked: _Checked | None,
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
            _upsert(session, entity, rows)
            continue
        table = Base.metadata.tables[entity]
        upsert = _sqlite_statement(table, tuple(run[0]), dialect)
        assert upsert is not None  # noqa: S101 - ``_unchecked`` made sure of it
        parameters = [upsert.parameters(row) for row in rows]
        session.connection().exec_driver_sql(upsert.sql, parameters)
        checked.add(entity, upsert, parameters)
    if checked is not None:
        checked.check(session)


def _unchecked(runs: list[tuple[str, list[dict[str, Any]]]], dialect: Any) -> bool:
    """Whether every run can be written through the driver with its foreign keys collected."""
    for entity, rows in runs:
        keys = _uniform(rows)
        upsert = (
            None if keys is None else _sqlite_statement(Base.metadata.tables[entity], keys, dialect)
        )
        if upsert is None or upsert.references is None:
            return False
    return True


#: The laptop's SQLite page cache while it writes a pull page (KiB): a page's rows land at
#: random places of each table's id index and of its parents' indexes, more pages than the
#: default 2 MB holds; SQLite then spills them and reads them again (a fifth of its work in
#: a fresh pull). Set for the page's transaction, set back before its commit.
PULL_CACHE_KIB = 16384


@contextlib.contextmanager
def _page_session(
    factory: sessionmaker[Session], runs: list[tuple[str, list[dict[str, Any]]]]
) -> Iterator[tuple[Session, _Checked | None]]:
    """A session for one page, in a transaction the caller commits.

    On SQLite, when every run goes through the driver, the connection's foreign keys are
    turned off for the page's transaction (``PRAGMA foreign_keys`` only changes outside a
    transaction) and checked by ``_Checked`` before the commit, then turned on again before
    the connection goes back to the pool (dropped if that fails). A crash at any point loses
    the transaction and the setting with it.
    """
    engine = factory.kw.get("bind")
    if engine is None or engine.dialect.name != "sqlite" or not _unchecked(runs, engine.dialect):
        with factory() as session:
            session.info[CAPTURE] = False
            yield session, None
        return
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with factory(bind=connection) as session:
                session.info[CAPTURE] = False
                yield session, _Checked()
        finally:
            try:
                raw.execute("PRAGMA foreign_keys = ON")
                restored = raw.execute("PRAGMA foreign_keys").fetchone() == (1,)
            except sqlite3.Error:
                restored = False
            if not restored:
                connection.invalidate()


@contextlib.contextmanager
def _page_cache(session: Session) -> Iterator[None]:
    """A larger SQLite page cache for a page's writes (see ``PULL_CACHE_KIB``)."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = session.connection()
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{PULL_CACHE_KIB}")
    try:
        yield
    finally:
        with contextlib.suppress(SQLAlchemyError):  # the page's own error matters more
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or 0)}")


@collector.paused()
def _write_page(
    factory: sessionmaker[Session], cursor: int, page: dict[str, Any], summary: Summary
) -> bool:
    """Apply a page and save its cursor in one transaction; False if the cursor moved since."""
    runs = _runs(page["changes"])
    with _page_session(factory, runs) as (session, checked), session.begin():
        peer = _peer(session)
        if int(peer.pull_cursor or 0) != cursor:
            return False
        with _page_cache(session):
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
