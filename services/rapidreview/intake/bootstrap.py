"""Composition root of intake: wires kernel infrastructure, the rule book,
handlers, servicer, consumers and watchers."""

from __future__ import annotations

from rapidreview.access import ACCESS_TABLE
from rapidreview.intake.consumers import consumer_specs
from rapidreview.intake.domain.duty_clocks import DeadlineError, check_deadlines
from rapidreview.intake.handlers import IntakeHandlers
from rapidreview.intake.servicer import IntakeServicer
from rapidreview.intake.storage import metadata
from rapidreview.intake.watchers import ClockWatcher
from rapidreview.kernel.config import ConfigError, Settings
from rapidreview.kernel.runtime import Infrastructure, ServiceParts, build_infrastructure, main
from rapidreview.v1 import intake_pb2_grpc

SERVICE = "intake"
SERVICE_NAMES = ["rapidreview.v1.IntakeService"]


def build(settings: Settings, rulebook=None) -> tuple[Infrastructure, ServiceParts]:  # type: ignore[no-untyped-def]
    if rulebook is None:
        from rapidreview.rules import Rulebook

        rulebook = Rulebook.load_default()
    try:
        check_deadlines(rulebook)
    except DeadlineError as exc:
        raise ConfigError(f"rule files: {exc}") from None
    infra = build_infrastructure(settings, metadata)
    handlers = IntakeHandlers(infra, rulebook)
    parts = ServiceParts(
        service_names=SERVICE_NAMES,
        register=lambda server: intake_pb2_grpc.add_IntakeServiceServicer_to_server(IntakeServicer(handlers), server),
        consumers=consumer_specs(handlers, settings),
        watchers=[ClockWatcher(infra).run],
    )
    return infra, parts


def run() -> None:
    main(SERVICE, build, ACCESS_TABLE)
