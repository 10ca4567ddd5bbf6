"""The sync protocol's messages, whatever carries them (HTTP, or a test's faulty link).

A request is a path, the laptop's credential and schema revision, and a JSON body; the answer
is a JSON body, or an error with its HTTP status, code and message (in the request's language).
Both sides compress bodies with gzip. A row stored as JSON text (the change log's) travels as
it is stored: an ``orjson.Fragment`` in a payload is written into the body without being
decoded and encoded again.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict
from typing import Any

import orjson
from sqlalchemy.orm import Session

from alima.core import collector
from alima.core.errors import AlimaError, BadRequest
from alima.sync import hub
from alima.sync.errors import SyncError

ENROL, PUSH, PULL = "/api/sync/v1/enrol", "/api/sync/v1/push", "/api/sync/v1/pull"
#: Header names of the laptop's schema revision and of the protocol version.
SCHEMA_HEADER, PROTOCOL_HEADER = "X-Alima-Schema", "X-Alima-Sync"


def encode(payload: dict[str, Any]) -> bytes:
    """A message as compressed JSON."""
    return gzip.compress(orjson.dumps(payload), compresslevel=6)


@collector.paused()
def decode(body: bytes) -> dict[str, Any]:
    """A message back from (possibly compressed) JSON; a bad one is a 400.

    Without cycle collections meanwhile (:mod:`alima.core.collector`): a batch or a page is
    thousands of fresh dicts.
    """
    try:
        raw = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            value = json.loads(raw)  # what the standard module also reads (NaN)
    except (OSError, EOFError, ValueError, UnicodeDecodeError, TypeError) as error:
        raise BadRequest(SyncError.SYNC_012, reason=type(error).__name__) from None
    if not isinstance(value, dict):
        raise BadRequest(SyncError.SYNC_012, reason="not an object")
    return value


def _int(payload: dict[str, Any], key: str, default: int) -> int:
    value = payload.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(SyncError.SYNC_012, reason=key)
    return value


def handle(
    session: Session, path: str, credential: str, schema: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """Answer one request of a laptop (raises ``AlimaError`` for a refusal)."""
    if path == ENROL:
        enrolled = hub.enrol(
            session, str(payload.get("code", "")), str(payload.get("name", ""))[:100], schema
        )
        return {
            "node_id": str(enrolled.node_id),
            "credential": enrolled.credential,
            "site_code": enrolled.site_code,
            "site_name": enrolled.site_name,
        }
    if path == PUSH:
        changes = payload.get("changes", [])
        if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
            raise BadRequest(SyncError.SYNC_012, reason="changes")
        with collector.paused():
            result = hub.receive(session, credential, schema, _int(payload, "since", 0), changes)
        return asdict(result)
    if path == PULL:
        with collector.paused():
            page = hub.serve(
                session,
                credential,
                schema,
                _int(payload, "cursor", 0),
                _int(payload, "limit", 1000),
            )
        return {"changes": page.changes, "cursor": page.cursor, "more": page.more}
    raise BadRequest(SyncError.SYNC_012, reason="path")


def error_body(error: AlimaError) -> dict[str, Any]:
    """A refusal as the laptop receives it."""
    return {"code": error.code.name, "message": error.message}
