"""`rapidreview nats`: JetStream provisioning, by the operators' NATS user."""

from __future__ import annotations

import asyncio
import os

import typer
from rich.console import Console
from rich.table import Table

from rapidreview.cli.client import operator_nats_options

console = Console()
nats_app = typer.Typer(help="NATS JetStream: create or update the streams and every service's durable consumers.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(nats_app, name="nats")


@nats_app.command("provision")
def provision_command(
    service: list[str] = typer.Option(None, "--service", "-s", help="Only this process's durables (repeatable: intake, gathering, "
                                                                   "criteria, decisions, workspace); default: all."),
) -> None:
    """Create or update RR_EVENTS, RR_DEAD_LETTERS, RR_AUDIT_CHECKPOINTS and the durables of the
    services and the workspace (idempotent). Run as the operators' user (RR_NATS_USER=admin) with the
    services' RR_CONSUMER_*, RR_NATS_STREAM_REPLICAS and RR_DELIVERY_CONFIG_FILE settings, before they start."""
    import nats

    from rapidreview.jetstream import CONSUMERS, provision

    chosen = tuple(s for s in CONSUMERS if not service or s in service)
    unknown = sorted(set(service or ()) - set(CONSUMERS))
    if unknown:
        raise typer.BadParameter(f"unknown service(s): {', '.join(unknown)}")

    async def run():  # type: ignore[no-untyped-def]
        nc = await nats.connect(**operator_nats_options())
        try:
            return await provision(nc.jetstream(timeout=30), dict(os.environ), chosen)
        finally:
            await nc.close()

    try:
        done = asyncio.run(run())
    except Exception as exc:  # noqa: BLE001 - any refusal: say what and stop
        console.print(f"[red]provisioning failed[/red]: {type(exc).__name__}: {exc}")
        raise typer.Exit(1) from None
    table = Table(title="JetStream")
    for column in ("what", "name", "result", "subjects"):
        table.add_column(column)
    for item in done:
        table.add_row(item.kind, item.name, item.result, ", ".join(item.subjects))
    console.print(table)
