"""Every string a person reads is in the French catalog, with the same placeholders."""

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "src" / "alima" / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"\{(\w+)\}|%\((\w+)\)[sd]")


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def test_french_catalog_covers_every_extracted_string(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-o",
            str(pot),
            "--no-location",
            "--omit-header",
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    extracted = {
        m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot.open("rb")) if m.id
    }
    french = read_po(CATALOG.open("rb"), locale="fr")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0]): m.string
        for m in french
        if m.id and (m.string if isinstance(m.string, str) else all(m.string or ()))
    }
    assert len(extracted) > 100
    assert sorted(extracted - translated.keys()) == []


def test_translations_keep_their_placeholders() -> None:
    for message in read_po(CATALOG.open("rb"), locale="fr"):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = (
            [message.string] if isinstance(message.string, str) else list(message.string or ())
        )
        expected = set().union(*(placeholders(i) for i in ids))
        for string in strings:
            if not string:
                continue
            assert placeholders(string) <= expected, message.id
            if "num" not in expected:
                assert placeholders(string) == expected, message.id


def test_compiled_catalog_says_what_its_source_says() -> None:
    """The committed ``.mo`` (what runs) holds exactly the ``.po``'s translations.

    ``make messages`` compiles it; a ``.po`` edited without compiling fails here.
    """
    from babel.messages.mofile import read_mo

    from alima.core.i18n import compiled_path

    def text(value: object) -> object:
        return value if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]

    def pairs(catalog: object) -> dict[object, object]:
        return {
            text(m.id): text(m.string)
            for m in catalog  # type: ignore[attr-defined]
            if m.id and not m.fuzzy and (m.string if isinstance(m.string, str) else any(m.string))
        }

    source = pairs(read_po(CATALOG.open("rb"), locale="fr"))
    compiled = pairs(read_mo(compiled_path("fr").open("rb")))
    assert len(source) > 100
    assert compiled == source
