"""Every JetStream stream and durable consumer of Rapid Review, in one place, and their
provisioning by the operators' NATS user.

Where the NATS accounts restrict the services (deploy/nats/accounts.conf), a service may read
its own durables and pull from them but may not create or change any stream or consumer: a
service that could would be able to read every other service's events through a consumer of
its own making, or shorten a stream's retention. So `provision()` (`rapidreview nats
provision`, which the embedded stack runs before it starts the services, and deployments run
as a step before the services, like the migrations) creates or updates them, from the same
declarations and `RR_*` settings the services use; each service then checks that what it
finds is what it expects (kernel/bus.py, kernel/consumer.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nats.js.api import StreamConfig

from rapidreview.kernel.bus import dead_letter_stream_config, ensure_stream, events_stream_config
from rapidreview.kernel.config import Settings, load_settings
from rapidreview.kernel.consumer import ConsumerSpec, provision_durable

SERVICES = ("intake", "gathering", "criteria", "decisions")
#: Every process with durable consumers: the services and the workspace's read model.
CONSUMERS = (*SERVICES, "workspace")

# Provisioning needs each service's consumer *declarations* (names, subjects, redelivery
# policy), not its database: settings are read as the service reads them, with a stand-in URL.
_NO_DATABASE = "postgresql+asyncpg://provisioning.invalid/none"


class _Declaring:
    """Stands in for a service's handlers while its consumers are declared: every handler
    attribute exists, none is ever called."""

    def __getattr__(self, name: str) -> Any:
        async def never(*args: object) -> None:
            raise RuntimeError(f"{name}: consumers are only declared here, never run")

        return never


def service_settings(service: str, env: Mapping[str, str]) -> Settings:
    """`service`'s settings from `env`, as the service itself would read them."""
    return load_settings(service, {"RR_DATABASE_URL": _NO_DATABASE, "RR_NATS_URL": "nats://127.0.0.1:4222", **env})


def _delivery(path):  # type: ignore[no-untyped-def]
    from rapidreview.delivery.config import DeliveryConfig

    return DeliveryConfig.from_file(path) if path is not None else None


def declared_consumers(service: str, env: Mapping[str, str]) -> list[ConsumerSpec]:
    """The durable consumers `service` (or "workspace") runs with the settings in `env`: the
    same specs its bootstrap builds, with stand-ins for the handlers."""
    if service == "workspace":
        return _workspace_consumers(env)
    settings = service_settings(service, env)
    module = importlib.import_module(f"rapidreview.{service}.consumers")
    if service == "gathering":
        from rapidreview.gathering.chases import ChaseHandlers

        # Only the chase consumer's declaration is needed: its ack wait depends on the delivery file.
        chases = _Declaring()
        chases.delivery = _delivery(settings.delivery_config_file)
        chases.consumer_spec = lambda *policy: ChaseHandlers.consumer_spec(chases, *policy)  # type: ignore[arg-type]
        return list(module.consumer_specs(_Declaring(), settings, chases))
    specs: list[ConsumerSpec] = list(module.consumer_specs(_Declaring(), settings))
    if service == "criteria" and settings.delivery_config_file is not None:
        from rapidreview.delivery.handler import delivery_consumer_spec

        specs.append(delivery_consumer_spec(_Declaring().on_summary_ready, _delivery(settings.delivery_config_file), settings))
    return specs


def _workspace_consumers(env: Mapping[str, str]) -> list[ConsumerSpec]:
    from rapidreview.workspace.readmodel.config import ReadModelConfig
    from rapidreview.workspace.readmodel.consumers import consumer_specs
    from rapidreview.workspace.readmodel.projection import Projection
    from rapidreview.workspace.readmodel.reminders import Reminders

    config = ReadModelConfig.from_env(env)
    delivery = _delivery(config.delivery_config_file)
    reminders = Reminders(delivery, None, mailer=_Declaring()) if config.reminders else None  # type: ignore[arg-type]
    return consumer_specs(config, Projection(None, None), reminders, delivery)  # type: ignore[arg-type]


def declared_streams(replicas: int = 1) -> list[StreamConfig]:
    """Every stream: events, dead letters and the audit checkpoints."""
    from rapidreview.decisions.checkpoint_stream import checkpoint_stream_config

    return [events_stream_config(replicas), dead_letter_stream_config(replicas), checkpoint_stream_config(replicas)]


@dataclass(frozen=True)
class Provisioned:
    """One stream or durable and what provisioning did: ok, created or updated."""

    kind: str
    name: str
    result: str
    subjects: tuple[str, ...]


async def provision(js, env: Mapping[str, str], services: tuple[str, ...] = CONSUMERS) -> list[Provisioned]:  # type: ignore[no-untyped-def]
    """Creates or updates every stream and the durables of `services` (idempotent; raises on
    anything JetStream refuses). `env` holds the services' RR_* settings (replicas, redelivery)."""
    replicas = service_settings("intake", env).nats_stream_replicas
    done = []
    for config in declared_streams(replicas):
        done.append(Provisioned("stream", config.name, await ensure_stream(js, config, may_fail=False), tuple(config.subjects or ())))
    for service in services:
        for spec in declared_consumers(service, env):
            done.append(Provisioned(f"durable of {service}", spec.durable, await provision_durable(js, spec),
                                    tuple(spec.subjects())))
    return done
