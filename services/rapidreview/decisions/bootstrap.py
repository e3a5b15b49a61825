"""Composition root of decisions: wires kernel infrastructure, handlers,
servicer, consumers and the clock watcher."""

from __future__ import annotations

from rapidreview.access import ACCESS_TABLE
from rapidreview.decisions.checkpoint_stream import checkpoint_stream_config
from rapidreview.decisions.checkpoints import CheckpointWatcher, load_public_keys, load_signing_key
from rapidreview.decisions.consumers import consumer_specs
from rapidreview.decisions.document_handlers import DocumentHandlers
from rapidreview.decisions.handlers import DecisionHandlers
from rapidreview.decisions.peers import Peers
from rapidreview.decisions.review_handlers import check_deadlines
from rapidreview.decisions.servicer import DecisionServicer
from rapidreview.decisions.storage import metadata
from rapidreview.decisions.watchers import ClockWatcher
from rapidreview.kernel.config import ConfigError, Settings
from rapidreview.rules.parameters import RuleParameters
from rapidreview.kernel.runtime import Infrastructure, ServiceParts, build_infrastructure, main
from rapidreview.v1 import decisions_pb2_grpc

SERVICE = "decisions"
SERVICE_NAMES = ["rapidreview.v1.DecisionService"]


def build(settings: Settings, rules: RuleParameters | None = None) -> tuple[Infrastructure, ServiceParts]:
    # The section 4 deadlines come from the rule files (POST.*); only their parameters are read.
    rules = rules or RuleParameters.load_default()
    try:
        check_deadlines(rules)
    except ValueError as exc:
        raise ConfigError(f"rule files: {exc}") from None
    infra = build_infrastructure(settings, metadata)
    handlers = DecisionHandlers(infra, rules)
    # The report and the figures read intake, gathering and criteria through their APIs.
    peers = Peers(settings)
    documents = DocumentHandlers(infra, peers, rules)
    parts = ServiceParts(
        service_names=SERVICE_NAMES,
        register=lambda server: decisions_pb2_grpc.add_DecisionServiceServicer_to_server(
            DecisionServicer(handlers, documents), server),
        consumers=consumer_specs(handlers, settings),
        watchers=[ClockWatcher(infra).run, peers.run],
    )
    if settings.audit_signing_key_file is not None:
        # Signed checkpoints of every case's chain head, kept outside this database (checkpoints.py).
        key = load_signing_key(settings.audit_signing_key_file)
        public_keys = load_public_keys(settings.audit_public_keys_file) if settings.audit_public_keys_file else {}
        infra.bus.streams.append(checkpoint_stream_config(settings.nats_stream_replicas))
        parts.watchers.append(CheckpointWatcher(infra, key, public_keys, settings.audit_checkpoint_interval).run)
    return infra, parts


def run() -> None:
    main(SERVICE, build, ACCESS_TABLE)
