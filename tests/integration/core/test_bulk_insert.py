"""``alima.core.db.bulk_insert`` stores what an ``insert()`` of the same values stores.

On PostgreSQL it is a ``COPY`` whose values are taken by one ``itemgetter`` a row (a row
lacking a key gets the column's default) and converted only when they need it (a bool of a
Boolean column and a float of a Float one as they are).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Float, MetaData, String, Table, select
from sqlalchemy.orm import Session

from alima.core.db import UTCDateTime, bulk_insert

AT = datetime(2026, 11, 28, 4, 12, 0, 123456, tzinfo=UTC)


def _table(name: str) -> Table:
    return Table(
        name,
        MetaData(),
        Column("id", String(36), primary_key=True),
        Column("flag", Boolean, nullable=True),
        Column("weight", Float, nullable=True),
        Column("doc", JSON, nullable=True),
        Column("at", UTCDateTime, nullable=False, default=lambda: AT),
        Column("note", String(20), nullable=False, default="default"),
    )


ROWS: list[dict[str, Any]] = [
    {
        "id": "a",
        "flag": True,
        "weight": 6.25,
        "doc": {"é": [1, "Ségou"]},
        "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "note": "tab\there",
    },
    {"id": "b", "flag": False, "weight": 7, "doc": ["muac", None], "at": AT, "note": "n\\b"},
    {"id": "c", "flag": None, "weight": None, "doc": None},  # at and note: their defaults
    {"id": "d", "flag": True, "weight": 0.1, "doc": {"n": 2}, "extra": "not a column"},
]


def test_bulk_insert_stores_what_an_insert_stores(session: Session) -> None:
    suffix = uuid.uuid4().hex[:8]
    bulk, plain = _table(f"t_bulk_{suffix}"), _table(f"t_plain_{suffix}")
    with session.begin():
        connection = session.connection()
        bulk.create(connection)
        plain.create(connection)
        bulk_insert(session, bulk, [dict(row) for row in ROWS])
        connection.execute(
            plain.insert(),
            [
                {"at": AT, "note": "default", **{k: v for k, v in row.items() if k != "extra"}}
                for row in ROWS
            ],
        )
        stored = [tuple(r) for r in connection.execute(select(bulk).order_by(bulk.c.id))]
        expected = [tuple(r) for r in connection.execute(select(plain).order_by(plain.c.id))]
        session.rollback()
    assert len(stored) == len(ROWS)
    # JSON None: SQL NULL by COPY, JSON null by insert(); both read back as None.
    assert stored == expected
    assert stored[2][4] == AT and stored[2][5] == "default"
    assert stored[1][2] == 7.0 and stored[0][5] == "tab\there"
