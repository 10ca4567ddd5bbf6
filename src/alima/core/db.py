"""Database plumbing shared by every domain: base class, column types, mixins, engine, sessions.

Sessions are built with ``autobegin=False``: any query outside ``with session.begin():``
raises, so each service use case is visibly one transaction. SQLite runs in WAL mode with
foreign keys on, which is what a health-centre laptop needs (readers never block the writer).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    DateTime,
    Float,
    ForeignKey,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    any_,
    bindparam,
    event,
    exc,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect, Engine, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from alima.core import policy
from alima.core.period_lock import PeriodLock, PeriodLocked, install
from alima.core.time import utcnow

__all__ = ["PeriodLock", "PeriodLocked"]

# Every session refuses writes dated in an approved month (alima.core.period_lock).
install()

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; SQLite gets the naive UTC value."""
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetime given; use alima.core.time.utcnow()"
            raise ValueError(msg)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002 - SQLAlchemy's signature
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints the same way."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: Each table's place in foreign-key order (parents first), with the number of tables it was
#: computed for: ``MetaData.sorted_tables`` sorts every table again at each use.
_TABLE_ORDER: tuple[int, dict[str, int]] = (0, {})


def table_order() -> dict[str, int]:
    """Each mapped table's name and its place in foreign-key order, parents first.

    Computed once, and again only when a table was mapped since (every flush that writes the
    change log sorts its rows by it: sorting a hundred tables each time cost a visit about a
    tenth of its server time).
    """
    global _TABLE_ORDER  # noqa: PLW0603 - one cache per process
    count, order = _TABLE_ORDER
    if count != len(Base.metadata.tables):
        tables = Base.metadata.sorted_tables
        order = {table.name: i for i, table in enumerate(tables)}
        _TABLE_ORDER = (len(Base.metadata.tables), order)
    return order


def new_id() -> uuid.UUID:
    """A new random UUID, made where the record is created (offline sites never collide)."""
    return uuid.uuid4()


class IdMixin:
    """UUID primary key."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)


class TimestampMixin:
    """Created and updated timestamps (UTC)."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AuthorMixin:
    """Who created the record."""

    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True
    )


class SoftDeleteMixin:
    """Nothing is hard-deleted: a deletion is a timestamp, an author and a reason."""

    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    deleted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True
    )

    @property
    def is_deleted(self) -> bool:
        """True once soft-deleted."""
        return self.deleted_at is not None


def short_str(length: int = 200) -> String:
    """A bounded string column."""
    return String(length)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin: otherwise a
    # SAVEPOINT may open the outer transaction and its RELEASE would commit it (SQLAlchemy's
    # documented pysqlite recipe), and nested use cases would not roll back as one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock at the start: concurrent use cases queue on the busy
    # timeout instead of failing when two read-then-write transactions meet (SQLITE_BUSY).
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    if url.startswith("sqlite"):
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("check_same_thread", False)
        if ":memory:" in url or url in {"sqlite://", "sqlite:///"}:
            kwargs.setdefault("poolclass", StaticPool)
        else:
            # One writer at a time is all SQLite allows; queueing for the single connection
            # in Python is fair and prompt, where SQLite's busy handler sleeps and retries.
            kwargs.setdefault("pool_size", 1)
            kwargs.setdefault("max_overflow", 0)
            kwargs.setdefault("pool_timeout", 60)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that never begin a transaction implicitly.

    The core's plug-ins are loaded first: the modules they import add flush listeners (the
    monthly summary's marks), and SQLAlchemy refuses a listener added while a flush runs the
    others ("deque mutated during iteration"), which a first load during a flush would do.
    """
    policy.load_plugins()
    return sessionmaker(engine, autobegin=False, expire_on_commit=False)


def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session and close it afterwards (transactions are the services' business)."""
    session = factory()
    try:
        yield session
    finally:
        session.close()


def among(session: Session, column: Any, values: Any) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``= ANY`` of one array parameter.

    For a few hundred values (a sync batch's ids): one placeholder instead of one per value, a
    statement the driver parses once instead of a new long one for each count of values.
    """
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]


def json_text(value: Any) -> str:
    """A JSON column's value as the text a bulk write sends (orjson)."""
    return orjson.dumps(value).decode()


def native_type(column: Any) -> type | None:
    """The Python type a column's value needs no bind processing in (None: always convert).

    A bool is already a Boolean's value and a float a Float's, on PostgreSQL's ``COPY`` and
    SQLite alike.
    """
    return (
        bool
        if isinstance(column.type, Boolean)
        else float
        if isinstance(column.type, Float)
        else None
    )


def _copy_processors(columns: list[Any], dialect: Dialect) -> list[tuple[int, Any, type | None]]:
    """Each column's conversion for ``COPY``: its position, function, and the type needing none.

    JSON is written as text; a bool or a float is already a Boolean's or a Float's value.
    """
    processors: list[tuple[int, Any, type | None]] = []
    for i, c in enumerate(columns):
        process = json_text if isinstance(c.type, JSON) else c.type.bind_processor(dialect)
        if process is not None:
            processors.append((i, process, native_type(c)))
    return processors


#: Table name -> functions called with the rows after every :func:`bulk_insert` into it.
_after_bulk_insert: dict[str, list[Callable[[Session, list[dict[str, Any]]], None]]] = {}


def on_bulk_insert(table: str, hook: Callable[[Session, list[dict[str, Any]]], None]) -> None:
    """Call ``hook(session, rows)`` after every :func:`bulk_insert` into ``table`` (idempotent).

    For state derived from the rows that the unit of work's events would otherwise maintain
    (the monthly summaries' dirty marks): a bulk write bypasses those events, not this.
    """
    hooks = _after_bulk_insert.setdefault(table, [])
    if hook not in hooks:
        hooks.append(hook)


def bulk_insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows of ``table`` at once: ``COPY`` on PostgreSQL, one executemany elsewhere.

    Rows are column values as for an ``insert()``; a column missing from a row gets its
    Python default, as an ``insert()`` would give it. For the bulk writes that must not go
    through the unit of work (the hub's first copy of a laptop's rows, the change log beside
    them): whatever the ORM's flush checks is the caller's to check.
    """
    if not rows:
        return
    _bulk_insert(session, table, rows)
    for hook in _after_bulk_insert.get(table.name, ()):
        hook(session, rows)


def _bulk_insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    connection = session.connection()
    dialect = connection.dialect
    given = {key for row in rows for key in row}
    columns = [c for c in table.columns if c.key in given or c.default is not None]
    defaults: dict[str, Any] = {}
    for c in columns:
        if c.default is not None:
            arg = c.default.arg  # type: ignore[attr-defined]
            defaults[c.key] = (
                (lambda f=arg: f(None)) if c.default.is_callable else (lambda v=arg: v)
            )
    if dialect.name != "postgresql":
        filled = [{**{k: f() for k, f in defaults.items() if k not in row}, **row} for row in rows]
        connection.execute(table.insert(), filled)
        return
    keys = [c.key for c in columns]
    # Each row's values by one C call; a default only for a key a row lacks, a bind processor
    # only for a value that needs one (JSON as text; a bool or a float is already a value of
    # a Boolean or Float column).
    missing = [(i, key, defaults[key]) for i, key in enumerate(keys) if key in defaults]
    processors = _copy_processors(columns, dialect)
    values_of = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in columns)
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                try:
                    values = list(values_of(row))
                except KeyError:
                    values = [row.get(key) for key in keys]
                    for i, key, default in missing:
                        if key not in row:
                            values[i] = default()
                for i, process, ready in processors:
                    value = values[i]
                    if value is not None and type(value) is not ready:
                        values[i] = process(value)
                copy.write_row(values)
    except dialect.loaded_dbapi.Error as error:
        # As SQLAlchemy reports a refused statement (an IntegrityError for a constraint).
        raise exc.DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error) from error
