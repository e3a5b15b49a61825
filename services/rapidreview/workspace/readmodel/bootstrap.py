"""Composition root of the read model, for the workspace process:

    runtime = await start_readmodel(ReadModelConfig.from_env(), db, bus)
    ...  runtime.read_model.cases(...)
    await runtime.stop()

`db` is the workspace's kernel Database, `nats` its EventBus (started here if
it was not). Both stay the caller's: stop() ends the consumers only.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from rapidreview.delivery.config import DeliveryConfig
from rapidreview.delivery.contacts import Contacts
from rapidreview.delivery.mailer import Mailer
from rapidreview.kernel.bus import EventBus
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.consumer import EventConsumer
from rapidreview.kernel.crypto import FieldCipher, KeyRing
from rapidreview.kernel.db import Database
from rapidreview.kernel.logging import get_logger
from rapidreview.kernel.migrations import upgrade_async
from rapidreview.workspace.readmodel import storage
from rapidreview.workspace.readmodel.config import SERVICE, ReadModelConfig
from rapidreview.workspace.readmodel.consumers import consumer_specs
from rapidreview.workspace.readmodel.projection import Projection
from rapidreview.workspace.readmodel.queries import ReadModel
from rapidreview.workspace.readmodel.reminders import Reminders

log = get_logger(__name__)

#: The package whose migrations/ hold the `workspace` schema (kernel.migrations finds them by this name).
MIGRATIONS = "workspace.readmodel"


@dataclass
class ReadModelRuntime:
    """The running read model: its queries, consumers and the changes they made."""

    read_model: ReadModel
    consumers: list[EventConsumer]
    reminders: Reminders | None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    #: Incremented after every committed event (server-sent events can wait on it).
    version: int = 0

    def _after_commit(self) -> None:
        self.version += 1
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for_change(self, since: int, timeout: float) -> int:
        """Waits until an event committed after `version` `since` (or `timeout` seconds); returns the version."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: self.version != since), timeout)
            except TimeoutError:
                pass
        return self.version

    @property
    def processed(self) -> int:
        return sum(c.processed for c in self.consumers)

    @property
    def dead_lettered(self) -> int:
        return sum(c.dead_lettered for c in self.consumers)

    async def stop(self) -> None:
        """Stops the consumers (an event in progress is redelivered later: nothing is lost)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()


async def start_readmodel(config: ReadModelConfig, db: Database, nats: EventBus, *, cipher: FieldCipher | None = None,
                          calendar: WorkingDayCalendar | None = None, mailer: Mailer | None = None) -> ReadModelRuntime:
    """Applies the `workspace` schema's migrations (unless RR_MIGRATE_ON_START=false),
    starts the durable consumers and returns the runtime. Configuration errors
    (key ring, delivery or partnership files) raise before anything starts."""
    if cipher is None:
        if config.encryption_keys_file is None:
            raise RuntimeError("RR_ENCRYPTION_KEYS_FILE: required (the child reference is encrypted at rest)")
        cipher = FieldCipher(KeyRing.from_file(config.encryption_keys_file))
    calendar = calendar or WorkingDayCalendar()
    delivery = DeliveryConfig.from_file(config.delivery_config_file) if config.delivery_config_file else None
    contacts = Contacts.load(config.partnership_config_file)
    if config.migrate_on_start:
        await upgrade_async(MIGRATIONS, db.engine.url.render_as_string(hide_password=False))
    projection = Projection(cipher, calendar)
    reminders = Reminders(delivery, contacts, link_template=config.reminder_link_template, mailer=mailer) if config.reminders else None
    runtime = ReadModelRuntime(ReadModel(db, cipher, calendar, due_soon_working_days=config.due_soon_working_days), [], reminders)
    runtime.consumers = [
        EventConsumer(spec, bus=nats, db=db, inbox=storage.inbox, service=SERVICE, after_commit=runtime._after_commit)
        for spec in consumer_specs(config, projection, reminders, delivery)
    ]
    if nats.nc is None and getattr(nats, "_task", None) is None:
        await nats.start()
    runtime._tasks = [asyncio.create_task(c.run(), name=f"consumer-{c.spec.durable}") for c in runtime.consumers]
    log.info("read model started", consumers=len(runtime.consumers), reminders=reminders is not None,
             delivery=delivery is not None)
    return runtime
