"""The statistician's commands: draw a study's sequence once from a hidden seed, verify it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from alima.cli.commands import app
from alima.core.config import get_settings
from alima.core.db import make_engine, make_sessionmaker
from alima.core.enums import OrganisationKind, PartnerRole
from alima.core.migrate import upgrade
from alima.core.time import today
from alima.research.enums import FormKind
from alima.research.models import SequenceEntry, Study
from alima.research.schemas import ArmIn, ConsentFormIn, StudyCreate
from alima.research.service import create_study
from tests.factories.alliance import make_organisation, make_project
from tests.factories.core import make_place


def test_the_statistician_draws_and_verifies_the_sequence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    session = make_sessionmaker(make_engine(url))()
    with session.begin():
        country = make_place(session, "ZZ", "country", None)
        site = make_place(session, "ZZ-CS", "facility", country)
        org = make_organisation(session, "SPONSOR", OrganisationKind.RESEARCH_INSTITUTE)
        make_project(session, country, [site], [(org, PartnerRole.LEAD)], code="ZZ-P")
    create_study(
        session,
        StudyCreate(
            code="CLI-STUDY",
            title="CLI",
            project_code="ZZ-P",
            sponsor_code="SPONSOR",
            starts_on=today(),
            target_size=10,
            stratify_muac_mm=110,
            site_codes=["ZZ-CS"],
            arms=[ArmIn(code="aa", label="A"), ArmIn(code="bb", label="B")],
            forms=[
                ConsentFormIn(
                    kind=FormKind.CONSENT, version="1", language="fr", approved_on=today()
                )
            ],
        ),
        actor=None,
    )
    monkeypatch.setenv("ALIMA_DATABASE_URL", url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        args = ["research", "sequence", "--study", "CLI-STUDY", "--size", "30"]
        drawn = runner.invoke(app, args, input="424242\n")
        again = runner.invoke(app, args, input="424242\n")
        verify = ["research", "verify", "--study", "CLI-STUDY", "--size", "30"]
        same = runner.invoke(app, verify, input="424242\n")
        other = runner.invoke(app, verify, input="424243\n")
    finally:
        get_settings.cache_clear()
    assert drawn.exit_code == 0, drawn.output
    assert "424242" not in drawn.output  # the seed is asked hidden, never echoed
    assert "2 strata" in drawn.output
    assert again.exit_code == 1  # fixed at set-up: never drawn twice
    assert "Traceback" not in again.output
    assert same.exit_code == 0, same.output
    assert other.exit_code == 1
    with session.begin():
        study = session.scalars(select(Study)).one()
        assert study.sequence_fingerprint is not None
        assert "424242" not in repr([getattr(study, c.key) for c in Study.__table__.columns])
        n = session.scalar(select(func.count()).select_from(SequenceEntry))
        assert n is not None and n >= 60
    session.close()
