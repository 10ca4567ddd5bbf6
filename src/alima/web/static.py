"""The static files (the stylesheet, the icon): versioned URLs that a browser keeps for a year.

On a 2G link every request costs a round trip (300 ms or more), so a page must not fetch its
stylesheet again: pages link ``/static/alima.css?v=<digest of its content>``, and a file asked
for with its current digest is answered ``Cache-Control: max-age=31536000, immutable``. When
the file changes, its digest and so its URL change with it. A file asked for without the
current digest (an old page, a hand-typed URL) is answered ``no-cache``: the browser keeps it
but asks again each time (a 304 when unchanged). See benchmarks/pages.py.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Digits of the content's SHA-256 in a versioned URL.
DIGEST_LENGTH = 12
IMMUTABLE = "max-age=31536000, immutable"
REVALIDATE = "no-cache"


@functools.lru_cache(maxsize=64)
def _digest(path: Path, mtime_ns: int, size: int) -> str:
    del mtime_ns, size  # the cache key: a file edited while serving gets a new digest
    return hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_LENGTH]


def version(name: str) -> str:
    """The digest of the static file ``name`` (its current content)."""
    path = STATIC_DIR / name
    stat = path.stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def static_url(name: str) -> str:
    """The versioned URL of the static file ``name``, for the templates."""
    return f"/static/{name}?v={version(name)}"


class VersionedStaticFiles(StaticFiles):
    """Static files cached for a year when asked for with their current digest."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        """The file (or a 304), with the cache policy of its URL."""
        response = super().file_response(full_path, stat_result, scope, status_code)
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [""])[-1]
        current = _digest(Path(full_path), stat_result.st_mtime_ns, stat_result.st_size)
        response.headers["cache-control"] = IMMUTABLE if asked == current else REVALIDATE
        return response
