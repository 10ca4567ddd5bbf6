"""Every UUID column that names another record has a foreign key (or a reason not to).

A reference without a foreign key accepts a random UUID or a record that was never there
(issue: a referral's arrival could link any nutrition episode).
"""

from __future__ import annotations

from sqlalchemy import Uuid

from alima.all_models import Base

#: (table, column) without a foreign key, and why.
EXEMPT: dict[tuple[str, str], str] = {
    ("core_audit_event", "entity_id"): "the audit records attempts on ids that may not exist",
    ("core_audit_event", "patient_id"): "the audit records attempts on ids that may not exist",
    (
        "core_audit_event",
        "place_id",
    ): "append-only log: no row elsewhere may block or cascade into it",
    ("sync_change", "row_id"): "the change log names rows of every synced table",
    ("sync_change", "patient_id"): "append-only log: a patient merged away keeps its history",
    ("sync_change", "origin_node_id"): "append-only log: a retired laptop keeps its history",
    ("sync_peer", "node_id"): "the hub's id of this laptop, in the hub's database",
    ("sync_conflict", "row_id"): "the conflicting row, of any synced table",
    ("sync_quarantine", "row_id"): "a refused record: it may name nothing that exists",
    ("interop_submission", "entity_id"): "the record a form made, in the table entity_type names",
}


def test_every_uuid_reference_has_a_foreign_key() -> None:
    missing = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, Uuid) or column.primary_key:
                continue
            if column.foreign_keys or EXEMPT.get((table.name, column.name), "").strip():
                continue
            missing.append(f"{table.name}.{column.name}")
    assert not missing, f"UUID references without a foreign key: {missing}"
