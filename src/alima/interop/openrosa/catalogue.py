"""The forms served to devices: XLSForms of this package converted to XForms by pyxform.

Each ``forms/<name>.md`` is an XLSForm (pyxform's markdown layout: the survey, choices and
settings sheets as tables) whose field names are those of a service's schema. It is converted
once per process and cached; the hash devices compare is the MD5 of the XForm served.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyxform.xls2xform import convert

FORMS_DIR = Path(__file__).resolve().parent / "forms"

#: Which service records each form (``alima.interop.openrosa.apply``).
SCREENING = "alima_community_screening"
VISIT = "alima_cmam_visit"
CONSULTATION = "alima_consultation"

_TITLE = re.compile(r"<h:title>(.*?)</h:title>", re.DOTALL)
_ROOT = re.compile(r'<data id="([^"]+)"(?: version="([^"]*)")?')


@dataclass(frozen=True)
class XForm:
    """A form as devices download it."""

    form_id: str
    title: str
    version: str
    xml: bytes

    @property
    def md5(self) -> str:
        """The MD5 of the XForm served, as formList gives it (without ``md5:``)."""
        return hashlib.md5(self.xml, usedforsecurity=False).hexdigest()


def convert_xlsform(path: Path, *, validate: bool = False) -> XForm:
    """Convert one XLSForm (``validate``: also run ODK Validate, which needs Java)."""
    result = convert(xlsform=path, validate=validate, pretty_print=True)
    xml = result.xform
    title = _TITLE.search(xml)
    root = _ROOT.search(xml)
    if root is None:
        msg = f"{path.name}: no instance root in the XForm"
        raise ValueError(msg)
    return XForm(
        form_id=root.group(1),
        title=title.group(1) if title else path.stem,
        version=root.group(2) or "",
        xml=xml.encode("utf-8"),
    )


def xlsform_paths() -> list[Path]:
    """Every XLSForm of the package."""
    return sorted(FORMS_DIR.glob("*.md"))


@cache
def forms() -> dict[str, XForm]:
    """The forms served, by form ID (converted on first use, then cached)."""
    return {f.form_id: f for f in (convert_xlsform(p) for p in xlsform_paths())}


def find_form(form_id: str) -> XForm | None:
    """The form ``form_id``, or ``None``."""
    return forms().get(form_id)
