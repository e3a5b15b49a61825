"""Composition root of gathering: wires kernel infrastructure, partnership
policies, handlers, servicer, consumers and the background watchers."""

from __future__ import annotations

from rapidreview.access import ACCESS_TABLE
from rapidreview.delivery.config import DeliveryConfig
from rapidreview.delivery.contacts import Contacts
from rapidreview.gathering.chases import ChaseHandlers
from rapidreview.gathering.consumers import consumer_specs
from rapidreview.gathering.handlers import GatheringHandlers, check_returns_deadlines
from rapidreview.gathering.partnerships import PartnershipPolicies
from rapidreview.gathering.servicer import GatheringServicer
from rapidreview.gathering.storage import metadata
from rapidreview.gathering.watchers import ReencryptionWatcher, RequestClockWatcher
from rapidreview.kernel.config import ConfigError, Settings
from rapidreview.rules.parameters import RuleParameters
from rapidreview.kernel.runtime import Infrastructure, ServiceParts, build_infrastructure, main
from rapidreview.v1 import gathering_pb2_grpc

SERVICE = "gathering"
SERVICE_NAMES = ["rapidreview.v1.GatheringService"]


def build(settings: Settings, policies: PartnershipPolicies | None = None,
          rules: RuleParameters | None = None) -> tuple[Infrastructure, ServiceParts]:
    # Deadlines come from the rule files (RR.AGENCIES); only their parameters are read here.
    rules = rules or RuleParameters.load_default()
    try:
        check_returns_deadlines(rules)
    except ValueError as exc:
        raise ConfigError(f"rule files: {exc}") from None
    infra = build_infrastructure(settings, metadata)
    handlers = GatheringHandlers(infra, policies or PartnershipPolicies.load(settings.partnership_config_file), rules)
    # Chase e-mails: the agencies' contacts from the partnership configuration, SMTP from the delivery configuration.
    delivery = DeliveryConfig.from_file(settings.delivery_config_file) if settings.delivery_config_file else None
    chases = ChaseHandlers(infra, Contacts.load(settings.partnership_config_file), delivery)
    parts = ServiceParts(
        service_names=SERVICE_NAMES,
        register=lambda server: gathering_pb2_grpc.add_GatheringServiceServicer_to_server(GatheringServicer(handlers, chases), server),
        consumers=consumer_specs(handlers, settings, chases),
        watchers=[RequestClockWatcher(infra).run, ReencryptionWatcher(infra).run],
    )
    return infra, parts


def run() -> None:
    main(SERVICE, build, ACCESS_TABLE)
