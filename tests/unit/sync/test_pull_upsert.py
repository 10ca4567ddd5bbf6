"""A laptop writes the hub's rows through the driver as SQLAlchemy would write them.

The pull's fast path on SQLite (``alima.sync.pages._sqlite_upsert``) builds each column's
conversion once and rewrites the usual shapes of UUIDs and timestamps as text; every synced
table's row, in every shape JSON carries, must be stored as the general path (``values_of``
and a Core statement) stores it, on insert and on update: the same text, numbers and bytes,
and in JSON columns the same JSON (written compactly by orjson).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import JSON, Boolean, Date, Float, Integer, Numeric, Uuid, create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

import alima.all_models  # noqa: F401 - every synced model must be mapped
from alima.core.changelog import model_for, spec_of
from alima.core.db import Base, UTCDateTime, make_sessionmaker
from alima.sync.pages import _core_upsert, _sqlite_upsert

TABLES = [
    t
    for t in Base.metadata.sorted_tables
    if (m := model_for(t.name)) is not None
    and (s := spec_of(m)) is not None
    and s.kind != "local"
    and "id" in t.c
]


def _uuid(key: str, shape: int, n: int) -> str:
    value = uuid.UUID(int=(hash(key) + shape + 10 * n) % 2**128)
    # Rewritten by the statement (lower or upper case), or converted in Python (no dashes).
    return str(value).upper() if shape == 1 else value.hex if shape == 2 else str(value)


#: A JSON value of each column type for the ``n``th row; ``shape`` varies its form (seconds
#: without a fraction, upper case, ...).
MAKERS: list[tuple[Any, Any]] = [
    (Uuid, _uuid),
    (
        UTCDateTime,
        lambda _k, shape, _n: (
            datetime(2026, 3, 4, 5, 6, 7, 0 if shape == 1 else 890123, tzinfo=UTC).isoformat()
            if shape < 2
            else "2026-03-04T06:06:07.5+01:00"
        ),
    ),
    (Date, lambda _k, shape, n: date(2026, 3, 4 + shape + 3 * n).isoformat()),
    (Boolean, lambda _k, shape, _n: shape == 1),
    (Integer, lambda _k, shape, n: 7 + shape + 10 * n),
    (Float | Numeric, lambda _k, shape, n: 6.25 + shape + 10 * n),
    (JSON, lambda _k, shape, _n: {"é": [1, "Ségou"], "n": shape} if shape else ["muac", None]),
]


def _value(column: Any, shape: int, n: int) -> Any:
    """A JSON value of ``column`` for the ``n``th row (None in a nullable column, shape 2)."""
    if shape == 2 and column.nullable and not column.primary_key:
        return None
    make = next((m for kind, m in MAKERS if isinstance(column.type, kind)), None)
    return make(column.key, shape, n) if make else f"Coulibaly Awa é {shape} {n}"


def _decoded(row: Any, json_columns: list[int]) -> list[Any]:
    values = list(row)
    for i in json_columns:
        values[i] = json.loads(values[i]) if values[i] is not None else None
    return values


@pytest.fixture(scope="module")
def sessions() -> Iterator[tuple[Session, Session]]:
    made = []
    for _ in range(2):
        # Foreign keys and checks off (SQLite's default): the rows are made up column by column.
        engine = create_engine("sqlite://", poolclass=StaticPool)
        Base.metadata.create_all(engine)
        made.append(make_sessionmaker(engine)())
    yield made[0], made[1]
    for session in made:
        session.close()


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_the_fast_upsert_stores_what_the_general_one_stores(
    table: Any, sessions: tuple[Session, Session]
) -> None:
    fast, general = sessions
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for shape in range(3):  # insert, then update twice with other shapes
        rows = [{c.key: _value(c, (shape + i) % 3, i) for c in table.columns} for i in range(3)]
        for row, row_id in zip(rows, ids, strict=True):
            row["id"] = row_id
        for session, write in ((fast, _sqlite_upsert), (general, _core_upsert)):
            with session.begin():
                session.connection().exec_driver_sql("PRAGMA ignore_check_constraints = ON")
                assert write(session, table, rows) is not False
        select = f"SELECT * FROM {table.name} ORDER BY id"  # noqa: S608 - a table's own name
        with fast.begin(), general.begin():
            stored = fast.connection().exec_driver_sql(select).all()
            expected = general.connection().exec_driver_sql(select).all()
        json_columns = [i for i, c in enumerate(table.columns) if isinstance(c.type, JSON)]
        assert [_decoded(row, json_columns) for row in stored] == [
            _decoded(row, json_columns) for row in expected
        ]
        assert len(stored) == len(ids)


def test_a_value_the_fast_upsert_cannot_convert_raises_as_the_conversion_raises(
    sessions: tuple[Session, Session],
) -> None:
    table = Base.metadata.tables["nutrition_visit"]
    fast, _ = sessions
    row = {c.key: _value(c, 0, 5) for c in table.columns}
    row["id"], row["episode_id"] = str(uuid.uuid4()), "not a uuid"
    with fast.begin():
        with pytest.raises(ValueError, match="hexadecimal UUID"):
            _sqlite_upsert(fast, table, [row])
        fast.rollback()
