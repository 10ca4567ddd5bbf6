"""The migration helpers are frozen: past revisions run what they write, so it must not change."""

from alima.migrations.helpers import (
    above,
    at_least,
    in_range,
    index,
    one_of,
    record_columns,
    ref,
    table,
)


def test_check_shapes_write_the_conditions_past_revisions_ran() -> None:
    assert at_least("individuals") == "individuals >= 0"
    assert at_least("households", nullable=True) == "households IS NULL OR households >= 0"
    assert at_least("ends_on", "starts_on") == "ends_on >= starts_on"
    assert above("amount") == "amount > 0"
    assert in_range("muac_mm", 50, 300) == "muac_mm >= 50 AND muac_mm <= 300"
    assert (
        in_range("latitude", -90, 90, nullable=True)
        == "latitude IS NULL OR (latitude >= -90 AND latitude <= 90)"
    )
    assert one_of("status", "open", "closed") == "status IN ('open', 'closed')"
    assert one_of("sex", "M", "F", nullable=True) == "sex IS NULL OR sex IN ('M', 'F')"
    assert one_of("cycle_count", 4, 5) == "cycle_count IN (4, 5)"


def test_record_columns_come_in_the_mixins_order() -> None:
    assert [column.name for column in record_columns("deleted")] == [
        "id",
        "created_at",
        "updated_at",
        "created_by_id",
        "deleted_at",
        "deleted_reason",
        "deleted_by_id",
    ]
    assert [column.name for column in record_columns("stamped")] == [
        "id",
        "created_at",
        "updated_at",
    ]
    assert record_columns("none") == []


def test_a_table_indexes_the_references_that_ask_for_it() -> None:
    named = index("ix_t_pair", "a", "b", where="a IS NOT NULL")
    spec = table(
        "t",
        ref("place_id", "core_place", index=True),
        ref("patient_id", "core_patient"),
        indexes=["on", named],
    )
    assert spec.indexes == ["on", named, "place_id"]
    assert {str(named.options[key]) for key in ("sqlite_where", "postgresql_where")} == {
        "a IS NOT NULL"
    }
