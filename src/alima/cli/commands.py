"""The ``alima`` commands as Typer apps: serve, database, demo data, users, API tokens...

:func:`alima.cli.main` is the program; it imports this module for every command but a plain
``alima growth zscores`` (see :mod:`alima.cli.zscores`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alima.cli import dhis2, growth
from alima.cli import sync as sync_cli
from alima.cli.console import LazyConsole

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from alima.core.config import Settings

app = typer.Typer(help="alima: field health platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for /api/v1.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
nutrition_app = typer.Typer(help="CMAM protocols and programme jobs.", no_args_is_help=True)
app.add_typer(nutrition_app, name="nutrition")
research_app = typer.Typer(
    help="Studies: the statistician's allocation sequence.", no_args_is_help=True
)
app.add_typer(research_app, name="research")
app.add_typer(growth.app, name="growth", help="WHO 2006 growth standards: z-scores for a CSV file.")
app.add_typer(sync_cli.node_app, name="node")
app.command("sync")(sync_cli.sync_command)
app.add_typer(
    dhis2.app, name="dhis2", help="DHIS2: mapping, monthly export (dataValueSets, ADX) and push."
)

console = LazyConsole()


def get_settings() -> Settings:
    """The settings, read on first use: ``alima growth`` needs neither them nor pydantic."""
    from alima.core.config import get_settings as read_settings

    return read_settings()


def _sessionmaker() -> sessionmaker[Session]:
    from alima.core.db import make_engine, make_sessionmaker

    settings = get_settings()
    _ensure_sqlite_dir()
    return make_sessionmaker(make_engine(settings.database_url))


@contextmanager
def _service_session() -> Iterator[Session]:
    """A session for service calls; a refused call prints its message and exits with 1."""
    from alima.core.errors import AlimaError

    session = _sessionmaker()()
    try:
        yield session
    except AlimaError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    finally:
        session.close()


def _ensure_sqlite_dir() -> None:
    path = get_settings().sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


#: Upper bound of the automatic worker count: beyond a few processes per core the CPUs are
#: saturated anyway, and each process holds its own pool of PostgreSQL connections
#: (docs/deploy.md). ``--workers`` goes beyond it.
MAX_AUTO_WORKERS = 8


def default_workers(*, sqlite: bool, cpus: int | None) -> int:
    """Worker processes when ``--workers`` is not given.

    SQLite has one writer, so one process (more would only queue on its lock). On
    PostgreSQL, 2 x CPUs + 1 (a process waiting on the database leaves its CPU to another),
    at most ``MAX_AUTO_WORKERS``.
    """
    if sqlite:
        return 1
    return max(1, min(2 * (cpus or 1) + 1, MAX_AUTO_WORKERS))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes (PostgreSQL only; default 2 x CPUs + 1, at most 8).", min=1
        ),
    ] = None,
) -> None:
    """Serve the platform (pages and API)."""
    import importlib.util

    import uvicorn

    settings = get_settings()
    _ensure_sqlite_dir()
    if settings.is_sqlite:
        workers = 1
    elif workers is None:
        workers = default_workers(sqlite=False, cpus=os.cpu_count())
    console.print(
        f"alima: http://{host or settings.host}:{port or settings.port} "
        f"(database: {'SQLite' if settings.is_sqlite else 'PostgreSQL'}, "
        f"{workers} worker process{'es' if workers > 1 else ''})"
    )
    uvicorn.run(
        "alima.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
        access_log=settings.access_log,
        proxy_headers=False,
        # The C parser and event loop: about a tenth less server time a request than the
        # pure-Python ones (benchmarks/README.md); uvloop does not exist on Windows.
        http="httptools",
        loop="uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database to a revision (default: the latest)."""
    from alima.core.migrate import upgrade

    _ensure_sqlite_dir()
    upgrade(get_settings().database_url, revision)
    console.print(f"[green]Database at {revision}.[/green]")


@db_app.command("downgrade")
def db_downgrade(revision: str = "-1") -> None:
    """Step the database back (default: one revision)."""
    from alima.core.migrate import downgrade

    downgrade(get_settings().database_url, revision)
    console.print(f"[yellow]Database downgraded to {revision}.[/yellow]")


@db_app.command("revision")
def db_revision(message: Annotated[str, typer.Option("-m", "--message")]) -> None:
    """Autogenerate a migration from the models (review it before committing)."""
    from alima.core.migrate import revision

    revision(message, get_settings().database_url)


@demo_app.command("load")
def demo_load(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing if data exists.")
    ] = False,
    today: Annotated[
        str | None, typer.Option(help="Reference date YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Load the deterministic demo data (Mali) and print the demo logins."""
    from alima.core.time import today as utc_today
    from alima.demo import core as demo
    from alima.demo import load_all

    factory = _sessionmaker()
    session = factory()
    try:
        if not demo.is_empty(session):
            if if_empty:
                console.print("Demo data already present.")
                _print_logins(
                    [
                        demo.DemoLogin(u, demo.DEMO_PASSWORD, r.value, p or prj or "")
                        for u, _n, r, p, prj, _o in demo.DEMO_USERS + demo.LATER_USERS
                    ]
                )
                return
            console.print("[red]The database is not empty; demo data not loaded.[/red]")
            raise typer.Exit(1)
        reference = date.fromisoformat(today) if today else utc_today()
        with console.status("Loading demo data…"):
            logins = load_all(session, today=reference)
        console.print("[green]Demo data loaded.[/green]")
        _print_logins(logins)
    finally:
        session.close()


def _print_logins(logins: list) -> None:  # type: ignore[type-arg]  # DemoLogin list
    from rich.table import Table

    table = Table(title="Demo logins (password for all: alima-demo-2026)")
    table.add_column("user name")
    table.add_column("password")
    table.add_column("role")
    table.add_column("scope")
    for login in logins:
        table.add_row(login.username, login.password, login.role, login.scope)
    console.print(table)


@user_app.command("create")
def user_create(
    username: str,
    role: Annotated[
        str,
        typer.Option(
            help="clinician, data_manager, coordinator, researcher, partner_viewer, administrator"
        ),
    ],
    full_name: Annotated[str, typer.Option(help="Full name.")] = "",
    place: Annotated[str | None, typer.Option(help="Place code of the scope (subtree).")] = None,
    project: Annotated[str | None, typer.Option(help="Project code of the scope.")] = None,
    organisation: Annotated[str | None, typer.Option(help="Organisation code.")] = None,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create a user with one role, scoped to a place subtree or a project."""
    from alima.core.enums import Role
    from alima.core.service import auth

    if (place is None) == (project is None):
        console.print("[red]Give exactly one of --place or --project.[/red]")
        raise typer.Exit(2)
    try:
        role_value = Role(role)
    except ValueError:
        console.print(f"[red]Unknown role {role!r}.[/red]")
        raise typer.Exit(2) from None
    with _service_session() as session:
        auth.create_user(
            session,
            username=username,
            full_name=full_name or username,
            password=password,
            role=role_value,
            place_code=place,
            project_code=project,
            organisation_code=organisation,
            settings=get_settings(),
        )
    console.print(f"[green]User {username} created.[/green]")


@token_app.command("create")
def token_create(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    days: Annotated[int | None, typer.Option(help="Lifetime in days.")] = None,
) -> None:
    """Create an API token for a user (shown once; send it as `Authorization: Bearer`)."""
    from alima.core.service import auth

    with _service_session() as session:
        created = auth.create_api_token(
            session, username=username, name=name, days=days or get_settings().api_token_days
        )
    console.print(created.token)
    console.print(f"expires {created.expires_at:%Y-%m-%d}", style="dim")


@token_app.command("list")
def token_list(username: str) -> None:
    """List a user's API tokens (id, name, expiry, revocation); never the tokens themselves."""
    from rich.table import Table

    from alima.core.service import accounts

    with _service_session() as session:
        tokens = accounts.list_tokens(session, username)
    table = Table("id", "name", "created", "expires", "state")
    for t in tokens:
        state = "revoked" if t.revoked_at else ("live" if t.live else "expired")
        table.add_row(
            t.id.hex[:12], t.name, f"{t.created_at:%Y-%m-%d}", f"{t.expires_at:%Y-%m-%d}", state
        )
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="Token id (or its first 8+ characters).")],
) -> None:
    """Revoke an API token: refused from the next request on."""
    from alima.core.service import accounts

    with _service_session() as session:
        revoked = accounts.revoke_token(
            session, accounts.find_token_id(session, token_id), actor=None
        )
    console.print(f"[green]Token {revoked.name} of {revoked.username} revoked.[/green]")


#: The ``--reason`` of a command whose change is audited.
ReasonOption = Annotated[str, typer.Option(help="Why (kept in the audit trail).")]


def _set_active(username: str, *, active: bool, reason: str) -> None:
    from alima.core.service import accounts

    with _service_session() as session:
        user_id = accounts.user_id_by_name(session, username)
        accounts.set_active(session, user_id, active=active, reason=reason, actor=None)


@user_app.command("deactivate")
def user_deactivate(
    username: str,
    reason: ReasonOption,
) -> None:
    """Deactivate a user: sessions end and API tokens are revoked at once."""
    _set_active(username, active=False, reason=reason)
    console.print(f"[green]User {username} deactivated; sessions and tokens revoked.[/green]")


@user_app.command("activate")
def user_activate(
    username: str,
    reason: ReasonOption,
) -> None:
    """Reactivate a user (old API tokens stay revoked; create new ones)."""
    _set_active(username, active=True, reason=reason)
    console.print(f"[green]User {username} reactivated.[/green]")


@nutrition_app.command("override")
def nutrition_override(
    country: Annotated[str, typer.Argument(help="Country place code, e.g. ML.")],
    protocol: Annotated[str, typer.Argument(help="optima, compas or standard-who-2013.")],
    file: Annotated[Path, typer.Option("--file", "-f", help="JSON file of the changed settings.")],
    effective_from: Annotated[
        str, typer.Option("--from", help="First day it applies, YYYY-MM-DD.")
    ],
    reason: Annotated[str, typer.Option(help="Why (e.g. the national PCIMA table of 2026).")],
) -> None:
    """Adapt a packaged protocol for a country (e.g. default after 3 missed visits)."""
    import json

    from alima.nutrition import service as nutrition_service

    try:
        overrides = json.loads(file.read_text(encoding="utf-8"))
        start = date.fromisoformat(effective_from)
    except (OSError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    with _service_session() as session:
        fingerprint = nutrition_service.set_protocol_override(
            session,
            country_code=country,
            protocol_code=protocol,
            overrides=overrides,
            effective_from=start,
            reason=reason,
            actor=None,
        )
    console.print(
        f"[green]{protocol} adapted for {country} from {start}: {fingerprint[:12]}[/green]"
    )


@nutrition_app.command("close-defaulters")
def nutrition_close_defaulters(
    place: Annotated[str, typer.Argument(help="Place code (its whole subtree).")],
) -> None:
    """Close as defaulted the episodes that missed the protocol's number of visits."""
    from alima.nutrition import service as nutrition_service

    with _service_session() as session:
        closed = nutrition_service.close_defaulters_at(session, place_code=place)
    console.print(f"{closed} episode(s) closed as defaulted.")


@nutrition_app.command("refresh-summary")
def nutrition_refresh_summary() -> None:
    """Bring the monthly reports' summary up to date (dirty site-months, last complete month)."""
    from alima.nutrition import service as nutrition_service

    with _service_session() as session:
        count, through = nutrition_service.refresh_summary(session)
    console.print(f"{count} site-month(s) written; summary through {through}.")


@research_app.command("sequence")
def research_sequence(
    study: Annotated[str, typer.Option("--study", help="The study's code, e.g. OPTIMA-ML.")],
    size: Annotated[int, typer.Option("--size", help="Positions per stratum (at least).")],
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            prompt=True,
            hide_input=True,
            help="The statistician's secret seed (asked for when not given); never stored.",
        ),
    ],
) -> None:
    """Draw a study's whole allocation sequence once, at set-up (the statistician only)."""
    from alima.research import service as research_service

    with _service_session() as session:
        summary = research_service.generate_sequence(
            session, study, seed=seed, size=size, actor=None
        )
    console.print(
        f"[green]{summary.study_code}: {summary.entries} positions in "
        f"{len(summary.strata)} strata; fingerprint {summary.fingerprint}[/green]"
    )


@research_app.command("verify")
def research_verify(
    study: Annotated[str, typer.Option("--study", help="The study's code.")],
    size: Annotated[int, typer.Option("--size", help="The size given when it was drawn.")],
    seed: Annotated[int, typer.Option("--seed", prompt=True, hide_input=True)],
) -> None:
    """Check that a seed re-draws the study's stored sequence (exit 1 when it does not)."""
    from alima.research import service as research_service

    with _service_session() as session:
        same = research_service.sequence_matches(session, study, seed=seed, size=size)
    if not same:
        console.print(f"[red]{study}: this seed does not give the stored sequence.[/red]")
        raise typer.Exit(1)
    console.print(f"[green]{study}: the stored sequence is the one this seed gives.[/green]")
