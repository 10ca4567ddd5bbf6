"""Hostile text for names and notes: HTML, script, SQL fragments, template syntax, very long,
right-to-left, emoji. Everything a form field may legitimately receive and must store and show
exactly as typed, never interpret."""

from __future__ import annotations

from hypothesis import strategies as st

#: Attacks and oddities seen in the wild, each valid as a one-line name.
SAMPLES = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(document.cookie)>",
    '"><svg/onload=alert(1)>',
    "</textarea><script>alert(1)</script>",
    '<a href="javascript:alert(1)">clic</a>',
    "'; DROP TABLE core_patient; --",
    "Robert'); DELETE FROM core_audit_event; --",
    "1' OR '1'='1",
    "%' OR 1=1 --",
    "{{ 7*7 }} {% raw %} ${7*7} #{7*7}",
    "%(name)s {0} %s %d",
    "&lt;b&gt; &amp; &#x3C;script&#x3E;",
    "\\x3cscript\\x3e",
    "עליזה بنت محمد",  # right-to-left scripts
    "\u202egnp.exe",  # right-to-left override
    "Aïssata Maïga",
    "👩🏿‍⚕️ 🇲🇱 🏥",
    "Zéro\u200bwidth\u200djoiner",
    "NULL",
    "None",
    "undefined",
    "x" * 100,
)

_pieces = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(
        # Not generated: code points the schemas refuse on purpose (NUL, unpaired surrogates,
        # control characters) or that an HTML parser rewrites (unassigned, private use).
        alphabet=st.characters(exclude_categories=["Cs", "Cc", "Cn", "Co"]),
        min_size=1,
        max_size=40,
    ),
)


def _fits(text: str, size: int) -> str:
    return text[:size].strip()


def names(size: int = 100) -> st.SearchStrategy[str]:
    """One-line text as a name field stores it (no surrounding spaces, at most ``size``)."""
    return (
        st.lists(_pieces, min_size=1, max_size=4)
        .map(lambda parts: _fits(" ".join(parts), size))
        .filter(lambda text: bool(text) and text == text.strip())
    )


def notes(min_size: int = 15, size: int = 4000) -> st.SearchStrategy[str]:
    """Multi-line text as a note stores it, long ones included."""
    lines = st.lists(_pieces, min_size=1, max_size=3).map(" ".join)
    return (
        st.lists(lines, min_size=1, max_size=6)
        .map(lambda parts: _fits("\n".join(parts) + " " + "¤" * min_size, size))
        .filter(lambda text: len(text) >= min_size and text == text.strip())
    )
