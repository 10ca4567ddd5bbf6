"""The official CDISC ODM 1.3.2 schema (shipped by ``odmlib``), read by ``xmlschema``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import odmlib
import xmlschema

SCHEMA = Path(odmlib.__file__).parent / "schemas" / "odm" / "1.3.2" / "ODM1-3-2.xsd"


@cache
def odm_schema() -> xmlschema.XMLSchema10:
    """The schema, built once (its imports: xml.xsd and the XML signature schema, local)."""
    return xmlschema.XMLSchema10(str(SCHEMA))


def odm_errors(document: bytes) -> list[str]:
    """Every reason ``document`` is not valid ODM 1.3.2 (empty: valid)."""
    return [str(error.reason) for error in odm_schema().iter_errors(document.decode("utf-8"))]
