"""Intake commands: notify an incident, record the Panel notification and the
other notifications each duty needs, amend a notification, record the decision
on an agency's referral, show a case."""

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


RECIPIENTS = {
    "secretary-of-state": intake_pb2.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE,
    "ofsted": intake_pb2.NOTIFICATION_RECIPIENT_OFSTED,
    "partners": intake_pb2.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS,
    "home-area-partners": intake_pb2.NOTIFICATION_RECIPIENT_HOME_AREA_PARTNERS,
}
RECIPIENT_NAMES = {v: k for k, v in RECIPIENTS.items()} | {intake_pb2.NOTIFICATION_RECIPIENT_PANEL: "panel"}


def register(app: typer.Typer) -> None:
    app.command()(notify)
    app.command("panel-notified")(panel_notified)
    app.command("notification-sent")(notification_sent)
    app.command()(amend)
    app.command("referral-decision")(referral_decision)
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
    if incident.notifications_sent:
        sent = Table(title="Notifications sent")
        for col in ("duty", "to", "sent", "reference", "late"):
            sent.add_column(col)
        for s in incident.notifications_sent:
            sent.add_row(s.duty, RECIPIENT_NAMES.get(s.recipient, str(s.recipient)), s.sent_date, s.reference or "-",
                         "late" if s.late else "")
        out.print(sent)
    if incident.amendments:
        out.print(f"Notification version {incident.notification_version}; amendments:")
        for a in incident.amendments:
            out.print(f"  v{a.version} by {a.amended_by}: {', '.join(a.changed_fields)}"
                      + (f"; duties: {'; '.join(a.duties_changed)}" if a.duties_changed else "")
                      + (f"; clocks started: {', '.join(a.clocks_started)}" if a.clocks_started else "")
                      + (f"; clocks stopped: {', '.join(a.clocks_stopped)}" if a.clocks_stopped else ""))
    if incident.HasField("referral_decision"):
        d = incident.referral_decision
        out.print(f"Referral decision {intake_pb2.ReferralDecisionKind.Name(d.decision).removeprefix('REFERRAL_DECISION_KIND_')} "
                  f"on {d.decided_on}: {d.rationale}")
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


def _call(rpc: str, request, role: Role = Role.NOTIFYING_LA):  # type: ignore[no-untyped-def]
    async def call():  # type: ignore[no-untyped-def]
        async with channel("intake") as ch:
            return await getattr(intake_pb2_grpc.IntakeServiceStub(ch), rpc)(request, metadata=metadata(role), timeout=15)

    try:
        return asyncio.run(call())
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)


def notification_sent(
    case_id: str = typer.Argument(...),
    duty: str = typer.Option(..., "--duty", help="NOTIFY.LAC_DEATH, NOTIFY.CARE_LEAVER_DEATH, NOTIFY.PARTNERS or RR.LEAD_AREA"),
    to: str = typer.Option(..., "--to", help="secretary-of-state, ofsted, partners or home-area-partners"),
    sent: str = typer.Option(..., "--sent", help="Date sent, YYYY-MM-DD"),
    reference: str = typer.Option("", "--reference", help="Optional reference"),
) -> None:
    """Record that a notification a duty needs was sent; its clock closes once every recipient is recorded."""
    if to not in RECIPIENTS:
        raise typer.BadParameter(f"--to must be one of {', '.join(RECIPIENTS)}")
    response = _call("RecordNotificationSent", intake_pb2.RecordNotificationSentRequest(
        case_id=case_id, duty=duty, recipient=RECIPIENTS[to], sent_date=sent, reference=reference))
    print_incident(response.incident)


def amend(
    case_id: str = typer.Argument(...),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The whole notification as it now stands (proto3 JSON "
                                "of Notification, or of NotifyIncidentRequest)"),
    reason: str = typer.Option(..., "--reason", help="Why the notification is amended"),
    expected_version: int = typer.Option(0, "--expected-version", help="The version being amended (0: no check)"),
) -> None:
    """Amend a notification: a new version; duties re-evaluated, clocks started or stopped."""
    import json

    data = json.loads(file.read_text(encoding="utf-8"))
    body = data.get("notification", data) if isinstance(data, dict) else data
    from google.protobuf import json_format

    try:
        notification = json_format.ParseDict(body, intake_pb2.Notification())
    except json_format.ParseError as exc:
        raise typer.BadParameter(f"{file}: {exc}") from None
    response = _call("AmendNotification", intake_pb2.AmendNotificationRequest(
        case_id=case_id, notification=notification, reason=reason, expected_version=expected_version))
    print_incident(response.incident)


def referral_decision(
    case_id: str = typer.Argument(...),
    notify: bool = typer.Option(..., "--notify/--not-notify", help="Whether the local authority notifies the Panel"),
    rationale: str = typer.Option(..., "--rationale", help="The local authority's rationale"),
    decided: str = typer.Option(..., "--decided", help="Date of the decision, YYYY-MM-DD"),
) -> None:
    """Record the local authority's decision on an agency's referral (NOTIFY.AGENCY_REFERRAL); --not-notify withdraws it."""
    kind = intake_pb2.REFERRAL_DECISION_KIND_NOTIFY if notify else intake_pb2.REFERRAL_DECISION_KIND_NOT_NOTIFY
    response = _call("RecordReferralDecision", intake_pb2.RecordReferralDecisionRequest(
        case_id=case_id, decision=kind, rationale=rationale, decided_on=decided))
    print_incident(response.incident)
