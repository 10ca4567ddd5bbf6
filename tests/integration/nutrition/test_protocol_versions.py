"""Country tables are refused outside their energy range; withdrawn versions keep their record.

docs/clinical-rules.md §2 (WHO 150-220 kcal/kg/day) and §3.4 rule 1 (the formula validates the
printed table); protocol versions are pinned (alima.nutrition.protocol.PINNED_FINGERPRINTS).
"""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alima.cli.commands import app
from alima.core.config import get_settings
from alima.core.db import make_engine, make_sessionmaker
from alima.core.enums import PlaceKind
from alima.core.errors import RuleViolation
from alima.core.migrate import upgrade
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.models import Episode, ProtocolOverride
from alima.nutrition.protocol import PINNED_FINGERPRINTS
from alima.nutrition.schemas import AdmissionCreate, VisitCreate
from tests.factories.core import World, make_place
from tests.factories.nutrition import make_child


def test_country_table_outside_the_range_is_refused(session: Session, world: World) -> None:
    table = [
        {"weight_min_kg": 3.5, "sachets_per_day": 1.5},
        {"weight_min_kg": 4.0, "sachets_per_day": 2},
    ]
    with pytest.raises(RuleViolation) as caught:
        service.set_protocol_override(
            session,
            country_code=world.country.code,
            protocol_code="standard-who-2013",
            overrides={"bands": {"severe": {"dose": {"table": table}}}},
            effective_from=today(),
            reason="PCIMA",
            actor=None,
        )
    assert caught.value.code.name == "NUT_033"
    assert caught.value.status == 422
    with session.begin():
        assert session.scalar(select(func.count()).select_from(ProtocolOverride)) == 0


def test_episode_admitted_under_withdrawn_version_keeps_its_record(
    session: Session, world: World
) -> None:
    actor = world.actors["clinician_a"]
    child = make_child(session, world.facility_a, age_days=400)
    start = today() - timedelta(days=7)
    admitted = service.admit_child(
        session,
        AdmissionCreate.model_validate(
            {
                "patient_id": child.id,
                "admitted_on": start,
                "protocol_code": "standard-who-2013",
                "weight_kg": 4.2,
                "height_cm": 62.0,
                "muac_mm": 110,
                "appetite_test_passed": True,
            }
        ),
        actor=actor,
    )
    assert admitted.ration is not None
    assert admitted.ration.sachets_per_day == 1.5  # 1.1: 2 sachets only from 4.6 kg
    old = PINNED_FINGERPRINTS[("standard-who-2013", "1.0")]
    with session.begin():
        episode = session.get(Episode, admitted.episode_id)
        assert episode is not None
        assert episode.protocol_version == "1.1"
        episode.protocol_version = "1.0"
        episode.protocol_fingerprint = old
    visit = service.record_visit(
        session,
        admitted.episode_id,
        VisitCreate.model_validate(
            {"visit_on": today(), "weight_kg": 4.3, "muac_mm": 111, "oedema": "none"}
        ),
        actor=actor,
    )
    assert visit.ration is not None
    assert visit.ration.sachets_per_day == 1.5
    read = service.get_episode(session, admitted.episode_id, actor=actor)
    assert read.protocol_version == "1.0"
    with session.begin():
        episode = session.get(Episode, admitted.episode_id)
        assert episode is not None
        assert episode.protocol_fingerprint == old


def test_cli_refuses_a_country_table_outside_the_range_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    session = make_sessionmaker(make_engine(url))()
    with session.begin():
        make_place(session, "ZZ", PlaceKind.COUNTRY.value, None)
    session.close()
    overrides = tmp_path / "table.json"
    table = [{"weight_min_kg": 4.0, "sachets_per_day": 2}]
    overrides.write_text(json.dumps({"bands": {"severe": {"dose": {"table": table}}}}))
    monkeypatch.setenv("ALIMA_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app,
            [
                "nutrition",
                "override",
                "ZZ",
                "standard-who-2013",
                "--file",
                str(overrides),
                "--from",
                "2026-01-01",
                "--reason",
                "PCIMA",
            ],
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "250.0 kcal/kg" in " ".join(result.output.split())
