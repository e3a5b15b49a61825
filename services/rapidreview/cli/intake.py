"""Intake commands: notify an incident, record the Panel notification, show a case."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import grpc
import typer
from rich.console import Console
from rich.table import Table

from rapidreview.cli.client import channel, fail_on_rpc_error, metadata, read_json_message
from rapidreview.kernel.auth import Role
from rapidreview.v1 import common_pb2, intake_pb2, intake_pb2_grpc

console = Console()


def register(app: typer.Typer) -> None:
    app.command()(notify)
    app.command("panel-notified")(panel_notified)
    app.command()(incident)


def print_incident(incident: intake_pb2.Incident, out: Console = console) -> None:
    """Prints the duties and clocks of an incident by their RULES.md IDs."""
    out.print(f"Case [bold]{incident.case_id}[/bold]  status {intake_pb2.IncidentStatus.Name(incident.status)}  "
              f"edition {common_pb2.Edition.Name(incident.edition)} ({incident.edition_version})")
    duties = Table(title="Duties (RULES.md section 1)")
    duties.add_column("rule", no_wrap=True)
    duties.add_column("outcome", no_wrap=True)
    duties.add_column("rationale")
    for duty in incident.duties:
        duties.add_row(duty.rule_id, common_pb2.Outcome.Name(duty.outcome).removeprefix("OUTCOME_"), duty.rationale)
    out.print(duties)
    clocks = Table(title="Statutory clocks")
    clocks.add_column("clock", no_wrap=True)
    for col in ("from", "due", "working days left", "done", "late / overdue"):
        clocks.add_column(col)
    for clock in incident.clocks:
        flag = "late" if clock.late else ("overdue" if clock.overdue else "")
        clocks.add_row(clock.id, clock.starts_from, clock.effective_due or clock.due,
                       str(clock.working_days_left) if not clock.completed_on else "-", clock.completed_on or "-", flag)
    out.print(clocks)
    if incident.possible_duplicate_of:
        out.print(f"[yellow]Possible duplicate of: {', '.join(incident.possible_duplicate_of)}[/yellow]")


async def _notify(request: intake_pb2.NotifyIncidentRequest) -> intake_pb2.NotifyIncidentResponse:
    async with channel("intake") as ch:
        return await intake_pb2_grpc.IntakeServiceStub(ch).NotifyIncident(request, metadata=metadata(Role.NOTIFYING_LA), timeout=15)


def notify(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="NotifyIncidentRequest as proto3 JSON")) -> None:
    """Submit a notification and print its duties and clocks."""
    request = read_json_message(file, intake_pb2.NotifyIncidentRequest)
    if not request.idempotency_key:
        request.idempotency_key = "file-" + hashlib.sha256(file.read_bytes()).hexdigest()[:32]
    try:
        response = asyncio.run(_notify(request))
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)
    if response.replayed:
        console.print("[dim](already notified with this idempotency key: stored answer)[/dim]")
    print_incident(response.incident)


def panel_notified(
    case_id: str = typer.Argument(...),
    reference: str = typer.Option(..., "--reference", help="The Panel's reference"),
    sent: str = typer.Option(..., "--sent", help="Date sent, YYYY-MM-DD"),
) -> None:
    """Record that the Panel notification was sent; starts RR.DEADLINE."""

    async def call() -> intake_pb2.RecordPanelNotificationResponse:
        async with channel("intake") as ch:
            return await intake_pb2_grpc.IntakeServiceStub(ch).RecordPanelNotification(
                intake_pb2.RecordPanelNotificationRequest(case_id=case_id, reference=reference, sent_date=sent),
                metadata=metadata(Role.NOTIFYING_LA), timeout=15)

    try:
        print_incident(asyncio.run(call()).incident)
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)


def incident(case_id: str = typer.Argument(...)) -> None:
    """Show an incident with its duties and clocks."""

    async def call() -> intake_pb2.GetIncidentResponse:
        async with channel("intake") as ch:
            return await intake_pb2_grpc.IntakeServiceStub(ch).GetIncident(
                intake_pb2.GetIncidentRequest(case_id=case_id), metadata=metadata(Role.BUSINESS_UNIT), timeout=15)

    try:
        print_incident(asyncio.run(call()).incident)
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)
