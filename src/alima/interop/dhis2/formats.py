"""The two documents DHIS2 imports: a ``dataValueSets`` JSON set and an ADX XML message.

Pure functions of the values to send (no database). ``dataValueSets`` is sent in its "bulk"
form: the data set, period and attribute option combo once, the organisation unit on each
value. ADX (IHE QRPH, namespace ``urn:ihe:qrph:adx:2015``) has one ``group`` per organisation
unit; identifiers are DHIS2 uids, so its import names ``idScheme=UID`` (ADX defaults to codes).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree as ET

from alima.interop.dhis2.rules import adx_period, data_value_set_period

ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"


@dataclass(frozen=True, slots=True)
class DataValue:
    """One value to send, by DHIS2 identifiers."""

    data_element: str
    category_option_combo: str
    org_unit: str
    value: int


def data_value_set(
    values: Sequence[DataValue], *, data_set: str, start: date, attribute_option_combo: str
) -> dict[str, Any]:
    """The ``dataValueSets`` JSON document of a month's values."""
    period = data_value_set_period(start)
    return {
        "dataSet": data_set,
        "period": period,
        "attributeOptionCombo": attribute_option_combo,
        "dataValues": [
            {
                "dataElement": v.data_element,
                "categoryOptionCombo": v.category_option_combo,
                "period": period,
                "orgUnit": v.org_unit,
                "value": str(v.value),
            }
            for v in values
        ],
    }


def adx_message(
    values: Sequence[DataValue],
    *,
    data_set: str,
    start: date,
    attribute_option_combo: str,
    exported: datetime,
) -> bytes:
    """The ADX message of a month's values: one ``group`` per organisation unit, in order."""
    ET.register_namespace("", ADX_NAMESPACE)
    root = ET.Element(
        f"{{{ADX_NAMESPACE}}}adx", {"exported": exported.strftime("%Y-%m-%dT%H:%M:%SZ")}
    )
    groups: dict[str, ET.Element] = {}
    for v in values:
        group = groups.get(v.org_unit)
        if group is None:
            group = ET.SubElement(
                root,
                f"{{{ADX_NAMESPACE}}}group",
                {
                    "orgUnit": v.org_unit,
                    "period": adx_period(start),
                    "dataSet": data_set,
                    "attributeOptionCombo": attribute_option_combo,
                },
            )
            groups[v.org_unit] = group
        ET.SubElement(
            group,
            f"{{{ADX_NAMESPACE}}}dataValue",
            {
                "dataElement": v.data_element,
                "categoryOptionCombo": v.category_option_combo,
                "value": str(v.value),
            },
        )
    ET.indent(root)
    message: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return message


def canonical_json(document: dict[str, Any]) -> bytes:
    """The JSON bytes sent (and hashed): keys sorted, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def payload_hash(document: dict[str, Any]) -> str:
    """SHA-256 of the document as sent: the same month with the same figures, the same hash."""
    return hashlib.sha256(canonical_json(document)).hexdigest()
