"""Sending a data value set to DHIS2 over HTTP (standard library only).

``POST {base}/api/dataValueSets?importStrategy=CREATE_AND_UPDATE[&dryRun=true]`` with the JSON
document and HTTP Basic authentication. DHIS2 answers an import summary with 200, or with 409
when values were refused; both are read. Any other answer, or none, is reported as such.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

#: The import strategy of every push: a month sent again updates what DHIS2 holds.
IMPORT_STRATEGY = "CREATE_AND_UPDATE"
#: The longest answer read (an import summary with many conflicts is a few hundred kB).
MAX_ANSWER_BYTES = 20_000_000


@dataclass(frozen=True, slots=True)
class Answer:
    """What came back: the HTTP status (none if unreachable), the JSON body, or the failure."""

    http_status: int | None
    body: Any
    failure: str = ""


def endpoint(base_url: str, *, dry_run: bool) -> str:
    """The import URL of a DHIS2 whose base is ``base_url``."""
    query = {"importStrategy": IMPORT_STRATEGY}
    if dry_run:
        query["dryRun"] = "true"
    return f"{base_url.rstrip('/')}/api/dataValueSets?{urllib.parse.urlencode(query)}"


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def post_data_value_set(
    base_url: str,
    username: str,
    password: str,
    payload: bytes,
    *,
    dry_run: bool,
    timeout: float,
) -> Answer:
    """POST ``payload`` (a ``dataValueSets`` JSON document) and read DHIS2's answer."""
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    request = urllib.request.Request(  # noqa: S310 - the URL is a configured http(s) base
        endpoint(base_url, dry_run=dry_run),
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Basic {credentials}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Answer(response.status, _json(response.read(MAX_ANSWER_BYTES)))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, _json(exc.read(MAX_ANSWER_BYTES)), failure=str(exc.reason))
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Answer(None, None, failure=str(reason)[:500])
