"""The cached foreign-key order of the tables is SQLAlchemy's, and follows new tables."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Table, Uuid

import alima.all_models  # noqa: F401 - every model mapped
from alima.core.db import Base, table_order


def test_the_order_is_the_metadata_s_own() -> None:
    assert table_order() == {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}


def test_a_table_added_since_is_placed_after_its_parent() -> None:
    child = Table(
        "zz_test_order_child",
        Base.metadata,
        Column("id", Uuid, primary_key=True),
        Column("patient_id", Uuid, ForeignKey("core_patient.id")),
    )
    try:
        order = table_order()
        assert order["zz_test_order_child"] > order["core_patient"]
        assert order == {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}
    finally:
        Base.metadata.remove(child)
    assert "zz_test_order_child" not in table_order()
