"""The README's example case (Child K, fictional), pushed through the running stack."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from google.protobuf import json_format
from rich.console import Console

from rapidreview.cli.client import channel, metadata
from rapidreview.cli.intake import print_incident
from rapidreview.kernel.auth import Role
from rapidreview.v1 import intake_pb2, intake_pb2_grpc

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


def examples_dir() -> Path:
    return EXAMPLES


async def _intake_steps(console: Console) -> intake_pb2.Incident:
    request = json_format.Parse((EXAMPLES / "notification.json").read_text(), intake_pb2.NotifyIncidentRequest())
    request.idempotency_key = f"example-{uuid.uuid4()}"
    async with channel("intake") as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        la = metadata(Role.NOTIFYING_LA)
        created = (await stub.NotifyIncident(request, metadata=la, timeout=15)).incident
        console.rule("1. Notification recorded")
        print_incident(created, console)
        updated = (await stub.RecordPanelNotification(
            intake_pb2.RecordPanelNotificationRequest(case_id=created.case_id, reference="PANEL-2024-0607-K", sent_date="2024-06-07"),
            metadata=la, timeout=15)).incident
        console.rule("2. Panel notification recorded (sent 2024-06-07)")
        print_incident(updated, console)
        return updated


def run_example(console: Console) -> str:
    """Runs every step the installed services support; returns the case id."""
    incident = asyncio.run(_intake_steps(console))
    return incident.case_id
