"""Every mapped model says how it syncs; a new table cannot be forgotten by the change log."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import Mapper

import alima.all_models  # noqa: F401 - every model mapped
from alima.core.changelog import Sync, spec_of
from alima.core.db import Base

MODELS: list[type] = sorted(
    (m.class_ for m in Base.registry.mappers), key=lambda c: str(inspect(c).local_table)
)


def _resolves(model: type, dotted: str) -> bool:
    mapper: Mapper[Any] = inspect(model)
    if "." not in dotted:
        return dotted in mapper.columns or dotted == "id"
    relation, attribute = dotted.split(".", 1)
    if relation not in mapper.relationships:
        return False
    return attribute in mapper.relationships[relation].mapper.columns


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__tablename__)
def test_every_model_declares_how_it_syncs(model: type) -> None:
    spec = spec_of(model)
    assert isinstance(spec, Sync), f"{model.__name__} declares no __sync__"
    if spec.kind == "local":
        assert spec.reason, f"{model.__name__}: a local table says why"
        return
    for attribute in (spec.place, spec.shared_place, spec.patient):
        if attribute is not None:
            assert _resolves(model, attribute), f"{model.__name__}.{attribute} does not exist"
    if spec.kind == "site":
        assert spec.place is not None, f"{model.__name__}: care has an owning site"
    assert "id" in inspect(model).columns, "a synced row is identified by its UUID"


def test_care_with_a_patient_names_it() -> None:
    """A record of a patient travels with the patient when it is shared with another site."""
    for model in MODELS:
        spec = spec_of(model)
        columns = inspect(model).columns  # type: ignore[var-annotated]
        if spec is not None and spec.kind == "site" and "patient_id" in columns:
            assert spec.patient is not None, model.__name__
