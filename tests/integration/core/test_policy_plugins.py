"""Access policies fail closed: a process that never imports ``alima.alliance`` still gets them.

The partner agreements ("aggregates only") and the locks of approved months are plugged into
the core by ``alima.alliance``. A worker, a script or a command that builds actors from the
core alone must not skip them, so the core loads its declared plug-ins itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from alima.core import policy
from alima.core.db import make_engine
from alima.core.migrate import upgrade
from tests.factories.alliance import build_alliance
from tests.factories.core import build_world

ROOT = Path(__file__).resolve().parents[3]

# Runs in a fresh interpreter: only the core is imported before the actor is built.
PROBE = textwrap.dedent(
    """
    import json, sys, uuid
    from sqlalchemy.orm import Session
    from alima.core.access import Permission
    from alima.core.db import make_engine
    from alima.core.models import User
    from alima.core.service.auth import actor_for

    url, user_id, facility_path = sys.argv[1], uuid.UUID(sys.argv[2]), sys.argv[3]
    before = sorted(m for m in sys.modules if m.startswith("alima.alliance"))
    engine = make_engine(url)
    with Session(engine, autobegin=False) as session, session.begin():
        user = session.get(User, user_id)
        actor = actor_for(session, user, channel="web", ip=None)
    print(json.dumps({
        "alliance_imported_before": before,
        "aggregate_read": actor.can(Permission.AGGREGATE_READ),
        "patient_read": actor.can_at(Permission.PATIENT_READ, facility_path),
    }))
    """
)


def test_partner_policy_applies_in_a_process_that_never_imports_alliance(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'plugins.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, autobegin=False, expire_on_commit=False) as session:
        world = build_world(session)
        alliance = build_alliance(session, world)
    engine.dispose()

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            url,
            str(alliance.partner_coordinator.id),
            world.facility_a.path,
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["alliance_imported_before"] == []  # the probe really started from the core
    assert seen["aggregate_read"] is True
    # The partner's agreement is "aggregates only": no patient record, even from this process.
    assert seen["patient_read"] is False


def test_every_declared_plugin_registers_something() -> None:
    policy.load_plugins()
    names = {f"{p.__module__}.{p.__qualname__}" for p in policy.actor_policies()}
    assert "alima.alliance.governance.narrow_by_agreements" in names
    assert "alima.alliance.governance.add_emergency_access" in names
    guards = {f"{g.__module__}.{g.__qualname__}" for g in policy.period_guards()}
    assert "alima.alliance.governance.ensure_period_open" in guards


def _fresh(monkeypatch: pytest.MonkeyPatch, plugins: tuple[str, ...]) -> None:
    monkeypatch.setattr(policy, "PLUGINS", plugins)
    monkeypatch.setattr(policy, "_loaded", False)


def test_a_plugin_that_cannot_load_or_registers_nothing_stops_the_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    silent = types.ModuleType("alima_test_silent_plugin")
    silent.register = lambda: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, silent.__name__, silent)
    for plugins, error in (
        (("alima_test_missing_plugin",), ModuleNotFoundError),
        (("alima.core.time",), policy.PluginError),  # no register()
        ((silent.__name__,), policy.PluginError),  # registers nothing
    ):
        _fresh(monkeypatch, plugins)
        with pytest.raises(error):
            policy.actor_policies()
        with pytest.raises(error):
            policy.ensure_period_open(None, place_id=uuid.uuid4(), on=date(2026, 1, 1))  # type: ignore[arg-type]
