"""Every packaged protocol's title is marked for translation, and translated in French."""

import tomllib
from pathlib import Path

import pytest

import alima.nutrition
from alima.core.i18n import translations
from alima.nutrition.enums import PROTOCOL_TITLES

FILES = sorted((Path(alima.nutrition.__file__).parent / "protocols").glob("*.toml"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_a_protocol_title_is_marked_and_translated(path: Path) -> None:
    title = tomllib.loads(path.read_text(encoding="utf-8"))["title"]
    assert title in PROTOCOL_TITLES
    french = translations("fr").gettext(title)
    assert french != title
    assert "day" not in french
