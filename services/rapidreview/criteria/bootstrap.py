"""Composition root of criteria: wires kernel infrastructure, the rule book,
the evaluator, the API and event handlers, servicer, consumers and the
rule-book watcher."""

from __future__ import annotations

from pathlib import Path

from rapidreview.access import ACCESS_TABLE
from rapidreview.criteria.consumers import consumer_specs
from rapidreview.criteria.evaluator import CaseEvaluator
from rapidreview.criteria.event_handlers import CaseEventHandlers
from rapidreview.criteria.handlers import CriteriaHandlers
from rapidreview.criteria.servicer import CriteriaServicer
from rapidreview.criteria import storage
from rapidreview.criteria.storage import metadata
from rapidreview.delivery.config import DeliveryConfig
from rapidreview.delivery.handler import delivery_consumer_spec, make_on_summary_ready
from rapidreview.criteria.domain import national_themes
from rapidreview.criteria.watchers import NationalThemesWatcher, RulebookWatcher
from rapidreview.kernel.config import ConfigError, Settings
from rapidreview.kernel.runtime import Infrastructure, ServiceParts, build_infrastructure, main
from rapidreview.v1 import criteria_pb2_grpc

SERVICE = "criteria"
SERVICE_NAMES = ["rapidreview.v1.CriteriaService"]


def build(settings: Settings, rulebook=None) -> tuple[Infrastructure, ServiceParts]:  # type: ignore[no-untyped-def]
    if rulebook is None:
        from rapidreview.rules import Rulebook

        rulebook = Rulebook.load_default()
    infra = build_infrastructure(settings, metadata)
    evaluator = CaseEvaluator(infra, rulebook)
    watchers = [RulebookWatcher(rulebook).run]
    themes_file = national_themes_file(settings)
    if themes_file is not None:
        vocabulary = rulebook.themes(rulebook.editions[-1])
        try:
            evaluator.national_themes = national_themes.load(themes_file, vocabulary)
        except national_themes.NationalThemesError as exc:
            raise ConfigError(f"RR_NATIONAL_THEMES_FILE: {exc}") from None
        watchers.append(NationalThemesWatcher(infra, evaluator, themes_file, vocabulary).run)
    handlers = CriteriaHandlers(infra, evaluator)
    parts = ServiceParts(
        service_names=SERVICE_NAMES,
        register=lambda server: criteria_pb2_grpc.add_CriteriaServiceServicer_to_server(CriteriaServicer(handlers), server),
        consumers=consumer_specs(CaseEventHandlers(evaluator), settings),
        watchers=watchers,
    )
    # Advisory-group delivery: summary.ready e-mailed to the partnership's recipients
    # when RR_DELIVERY_CONFIG_FILE is set.
    if settings.delivery_config_file is not None:
        delivery_config = DeliveryConfig.from_file(settings.delivery_config_file)
        handler = make_on_summary_ready(delivery_config, storage.delivery, handlers.render_document)
        parts.consumers.append(delivery_consumer_spec(handler, delivery_config, settings))
    return infra, parts


def national_themes_file(settings: Settings) -> Path | None:
    """The national themes list file: RR_NATIONAL_THEMES_FILE, the shipped list
    when empty, none when "none"."""
    value = settings.national_themes_file.strip()
    if value.lower() == "none":
        return None
    return Path(value) if value else national_themes.DEFAULT_FILE


def run() -> None:
    main(SERVICE, build, ACCESS_TABLE)
