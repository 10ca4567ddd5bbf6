"""``alima node ...`` (enrolment, on the hub and on a laptop) and ``alima sync`` (a laptop)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from alima.cli.console import LazyConsole

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from alima.sync.node import Transport

node_app = typer.Typer(help="Laptops (nodes) syncing with this hub.", no_args_is_help=True)
console = LazyConsole()


def _factory() -> sessionmaker[Session]:
    from alima.cli.commands import _sessionmaker

    return _sessionmaker()


def _refused(message: str) -> typer.Exit:
    console.print(f"[red]{message}[/red]")
    return typer.Exit(1)


@node_app.command("invite")
def node_invite(
    site: Annotated[str, typer.Option(help="Code of the site the laptop will serve.")],
) -> None:
    """On the hub: print a one-time code to enrol a laptop for a site (valid 72 hours)."""
    from alima.core.errors import AlimaError
    from alima.sync import hub

    try:
        with _factory()() as session:
            invitation = hub.invite(session, site)
    except AlimaError as error:
        raise _refused(error.message) from None
    console.print(f"Enrolment code for {invitation.site_code}: [bold]{invitation.code}[/bold]")
    console.print(f"Valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC, once.")
    console.print(
        f"On the laptop: alima node enrol --hub https://<this hub> --code {invitation.code}"
    )


@node_app.command("enrol")
def node_enrol(
    hub_url: Annotated[str, typer.Option("--hub", help="Address of the hub, https://...")],
    code: Annotated[str, typer.Option(help="The one-time code printed by the hub.")],
    name: Annotated[str, typer.Option(help="A name for this laptop.")] = "",
) -> None:
    """On a laptop: enrol with the hub, then bring everything the site needs (one sync)."""
    import socket

    from alima.core.errors import AlimaError
    from alima.sync import node
    from alima.sync.http import http_transport

    factory = _factory()
    transport = http_transport(hub_url)
    try:
        site = node.enrol(factory, transport, hub_url, code, name or socket.gethostname())
    except (AlimaError, node.HubError) as error:
        raise _refused(error.message) from None
    except node.LinkError as error:
        raise _refused(f"The hub could not be reached: {error}") from None
    console.print(f"[green]Enrolled for site {site}.[/green] First sync:")
    _run_sync(factory, transport)


@node_app.command("retire")
def node_retire(
    site: Annotated[str, typer.Option(help="Code of the site whose laptop is retired.")],
    reason: Annotated[str, typer.Option(help="Why (lost, stolen, replaced...).")],
) -> None:
    """On the hub: retire a site's laptop; its credential stops working at its next request."""
    from alima.core.errors import AlimaError
    from alima.sync import hub

    try:
        with _factory()() as session:
            name = hub.retire(session, site, reason)
    except AlimaError as error:
        raise _refused(error.message) from None
    console.print(f"[yellow]Laptop {name} of {site} retired.[/yellow] A new one may enrol.")


@node_app.command("list")
def node_list() -> None:
    """On the hub: enrolled laptops, last contact, lag, conflicts and quarantined records."""
    from rich.table import Table

    from alima.sync import hub

    with _factory()() as session:
        nodes = hub.list_nodes(session)
    table = Table(title="Laptops")
    for column in ("site", "laptop", "last contact", "lag", "conflicts", "quarantined", "state"):
        table.add_column(column)
    for n in nodes:
        table.add_row(
            n.site_code,
            n.name,
            f"{n.last_contact_at:%Y-%m-%d %H:%M}" if n.last_contact_at else "never",
            str(n.lag),
            str(n.open_conflicts),
            str(n.open_quarantine),
            "retired" if n.retired_at else "active",
        )
    console.print(table)


def _run_sync(factory: sessionmaker[Session], transport: Transport) -> None:
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from alima.sync import node

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console.real, transient=True
    ) as progress:
        task = progress.add_task("Sending and receiving…", total=None)
        pages = 0

        def advance() -> None:
            nonlocal pages
            pages += 1
            progress.update(task, description=f"Receiving… page {pages}")

        summary = node.sync(factory, transport, after_page=advance)
    console.print(
        f"Sent {summary.pushed} changes, received {summary.pulled}"
        + (
            f", {summary.skipped_pending} held until our next send"
            if summary.skipped_pending
            else ""
        )
        + "."
    )
    if summary.quarantined:
        console.print(
            f"[yellow]{len(summary.quarantined)} records quarantined on the hub "
            "(its data manager will look at them):[/yellow]"
        )
        for item in summary.quarantined[:20]:
            console.print(f"  #{item['seq']}: {item['reason']}")
    if summary.conflicts:
        console.print(f"[yellow]{summary.conflicts} conflicts sent to review on the hub.[/yellow]")
    if summary.error:
        raise _refused(f"Sync stopped: {summary.error} Nothing was lost; run it again.")


def sync_command() -> None:
    """On a laptop: send what was written here and receive what the hub has for this site."""
    from alima.core.errors import AlimaError
    from alima.sync import node
    from alima.sync.http import http_transport

    factory = _factory()
    with factory() as session:
        state = node.status(session)
    if not state.enrolled or state.hub_url is None:
        raise _refused("This laptop is not enrolled on a hub yet (alima node enrol).")
    try:
        _run_sync(factory, http_transport(state.hub_url))
    except AlimaError as error:
        raise _refused(error.message) from None
