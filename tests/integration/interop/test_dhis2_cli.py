"""``alima dhis2``: mapping import and export, a month as JSON and ADX, a push, on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from alima.cli.commands import app
from alima.core.config import get_settings
from alima.core.db import make_engine, make_sessionmaker
from alima.core.enums import PlaceKind
from alima.core.migrate import upgrade
from alima.core.time import today
from tests.factories.core import make_place
from tests.factories.dhis2_server import (
    PASSWORD,
    USERNAME,
    Dhis2Stub,
    running_dhis2,
    small_mapping,
)


def test_the_commands_from_mapping_to_push(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    session = make_sessionmaker(make_engine(url))()
    with session.begin():
        country = make_place(session, "ZZ", PlaceKind.COUNTRY.value, None)
        district = make_place(session, "ZZ-D", PlaceKind.DISTRICT.value, country)
        make_place(session, "ZZ-D-F", PlaceKind.FACILITY.value, district)
    session.close()
    mapping = tmp_path / "zz.json"
    mapping.write_text(json.dumps(small_mapping("ZZ", "ZZ-D-F")), encoding="utf-8")
    month = f"{today():%Y-%m}"
    monkeypatch.setenv("ALIMA_DATABASE_URL", url)
    monkeypatch.setenv("ALIMA_DEFAULT_LOCALE", "fr")
    runner = CliRunner()
    get_settings.cache_clear()
    try:
        imported = runner.invoke(app, ["dhis2", "mapping", "import", str(mapping)])
        assert imported.exit_code == 0, imported.output
        assert "Correspondance DHIS2 de ZZ enregistrée" in imported.output
        exported = runner.invoke(app, ["dhis2", "mapping", "export", "ZZ"])
        assert json.loads(exported.output) == small_mapping("ZZ", "ZZ-D-F")

        as_json = runner.invoke(app, ["dhis2", "export", "--month", month])
        document = json.loads(as_json.output)
        assert document["period"] == month.replace("-", "")
        assert document["dataValues"] == [
            {
                "categoryOptionCombo": "HllvX50cXC0",
                "dataElement": "deADMIT0001",
                "orgUnit": "ouSITE00001",
                "period": month.replace("-", ""),
                "value": "0",
            }
        ]
        as_adx = runner.invoke(app, ["dhis2", "export", "--month", month, "--format", "adx"])
        root = ET.fromstring(as_adx.stdout_bytes.strip())  # noqa: S314 - our own message
        assert root.tag == "{urn:ihe:qrph:adx:2015}adx"

        refused = runner.invoke(app, ["dhis2", "push", "--month", month])
        assert refused.exit_code == 1
        assert "ALIMA_DHIS2_URL" in refused.output

        stub = Dhis2Stub({"deADMIT0001"}, {"ouSITE00001"}, {"HllvX50cXC0"})
        with running_dhis2(stub) as dhis2:
            monkeypatch.setenv("ALIMA_DHIS2_URL", dhis2.url)
            monkeypatch.setenv("ALIMA_DHIS2_USERNAME", USERNAME)
            monkeypatch.setenv("ALIMA_DHIS2_PASSWORD", PASSWORD)
            get_settings.cache_clear()
            pushed = runner.invoke(app, ["dhis2", "push", "--month", month, "--dry-run"])
        assert pushed.exit_code == 0, pushed.output
        assert "1 importée(s)" in pushed.output
        assert "Essai à blanc" in pushed.output
        assert stub.values == {}
    finally:
        get_settings.cache_clear()
