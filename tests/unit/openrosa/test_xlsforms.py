"""Every XLSForm converts with pyxform and passes ODK Validate (JavaRosa), fields match services."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from pydantic import BaseModel

from alima.care.schemas import ConsultationCreate
from alima.community.schemas import ScreeningCreate
from alima.interop.openrosa.catalogue import (
    CONSULTATION,
    SCREENING,
    VISIT,
    convert_xlsform,
    forms,
    xlsform_paths,
)
from alima.interop.openrosa.instance import peek
from alima.interop.openrosa.mapping import APPLY
from alima.nutrition.schemas import VisitCreate

XF = "{http://www.w3.org/2002/xforms}"
#: Form fields that are not schema fields: the child's identifier, turned into the record.
RESOLVED = {"patient_identifier"}


def test_every_xlsform_is_served_and_applied() -> None:
    assert len(xlsform_paths()) >= 2
    assert set(forms()) == {SCREENING, VISIT, CONSULTATION}
    assert set(APPLY) == set(forms())


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
@pytest.mark.parametrize("path", xlsform_paths(), ids=lambda p: p.stem)
def test_xlsform_converts_and_passes_odk_validate(path: Path) -> None:
    form = convert_xlsform(path, validate=True)
    root = fromstring(form.xml)
    assert root.find(f".//{XF}instance") is not None
    assert form.version
    assert form.title


def test_a_broken_xlsform_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.md"
    broken.write_text(
        "| survey |\n| | type | name | label |\n| | select_one nowhere | q | Q |\n", "utf-8"
    )
    with pytest.raises(Exception, match="choices"):
        convert_xlsform(broken)


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_odk_validate_catches_what_pyxform_lets_through(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text(
        "| survey |\n| | type | name | label | constraint |\n| | integer | q | Q | . > > 3 |\n"
    )
    convert_xlsform(bad)  # pyxform alone accepts the broken expression
    with pytest.raises(Exception, match="invalid constraint"):
        convert_xlsform(bad, validate=True)


def _instance_fields(form_id: str) -> set[str]:
    form = forms()[form_id]
    root = fromstring(form.xml)
    data = root.find(f".//{XF}instance/{XF}data")
    assert data is not None
    return set(
        peek(
            b"<data>" + b"".join(f"<{c.tag[len(XF) :]}/>".encode() for c in data) + b"</data>"
        ).fields
    )


@pytest.mark.parametrize(
    ("form_id", "schema"),
    [(SCREENING, ScreeningCreate), (VISIT, VisitCreate), (CONSULTATION, ConsultationCreate)],
)
def test_form_fields_are_the_service_schema_fields(form_id: str, schema: type[BaseModel]) -> None:
    fields = _instance_fields(form_id) - RESOLVED
    assert fields
    assert fields <= set(schema.model_fields), fields - set(schema.model_fields)
    required = {n for n, f in schema.model_fields.items() if f.is_required()}
    assert required <= fields | {"patient_id"}
