"""Impartiality: no model has a field for ethnicity, religion or political affiliation."""

import re

from alima.all_models import Base

FORBIDDEN = re.compile(
    r"ethn|tribe|tribu|caste|race|religio|confession|faith|croyance|politi|party|parti_",
    re.IGNORECASE,
)


def test_no_model_collects_ethnicity_religion_or_politics() -> None:
    columns = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
    ]
    assert len(columns) > 50
    assert [c for c in columns if FORBIDDEN.search(c.split(".", 1)[1])] == []
    assert [t.name for t in Base.metadata.sorted_tables if FORBIDDEN.search(t.name)] == []
