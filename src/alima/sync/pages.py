"""How a laptop writes a pull page: the hub's rows upserted as they are, fast on SQLite.

A fresh laptop's first pull writes every row of its site (100,000 for 10,000 cases), so the
page's writing is most of the pull's time. On SQLite each table's rows go through one
``executemany`` of the driver, with parameters made by converters composed once per column
(``sqlite_statement``); the page's foreign keys are checked once per row named instead of by
SQLite row by row (``Checked``, ``page_session``); and the page cache is larger while the page
is written (``page_cache``). Elsewhere, and for rows the fast path cannot take, a Core upsert.
``alima.sync.node`` decides what a page holds and when it is written.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Date, Uuid
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from alima.core.changelog import CAPTURE, reader_of, values_of
from alima.core.db import Base, UTCDateTime, json_text, native_type

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
        return json_text
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


@dataclass(frozen=True)
class Upsert:
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


_SQLITE_UPSERTS: dict[tuple[str, tuple[str, ...]], Upsert | None] = {}


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


def sqlite_statement(table: Any, keys: tuple[str, ...], dialect: Any) -> Upsert | None:
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
        upsert = Upsert(
            str(compiled),
            itemgetter(*order),
            [
                (i, convert, native_type(columns[order[i]]))
                for i, convert in converters
                if convert and not isinstance(columns[order[i]].type, JSON)
            ],
            [(i, c) for i, c in converters if c and isinstance(columns[order[i]].type, JSON)],
            order.index("id"),
            _references(table, order),
        )
    _SQLITE_UPSERTS[cached] = upsert
    return upsert


def uniform(rows: list[dict[str, Any]]) -> tuple[str, ...] | None:
    """The keys every row has, in the first row's order; None when they differ."""
    keys = rows[0].keys()
    if any(len(row) != len(keys) or row.keys() != keys for row in rows):
        return None
    return tuple(keys)


def _sqlite_upsert(session: Session, table: Any, rows: list[dict[str, Any]]) -> bool:
    """The hub's rows in one ``executemany`` of the driver; False when their keys differ."""
    keys = uniform(rows)
    upsert = None if keys is None else sqlite_statement(table, keys, session.get_bind().dialect)
    if upsert is None:
        return False
    session.connection().exec_driver_sql(upsert.sql, [upsert.parameters(row) for row in rows])
    return True


def upsert(session: Session, entity: str, rows: list[dict[str, Any]]) -> None:
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


class Checked:
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

    def add(self, table: str, upsert: Upsert, parameters: list[tuple[Any, ...]]) -> None:
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


#: Names looked up in one query of ``Checked.check`` (SQLite allows 32,766 parameters).
_CHECK_CHUNK = 500


def unchecked(runs: list[tuple[str, list[dict[str, Any]]]], dialect: Any) -> bool:
    """Whether every run can be written through the driver with its foreign keys collected."""
    for entity, rows in runs:
        keys = uniform(rows)
        upsert = (
            None if keys is None else sqlite_statement(Base.metadata.tables[entity], keys, dialect)
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
def page_session(
    factory: sessionmaker[Session], runs: list[tuple[str, list[dict[str, Any]]]]
) -> Iterator[tuple[Session, Checked | None]]:
    """A session for one page, in a transaction the caller commits.

    On SQLite, when every run goes through the driver, the connection's foreign keys are
    turned off for the page's transaction (``PRAGMA foreign_keys`` only changes outside a
    transaction) and checked by ``Checked`` before the commit, then turned on again before
    the connection goes back to the pool (dropped if that fails). A crash at any point loses
    the transaction and the setting with it.
    """
    engine = factory.kw.get("bind")
    if engine is None or engine.dialect.name != "sqlite" or not unchecked(runs, engine.dialect):
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
                yield session, Checked()
        finally:
            try:
                raw.execute("PRAGMA foreign_keys = ON")
                restored = raw.execute("PRAGMA foreign_keys").fetchone() == (1,)
            except sqlite3.Error:
                restored = False
            if not restored:
                connection.invalidate()


@contextlib.contextmanager
def page_cache(session: Session) -> Iterator[None]:
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
