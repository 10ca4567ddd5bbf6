"""Sync records on the hub for the page tests.

A laptop, its conflicts, a refused record and a pair of possible duplicates.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from alima.core.models import Place
from alima.sync.models import SyncConflict, SyncDuplicate, SyncNode, SyncQuarantine
from tests.factories.core import make_patient


def sync_targets(session: Session, site: Place, patient_id: uuid.UUID) -> dict[str, str]:
    """A laptop of ``site`` with a field conflict and an automatic merge on the patient, and a
    refused record (no row: a retry is refused again and kept)."""
    with session.begin():
        node = SyncNode(
            name=f"laptop-{site.code}", site_id=site.id, credential_hash=uuid.uuid4().hex
        )
        session.add(node)
        session.flush()
        field = SyncConflict(
            entity="core_patient",
            row_id=patient_id,
            kind="field",
            fields=["phone"],
            base={"phone": None},
            ours={"phone": "+22370000009"},
            theirs={"phone": "+22370000001"},
            winner="theirs",
            node_id=node.id,
        )
        merged = SyncConflict(
            entity="core_patient",
            row_id=patient_id,
            kind="merged",
            fields=["village"],
            base={"village": "Molodo"},
            ours={"village": "Niono"},
            theirs={"village": "Molodo"},
            winner="ours",
            node_id=node.id,
            status="auto",
        )
        item = SyncQuarantine(
            node_id=node.id, node_seq=1, entity="core_patient", row=None, reason="no row"
        )
        twin = make_patient(session, site, given="Awa", family="Doumbia")
        low, high = sorted((patient_id, twin.id))
        pair = SyncDuplicate(low_id=low, high_id=high, found_by="sync")
        session.add_all([field, merged, item, pair])
        session.flush()
        return {
            "duplicate_id": str(pair.id),
            "duplicate_kept_id": str(patient_id),
            "conflict_id": str(field.id),
            "merged_conflict_id": str(merged.id),
            "item_id": str(item.id),
        }
