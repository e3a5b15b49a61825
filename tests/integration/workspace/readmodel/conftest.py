"""A read model on a real PostgreSQL (a fresh database) and its own nats-server
(so that its durable consumers see only the events of the test)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from rapidreview.kernel.bus import BusOptions, EventBus
from rapidreview.kernel.crypto import FieldCipher, KeyRing
from rapidreview.kernel.db import Database
from rapidreview.stack import NatsServer
from rapidreview.workspace.readmodel import ReadModel, ReadModelConfig, ReadModelRuntime, start_readmodel
from tests.integration.workspace.readmodel.events import CAL


@dataclass
class Running:
    runtime: ReadModelRuntime
    bus: EventBus
    db: Database
    cipher: FieldCipher
    nats: NatsServer

    @property
    def rm(self) -> ReadModel:
        return self.runtime.read_model


def test_config(**overrides) -> ReadModelConfig:
    values = dict(consumer_ack_wait=5.0, consumer_max_deliver=3, consumer_backoff=(0.2, 0.5), reminders=False,
                  durable_suffix=f"-{uuid.uuid4().hex[:6]}")
    values.update(overrides)
    return ReadModelConfig(**values)  # type: ignore[arg-type]


test_config.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


async def start(database_url: str, nats: NatsServer, config: ReadModelConfig | None = None, **kwargs) -> Running:  # noqa: ANN003
    db = Database(database_url)
    bus = EventBus(BusOptions(servers=nats.url, name="test-workspace"))
    await bus.start()
    await bus.wait_connected(15)
    cipher = kwargs.pop("cipher", None) or FieldCipher(KeyRing.generate())
    runtime = await start_readmodel(config or test_config(), db, bus, cipher=cipher, calendar=CAL, **kwargs)
    return Running(runtime, bus, db, cipher, nats)


async def stop(running: Running) -> None:
    await running.runtime.stop()
    await running.bus.close()
    await running.db.dispose()


@pytest.fixture
async def workspace(fresh_database, own_nats):
    running = await start(fresh_database, own_nats)
    yield running
    await stop(running)
