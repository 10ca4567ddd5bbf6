"""Running Alembic from code (CLI, tests, ``make run``)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    ini = files("alima.migrations").joinpath("alembic.ini")
    cfg = Config(str(ini))
    cfg.set_main_option("script_location", "alima:migrations")
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(
    url: str | None = None, revision: str = "head", connection: Connection | None = None
) -> None:
    """Bring the database to ``revision``."""
    command.upgrade(alembic_config(url, connection), revision)


def downgrade(
    url: str | None = None, revision: str = "-1", connection: Connection | None = None
) -> None:
    """Step the database back to ``revision``."""
    command.downgrade(alembic_config(url, connection), revision)


def revision(message: str, url: str | None = None) -> None:
    """Autogenerate a new revision from the models."""
    command.revision(alembic_config(url), message=message, autogenerate=True)


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The schema revision this code migrates to."""
    head = _script().get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        msg = "no migration"
        raise RuntimeError(msg)
    return head


def known_revisions() -> frozenset[str]:
    """Every schema revision this code knows (its history)."""
    return frozenset(rev.revision for rev in _script().walk_revisions())
