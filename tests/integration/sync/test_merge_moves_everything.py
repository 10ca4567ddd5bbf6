"""A merge of two patients moves every record that names the merged one, whatever its domain.

The columns are found through the models: a new domain with a ``patient_id`` is covered, or this
test fails until it is (moved, or listed with its reason in ``NOT_MOVED``/``HISTORY``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

import alima.all_models  # noqa: F401 - every model mapped
from alima.care.schemas import ConsultationCreate
from alima.care.service import consultations
from alima.core.db import Base
from alima.core.models import Patient
from alima.core.time import today
from alima.nutrition import service as nutrition
from alima.nutrition.schemas import AdmissionCreate
from alima.sync import duplicates
from alima.sync import merged as merged_patients
from alima.sync.models import SyncDuplicate
from tests.factories.core import World

NAMES_A_PATIENT = sorted(
    (table.name, column.key)
    for mapper in Base.registry.mappers
    for table in [inspect(mapper.class_).local_table]
    for column in table.columns
    if column.key == "patient_id"
    or column.key.endswith("_patient_id")
    or any(fk.column.table.name == "core_patient" for fk in column.foreign_keys)
)


@pytest.mark.parametrize("column", NAMES_A_PATIENT, ids=lambda c: f"{c[0]}.{c[1]}")
def test_every_column_naming_a_patient_is_moved_or_says_why_not(column: tuple[str, str]) -> None:
    moved = {(model.__tablename__, key) for model, key in merged_patients.patient_columns()}
    kept_as_is = merged_patients.NOT_MOVED | merged_patients.HISTORY
    assert column in moved or kept_as_is.get(column), (
        f"{column[0]}.{column[1]} names a patient: a merge must move it (a foreign key to "
        "core_patient) or say why not (alima.sync.merged_patients.NOT_MOVED / HISTORY)"
    )


def test_the_exceptions_name_real_columns() -> None:
    assert set(merged_patients.NOT_MOVED) | set(merged_patients.HISTORY) <= set(NAMES_A_PATIENT)
    assert len(merged_patients.patient_columns()) >= 10  # every domain's care records


def test_after_a_merge_no_moved_column_names_the_merged_patient(
    session: Session, world: World
) -> None:
    kept, other = world.patient_a, world.patient_b
    clinician = world.actors["clinician_b"]
    on = today() - timedelta(days=3)
    nutrition.admit_child(
        session,
        AdmissionCreate(
            patient_id=other.id,
            admitted_on=on,
            weight_kg=6.0,
            height_cm=67.5,
            muac_mm=113,
            appetite_test_passed=True,
        ),
        actor=clinician,
    )
    consultations.record_consultation(
        session,
        ConsultationCreate(patient_id=other.id, weight_kg=8.9, muac_mm=128),
        actor=clinician,
    )
    columns = merged_patients.patient_columns()

    def naming(patient_id: object) -> dict[str, int]:
        counts = {}
        for model, key in columns:
            query = select(func.count()).select_from(model).where(getattr(model, key) == patient_id)
            counts[f"{model.__tablename__}.{key}"] = int(session.scalar(query) or 0)
        return counts

    with session.begin():
        pair = SyncDuplicate(low_id=min(kept.id, other.id), high_id=max(kept.id, other.id))
        pair.found_by = "demand"
        session.add(pair)
        session.flush()
        before = naming(other.id)
        kept_before = naming(kept.id)
    assert before["nutrition_episode.patient_id"] == 1
    assert before["care_consultation.patient_id"] == 1

    merged = duplicates.merge(session, pair.id, kept.id, actor=world.actors["data_manager"])

    with session.begin():
        after = naming(other.id)
        kept_after = naming(kept.id)
        tombstone = session.get_one(Patient, other.id)
        assert tombstone.merged_into_id == kept.id
    assert all(count == 0 for count in after.values()), after
    assert {k: kept_after[k] - kept_before[k] for k in before if before[k]} == {
        k: v for k, v in before.items() if v
    }
    assert sum(merged.moved.values()) == sum(before.values())
