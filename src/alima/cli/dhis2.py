"""``alima dhis2``: a country's mapping, and its monthly figures exported or pushed to DHIS2."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alima.cli.console import LazyConsole
from alima.core.i18n import N_, gettext, set_locale

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from alima.core.config import Settings
    from alima.interop.dhis2.schemas import PushRead

app = typer.Typer(
    help="DHIS2: the mapping of a country, and its monthly figures as dataValueSets or ADX.",
    no_args_is_help=True,
    add_completion=False,
)
mapping_app = typer.Typer(help="A country's DHIS2 mapping as JSON.", no_args_is_help=True)
app.add_typer(mapping_app, name="mapping")

console = LazyConsole()
err = LazyConsole(stderr=True)

MonthOption = Annotated[str, typer.Option("--month", help="The month, YYYY-MM.")]
CountryOption = Annotated[
    str | None,
    typer.Option("--country", help="Country code (needed when several have a mapping)."),
]

MSG_IMPORTED = N_(
    "DHIS2 mapping of {country} saved: {elements} data element(s), {units} organisation unit(s)."
)
MSG_PUSHED = N_(
    "DHIS2 answered {status}: {imported} imported, {updated} updated, {ignored} ignored, "
    "{deleted} deleted ({values} value(s) sent)."
)
MSG_DRY_RUN = N_("Dry run: DHIS2 saved nothing.")
MSG_CONFLICTS = N_("{count} value(s) refused by DHIS2:")
MSG_UNANSWERED = N_("DHIS2 gave no import summary: {reason}")


def get_settings() -> Settings:
    """The settings, read on first use (importing them loads pydantic)."""
    from alima.core.config import get_settings as read_settings

    return read_settings()


@contextmanager
def _session_scope() -> Iterator[Session]:
    """The command line's session, messages in the server's language."""
    from alima.cli.commands import _service_session

    set_locale(get_settings().default_locale)
    with _service_session() as session:
        yield session


@mapping_app.command("export")
def mapping_export(
    country: Annotated[str, typer.Argument(help="Country code, e.g. ML.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: the console).")
    ] = None,
) -> None:
    """Write a country's DHIS2 mapping as JSON."""
    from alima.interop.dhis2 import service

    with _session_scope() as session:
        mapping = service.export_mapping(session, country, actor=None)
    text = json.dumps(mapping.model_dump(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@mapping_app.command("import")
def mapping_import(
    file: Annotated[
        Path, typer.Argument(help="JSON file, as `alima dhis2 mapping export` writes.")
    ],
) -> None:
    """Replace a country's DHIS2 mapping with a JSON file (the previous one stays in the audit)."""
    from pydantic import ValidationError

    from alima.interop.dhis2 import service
    from alima.interop.dhis2.schemas import MappingFile

    try:
        data = MappingFile.model_validate_json(file.read_bytes())
    except (OSError, ValidationError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    with _session_scope() as session:
        saved = service.import_mapping(session, data, actor=None)
    console.print(
        gettext(
            MSG_IMPORTED,
            country=saved.country,
            elements=len(saved.data_elements),
            units=len(saved.org_units),
        )
    )


@app.command("export")
def export(
    month: MonthOption,
    fmt: Annotated[str, typer.Option("--format", help="json (dataValueSets) or adx.")] = "json",
    country: CountryOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: the console).")
    ] = None,
) -> None:
    """Write a month's figures as DHIS2 imports them (the monthly report's figures)."""
    from alima.core.time import utcnow
    from alima.interop.dhis2 import service

    if fmt not in {"json", "adx"}:
        err.print("[red]--format: json | adx[/red]")
        raise typer.Exit(2)
    with _session_scope() as session:
        built = service.build_export(
            session,
            month=month,
            country_code=country,
            include_medical_transfers=get_settings().nutrition_rates_include_medical_transfers,
        )
    body = service.render(built, "json" if fmt == "json" else "adx", exported=utcnow())
    if output is None:
        sys.stdout.buffer.write(body + b"\n")
    else:
        output.write_bytes(body)


def print_push(result: PushRead) -> None:
    """What DHIS2 answered, and each refused value by figure and place."""
    if result.http_status is None or result.status in {"UNREACHABLE", "UNREADABLE"}:
        console.print(
            f"[red]{gettext(MSG_UNANSWERED, reason=result.description or result.status)}[/red]"
        )
    console.print(
        gettext(
            MSG_PUSHED,
            status=result.status,
            imported=result.imported,
            updated=result.updated,
            ignored=result.ignored,
            deleted=result.deleted,
            values=result.values_sent,
        )
    )
    if result.dry_run:
        console.print(gettext(MSG_DRY_RUN))
    if result.conflicts:
        from rich.table import Table

        console.print(gettext(MSG_CONFLICTS, count=len(result.conflicts)))
        table = Table(
            gettext("Figure"),
            gettext("Data element"),
            gettext("Place"),
            gettext("Organisation unit"),
            gettext("DHIS2's reason"),
        )
        for c in result.conflicts:
            table.add_row(
                f"{c.figure} {c.option}".strip() or "-",
                c.data_element or "-",
                c.place_code or "-",
                c.org_unit or "-",
                f"{c.reason} {c.error_code}".strip() or c.object,
            )
        console.print(table)


@app.command("push")
def push(
    month: MonthOption,
    country: CountryOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="DHIS2 checks the values and saves nothing.")
    ] = False,
) -> None:
    """Send a month's figures to the configured DHIS2 (a month sent again is updated)."""
    from alima.interop.dhis2 import service

    with _session_scope() as session:
        result = service.push(
            session, month=month, country_code=country, dry_run=dry_run, settings=get_settings()
        )
    print_push(result)
    if result.http_status is None or result.status in {"ERROR", "UNREACHABLE", "UNREADABLE"}:
        raise typer.Exit(1)
