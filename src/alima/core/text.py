"""Text normalisation for accent- and case-insensitive search ("aissata" finds "Aïssata")."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s-]")


def fold(text: str | None) -> str:
    """Lower-case, strip accents and collapse spaces; stable across SQLite and PostgreSQL."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = _NON_WORD.sub(" ", stripped.casefold())
    return _SPACES.sub(" ", cleaned).strip()
