"""A small DHIS2 stand-in speaking ``POST /api/dataValueSets`` as DHIS2 documents it.

A real HTTP server (``http.server`` in a thread) that checks HTTP Basic authentication,
stores values by (data element, period, organisation unit, category option combo, attribute
option combo) and answers an import summary inside a web message (DHIS2 2.38 and later):
``imported`` for a new value, ``updated`` for a changed one, ``ignored`` for an unchanged one
or a refused one, and a conflict (``object``, ``value``, ``errorCode``, ``property``,
``indexes``) with HTTP 409 for each unknown uid. ``dryRun=true`` counts without storing.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USERNAME = "alima-bot"
PASSWORD = "district-2026"


@dataclass
class Dhis2Stub:
    """What the stand-in knows and holds."""

    data_elements: set[str]
    org_units: set[str]
    combos: set[str]
    values: dict[tuple[str, str, str, str, str], str] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def _conflicts(self, index: int, value: dict[str, Any]) -> list[dict[str, Any]]:
        checks = (
            (
                "dataElement",
                self.data_elements,
                "E7610",
                "Data element not found or not accessible",
            ),
            ("orgUnit", self.org_units, "E7612", "Organisation unit not found or not accessible"),
            (
                "categoryOptionCombo",
                self.combos,
                "E7613",
                "Category option combo not found or not accessible for writing data",
            ),
        )
        return [
            {
                "object": value.get(prop, ""),
                "objects": {prop: value.get(prop, "")},
                "value": f"{message}: `{value.get(prop, '')}`",
                "errorCode": code,
                "property": prop,
                "indexes": [index],
            }
            for prop, known, code, message in checks
            if value.get(prop) not in known
        ]

    def answer(self, document: dict[str, Any], query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Import ``document`` as DHIS2 does with ``importStrategy=CREATE_AND_UPDATE``."""
        dry_run = query.get("dryRun") == "true"
        counts = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
        conflicts: list[dict[str, Any]] = []
        for index, value in enumerate(document.get("dataValues", [])):
            refused = self._conflicts(index, value)
            if refused:
                conflicts += refused
                counts["ignored"] += 1
                continue
            key = (
                value["dataElement"],
                value.get("period") or document["period"],
                value.get("orgUnit") or document["orgUnit"],
                value["categoryOptionCombo"],
                value.get("attributeOptionCombo") or document["attributeOptionCombo"],
            )
            old = self.values.get(key)
            counts[
                "imported" if old is None else "updated" if old != value["value"] else "ignored"
            ] += 1
            if not dry_run:
                self.values[key] = value["value"]
        status = "WARNING" if conflicts else "SUCCESS"
        summary = {
            "responseType": "ImportSummary",
            "status": status,
            "importOptions": {"dryRun": dry_run, "importStrategy": query.get("importStrategy")},
            "description": "Import process completed successfully",
            "importCount": counts,
            "conflicts": conflicts,
            "rejectedIndexes": sorted({i for c in conflicts for i in c["indexes"]}),
            "dataSetComplete": "false",
        }
        code = 409 if conflicts else 200
        return code, {
            "httpStatus": "Conflict" if conflicts else "OK",
            "httpStatusCode": code,
            "status": "WARNING" if conflicts else "OK",
            "message": "One more conflicts encountered, please check import summary."
            if conflicts
            else "Import was successful.",
            "response": summary,
        }


def _handler(stub: Dhis2Stub) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            return

        def _send(self, code: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            if url.path != "/api/dataValueSets":
                self._send(404, {"httpStatus": "Not Found", "httpStatusCode": 404})
                return
            if self.headers.get("Authorization") != expected:
                self._send(401, {"httpStatus": "Unauthorized", "httpStatusCode": 401})
                return
            length = int(self.headers.get("Content-Length", "0"))
            document = json.loads(self.rfile.read(length))
            query = dict(urllib.parse.parse_qsl(url.query))
            stub.requests.append({"query": query, "document": document})
            self._send(*stub.answer(document, query))

    return Handler


@contextmanager
def running_dhis2(stub: Dhis2Stub) -> Iterator[Dhis2Stub]:
    """Serve ``stub`` on a free local port for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def small_mapping(country_code: str, place_code: str) -> dict[str, Any]:
    """A valid mapping file of one figure at one place (a ``MappingFile`` as JSON)."""
    return {
        "country": country_code,
        "data_set": "dsCMAM00001",
        "attribute_option_combo": "HllvX50cXC0",
        "period_type": "MONTHLY",
        "data_elements": [
            {
                "figure": "CMAM-ADMISSIONS",
                "option": "",
                "data_element": "deADMIT0001",
                "category_option_combo": "HllvX50cXC0",
            }
        ],
        "org_units": [{"place": place_code, "org_unit": "ouSITE00001"}],
    }
