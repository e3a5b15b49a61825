"""The README's example case (Child K, fictional), pushed through the running stack:
notification, the safeguarding partners informed, Panel notification, agency returns, collation, the criteria
checklist with its PDF summary, then the people's decisions to publication
(each step runs when its service is part of the stack)."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import grpc
from google.protobuf import json_format
from rich.console import Console

from rapidreview.cli.client import channel, metadata, stack_state
from rapidreview.cli.intake import print_incident
from rapidreview.kernel.auth import Role
from rapidreview.v1 import intake_pb2, intake_pb2_grpc

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


def examples_dir() -> Path:
    return EXAMPLES


def _running(service: str) -> bool:
    return service in stack_state().get("services", {})


async def _import_earlier_reviews(console: Console) -> None:
    from rapidreview.v1 import criteria_pb2, criteria_pb2_grpc

    request = json_format.Parse((EXAMPLES / "earlier-reviews.json").read_text(), criteria_pb2.ImportEarlierReviewsRequest())
    async with channel("criteria") as ch:
        response = await criteria_pb2_grpc.CriteriaServiceStub(ch).ImportEarlierReviews(
            request, metadata=metadata(Role.BUSINESS_UNIT), timeout=60)
    console.print(f"Imported {response.imported} earlier review(s) of the partnership (for LOCAL.RECURRENT_THEMES).")


async def _intake_steps(console: Console) -> intake_pb2.Incident:
    request = json_format.Parse((EXAMPLES / "notification.json").read_text(), intake_pb2.NotifyIncidentRequest())
    request.idempotency_key = f"example-{uuid.uuid4()}"
    async with channel("intake") as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        la = metadata(Role.NOTIFYING_LA)
        created = (await stub.NotifyIncident(request, metadata=la, timeout=15)).incident
        console.rule("1. Notification recorded")
        print_incident(created, console)
        # The safeguarding partners are told too (NOTIFY.PARTNERS): without it the duty's clock
        # stays open and the case stays on the dashboard however far the review goes.
        await stub.RecordNotificationSent(intake_pb2.RecordNotificationSentRequest(
            case_id=created.case_id, duty="NOTIFY.PARTNERS", recipient=intake_pb2.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS,
            sent_date="2024-06-05"), metadata=la, timeout=15)
        updated = (await stub.RecordPanelNotification(
            intake_pb2.RecordPanelNotificationRequest(case_id=created.case_id, reference="PANEL-2024-0607-K", sent_date="2024-06-07"),
            metadata=la, timeout=15)).incident
        console.rule("2. Safeguarding partners informed (2024-06-05), Panel notification recorded (sent 2024-06-07)")
        print_incident(updated, console)
        return updated


async def _full_checklist(case_id: str, timeout: float = 60.0):  # type: ignore[no-untyped-def]
    """The checklist evaluated on the complete collated information."""
    from rapidreview.cli.criteria import _get_checklist
    from rapidreview.v1 import criteria_pb2

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = await _get_checklist(case_id)
            if found.trigger == criteria_pb2.EVALUATION_TRIGGER_INFORMATION_COLLATED and not found.partial:
                return found
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
        await asyncio.sleep(0.3)
    raise TimeoutError(f"no full checklist for {case_id} within {timeout:.0f} s")


async def _example(console: Console) -> str:
    if _running("criteria"):
        await _import_earlier_reviews(console)
    incident = await _intake_steps(console)
    case_id = incident.case_id
    if _running("gathering"):
        from rapidreview.cli.gathering import submit_example_returns

        await submit_example_returns(case_id, EXAMPLES, console)
    if _running("criteria") and _running("gathering"):
        from rapidreview.cli.criteria import example_steps

        await _full_checklist(case_id)
        console.rule("5. Criteria checklist for the Review Advisory Group")
        await example_steps(console, case_id)
    if _running("decisions"):
        try:
            from rapidreview.cli.decisions import example_steps as decision_steps
        except ImportError:
            decision_steps = None
        if decision_steps is not None:
            await decision_steps(console, case_id)
    return case_id


def run_example(console: Console) -> str:
    """Runs every step the running services support; returns the case id."""
    case_id = asyncio.run(_example(console))
    console.rule("Example case complete")
    console.print(f"Case id: [bold]{case_id}[/bold]  (try: rapidreview incident {case_id})")
    return case_id
