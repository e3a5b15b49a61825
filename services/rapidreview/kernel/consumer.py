"""Durable, explicitly provisioned JetStream pull consumers with an inbox.

For each message: decode the envelope (garbage -> dead letter at once); if its
type or schema version is unknown -> dead letter; otherwise, in ONE database
transaction, record the event id in the inbox and run the handler (a
redelivered event finds its id there and does nothing), commit, then ack. A
handler failure is retried with the consumer's backoff; after the configured
deliveries the event goes to the dead-letter stream with the reason.

A consumer whose spec allows it (`transaction_batch` > 1: the services' own
consumers, whose handlers only write to the database) handles the events of a
fetch several to a transaction (`handle_batch`); if anything in such a group
fails, its transaction is rolled back and its events go through the path above
one by one, so retries, dead letters and exactly-once effects are unchanged.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from google.protobuf import message as pb_message
from google.protobuf import timestamp_pb2
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import APIError, NotFoundError
from sqlalchemy import Column, DateTime, MetaData, String, Table, TextClause, bindparam, func, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql import Executable

from rapidreview.kernel import metrics
from rapidreview.kernel.bus import FORBIDDEN_WAIT, EventBus, ProvisioningNeeded
from rapidreview.kernel.db import Database, Transaction
from rapidreview.kernel.events import DLQ_PREFIX, EVENTS_STREAM, EventRef, UndecodableEvent, decode_envelope, unpack
from rapidreview.kernel.logging import bind_context, get_logger
from rapidreview.v1 import events_pb2

log = get_logger(__name__)

#: Events per transaction for the services' consumers whose handlers only write to the database.
EVENTS_PER_TRANSACTION = 16

Handler = Callable[[Transaction, EventRef, pb_message.Message], Awaitable[None]]

_DURABLE_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")


class PermanentEventError(Exception):
    """The event can never be processed (e.g. it contradicts stored state):
    dead-letter it at once with this message as the reason."""


class RetryableEventError(Exception):
    """The event cannot be processed yet (e.g. its case is not known yet):
    retry with backoff, dead-letter after the last delivery."""


def inbox_table(metadata: MetaData) -> Table:
    """The inbox of processed event ids, per consumer, in the service's schema."""
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


@dataclass(frozen=True)
class Route:
    """How to handle one event type: its payload class, supported schema versions, handler.

    `wanted`, when given, tells from the payload alone whether the handler could change
    anything: an event it answers False for is acknowledged without a transaction (no inbox
    row, no handler; a redelivered copy is answered False again). Only for events whose
    every effect this service also gets from another event it consumes."""

    payload_type: type[pb_message.Message]
    handler: Handler
    schema_versions: frozenset[int] = frozenset({1})
    wanted: Callable[[pb_message.Message], bool] | None = None

    def needs(self, payload: pb_message.Message) -> bool:
        return self.wanted is None or self.wanted(payload)


@dataclass
class ConsumerSpec:
    """A durable consumer: name, the event types it handles and its redelivery policy."""

    durable: str
    routes: dict[str, Route]
    ack_wait: float = 30.0
    max_deliver: int = 5
    backoff: tuple[float, ...] = (1.0, 5.0, 15.0, 30.0)
    batch: int = 32
    #: Up to this many fetched events are handled in one transaction (see EventConsumer.handle_batch).
    #: Only for handlers whose every effect is in the database: 1 for a handler that sends mail.
    transaction_batch: int = 1
    max_ack_pending: int = 1000
    filter_subjects: list[str] = field(default_factory=list)
    #: Durables this one took the place of (their events now come here). An event one of them
    #: recorded in the inbox counts as handled, and provisioning (`provision_durable`) starts this
    #: durable where the least advanced of them stopped, then deletes them.
    replaces: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in (self.durable, *self.replaces):
            if not _DURABLE_NAME.fullmatch(name):
                raise ValueError(f"durable name {name!r}: letters, digits, '-' and '_' only")

    def subjects(self) -> list[str]:
        from rapidreview.kernel.events import SUBJECT_PREFIX

        if self.filter_subjects:
            return self.filter_subjects
        return sorted({f"{SUBJECT_PREFIX}.{event_type}" + (".*" if event_type.startswith("deadline.") else "") for event_type in self.routes})

    def config(self) -> ConsumerConfig:
        # Backoff must have fewer entries than max_deliver; JetStream refuses otherwise.
        backoff = list(self.backoff[: max(self.max_deliver - 1, 0)]) or None
        return ConsumerConfig(
            durable_name=self.durable,
            filter_subjects=self.subjects(),
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait,
            max_deliver=self.max_deliver,
            backoff=backoff,
            max_ack_pending=self.max_ack_pending,
        )


def _inbox_statements_after(inbox: Table, replaces: tuple[str, ...]) -> tuple[TextClause, TextClause]:
    """The inbox INSERTs of a durable that replaces `replaces`: one event, and a group's ids as
    an array. An id is new only when neither this durable nor any it replaces recorded it."""
    table = f'"{inbox.schema}".inbox' if inbox.schema else "inbox"
    earlier = ", ".join(f"'{name}'" for name in replaces)  # checked names (ConsumerSpec)
    one = text(
        f"INSERT INTO {table} (consumer, event_id) SELECT CAST(:inbox_consumer AS varchar), CAST(:inbox_event_id AS varchar) "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE consumer IN ({earlier}) AND event_id = CAST(:inbox_event_id AS varchar)) "
        "ON CONFLICT DO NOTHING RETURNING event_id"
    )
    many = text(
        f"INSERT INTO {table} (consumer, event_id) SELECT CAST(:inbox_consumer AS varchar), fresh.id "
        "FROM unnest(CAST(:inbox_event_ids AS varchar[])) AS fresh(id) "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS earlier WHERE earlier.consumer IN ({earlier}) AND earlier.event_id = fresh.id) "
        "ON CONFLICT DO NOTHING RETURNING event_id"
    )
    return one, many


def consumer_differences(actual: ConsumerConfig, wanted: ConsumerConfig) -> list[str]:
    """The settings of `wanted` the durable as configured (`actual`) does not have."""
    def seconds(value: object) -> float:
        return round(float(value or 0), 3)

    checks = {
        "filter_subjects": (sorted(actual.filter_subjects or ([actual.filter_subject] if actual.filter_subject else [])),
                            sorted(wanted.filter_subjects or [])),
        # With a backoff JetStream keeps the first delay as the ack wait, whatever was asked.
        "ack_wait": (seconds(actual.ack_wait), seconds(wanted.backoff[0] if wanted.backoff else wanted.ack_wait)),
        "max_deliver": (actual.max_deliver, wanted.max_deliver),
        "backoff": ([seconds(b) for b in actual.backoff or []], [seconds(b) for b in wanted.backoff or []]),
        "max_ack_pending": (actual.max_ack_pending, wanted.max_ack_pending),
    }
    return [name for name, (have, want) in checks.items() if have != want]


async def ensure_consumer(js, config: ConsumerConfig, *, may_fail: bool = True) -> str:  # type: ignore[no-untyped-def]
    """Creates or updates a durable of RR_EVENTS only when it is missing or different (a
    service's NATS user may read its own durables but not create or change them, where the
    accounts restrict it; see kernel/bus.py). Returns "ok", "created", "updated" or
    "different" (used as it is, with a warning). A missing durable this user may not create
    raises ProvisioningNeeded. `may_fail=False` (the operator's provisioning) raises instead."""
    wait = FORBIDDEN_WAIT if may_fail else 30.0
    try:
        info = await js.consumer_info(EVENTS_STREAM, config.durable_name)
    except NotFoundError:
        try:
            await js.add_consumer(EVENTS_STREAM, config, timeout=wait)
        except (NatsTimeoutError, TimeoutError) as exc:
            if not may_fail:
                raise
            raise ProvisioningNeeded(f"durable {config.durable_name} does not exist and this NATS user may not create it; "
                                     "run `rapidreview nats provision` as the operators' user") from exc
        return "created"
    differences = consumer_differences(info.config, config)
    if not differences:
        return "ok"
    try:
        await js.add_consumer(EVENTS_STREAM, config, timeout=wait)
    except (NatsTimeoutError, TimeoutError, APIError):
        if not may_fail:
            raise
        log.warning("durable differs from this service's settings and may not be changed by it; using it as it is",
                    consumer=config.durable_name, fields=differences)
        return "different"
    return "updated"


async def provision_durable(js, spec: ConsumerSpec) -> str:  # type: ignore[no-untyped-def]
    """The operators' provisioning of `spec`'s durable (`ensure_consumer`, refusals raised). A
    durable that replaces others (`ConsumerSpec.replaces`) and does not exist yet takes over from
    those that do: it starts after the last event every one of them had finished with, and they
    are deleted, so no event is handled by both and none after the take-over is missed (an event
    they had handled out of order is redelivered here and skipped by the inbox)."""
    if not spec.replaces:
        return await ensure_consumer(js, spec.config(), may_fail=False)
    config = spec.config()
    last = (await js.stream_info(EVENTS_STREAM)).state.last_seq  # before the durables are read
    earlier = []
    for name in spec.replaces:
        try:
            earlier.append(await js.consumer_info(EVENTS_STREAM, name))
        except NotFoundError:
            continue
    try:
        await js.consumer_info(EVENTS_STREAM, spec.durable)
    except NotFoundError:
        if earlier:
            config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
            config.opt_start_seq = min(_finished_up_to(info, last) for info in earlier) + 1
    result = await ensure_consumer(js, config, may_fail=False)
    for info in earlier:
        await js.delete_consumer(EVENTS_STREAM, info.name)
        log.info("durable replaced", consumer=info.name, by=spec.durable, start=config.opt_start_seq)
    return f"{result}, took over from {', '.join(info.name for info in earlier)}" if earlier else result


def _finished_up_to(info, last: int) -> int:  # type: ignore[no-untyped-def]
    """The stream sequence up to which durable `info` had finished with every event: its ack
    floor, or `last` (the stream's last sequence read before `info`) when nothing was pending."""
    if not info.num_pending and not info.num_ack_pending:
        return last
    return info.ack_floor.stream_seq if info.ack_floor else 0


def _occurred_at(envelope: events_pb2.EventEnvelope) -> dt.datetime | None:
    """The envelope's occurred_at as an aware UTC datetime; None when absent or out of range
    (a projection then treats the event as older than any it has seen)."""
    if not envelope.HasField("occurred_at"):
        return None
    try:
        return envelope.occurred_at.ToDatetime(dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None


@dataclass(frozen=True)
class _Decoded:
    """A fetched message whose event is ready for its handler."""

    msg: Msg
    envelope: events_pb2.EventEnvelope
    route: Route
    payload: pb_message.Message
    ref: EventRef


class EventConsumer:
    """Runs one durable pull consumer until cancelled. Several replicas may run
    the same durable: JetStream hands each message to one of them."""

    def __init__(
        self,
        spec: ConsumerSpec,
        *,
        bus: EventBus,
        db: Database,
        inbox: Table,
        service: str,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        self.spec = spec
        self.bus = bus
        self.db = db
        self.inbox = inbox
        self.service = service
        self.after_commit = after_commit or (lambda: None)
        self.processed = 0
        self.dead_lettered = 0
        # JetStream redelivers a message not acknowledged within the ack wait, which with a
        # backoff is its first delay (1 s by default), counted from delivery. The messages of
        # one fetch wait for those before them, so they are told "in progress" (which restarts
        # their timer) once half of it has passed: no copy of an event is redelivered while
        # this consumer is still working through the fetch.
        delays = self.spec.backoff[: max(self.spec.max_deliver - 1, 0)]
        self._hold_after = (delays[0] if delays else self.spec.ack_wait) / 2
        self._fetched_at = 0.0
        self._beats: set[asyncio.Task[None]] = set()  # in-progress messages being sent (kept from collection)
        # Built once: every message runs it.
        self._record_in_inbox: Executable = (
            insert(inbox)
            .values(consumer=bindparam("inbox_consumer"), event_id=bindparam("inbox_event_id"))
            .on_conflict_do_nothing()
            .returning(inbox.c.event_id)
        )
        # Several events' ids in one statement (a group of handle_batch): executed with a list of
        # parameters, it is one multi-row INSERT whose RETURNING names the ids that were new.
        self._record_many_in_inbox = (
            insert(inbox)
            .values(consumer=bindparam("inbox_consumer"), event_id=bindparam("inbox_event_id"))
            .on_conflict_do_nothing()
            .returning(inbox.c.event_id)
        )
        # A durable that replaces others: an id one of them recorded counts as recorded (same
        # one statement; the group's ids go as one array).
        self._record_many_after_replaced: TextClause | None = None
        if spec.replaces:
            self._record_in_inbox, self._record_many_after_replaced = _inbox_statements_after(inbox, spec.replaces)

    async def provision(self) -> None:
        """Makes sure the durable consumer exists with its explicit settings (`ensure_consumer`)."""
        assert self.bus.js is not None
        await ensure_consumer(self.bus.js, self.spec.config())

    async def run(self) -> None:
        while True:
            try:
                await self.bus.wait_connected()
                await self.provision()
                sub = await self.bus.js.pull_subscribe_bind(durable=self.spec.durable, stream=EVENTS_STREAM)
                while True:
                    if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                        raise asyncio.CancelledError  # nats-py's fetch can swallow a cancellation: stop anyway
                    try:
                        msgs = await sub.fetch(self.spec.batch, timeout=1.0)
                    except (NatsTimeoutError, TimeoutError):
                        continue
                    self._fetched_at = time.monotonic()
                    if self.spec.transaction_batch > 1 and len(msgs) > 1:
                        await self.handle_batch(msgs)
                    else:
                        for i, msg in enumerate(msgs):
                            await self._keep_in_progress(msgs[i:])
                            await self.handle(msg, waiting=msgs[i + 1 :])
            except asyncio.CancelledError:
                raise
            except ProvisioningNeeded as exc:
                log.error("consumer not provisioned; retrying", consumer=self.spec.durable, cause=str(exc))
                await asyncio.sleep(5.0)
            except Exception as exc:  # noqa: BLE001 - connection trouble: re-bind and go on
                log.warning("consumer loop restarting", consumer=self.spec.durable, exc_type=type(exc).__name__)
                await asyncio.sleep(0.5)

    def _decode(self, msg: Msg) -> _Decoded | None:
        """The event of `msg` ready for its handler, or None when it must go to the dead letters."""
        try:
            envelope = decode_envelope(msg.data)
        except UndecodableEvent:
            return None
        route = self.spec.routes.get(envelope.event_type)
        if route is None or envelope.schema_version not in route.schema_versions:
            return None
        try:
            payload = unpack(envelope, route.payload_type)
        except UndecodableEvent:
            return None
        ref = EventRef(
            event_id=envelope.event_id,
            event_type=envelope.event_type,
            case_id=envelope.case_id,
            correlation_id=envelope.correlation_id,
            partnership=envelope.partnership,
            occurred_at=_occurred_at(envelope),
        )
        return _Decoded(msg, envelope, route, payload, ref)

    async def handle_batch(self, msgs: Sequence[Msg]) -> None:
        """Processes fetched messages several to a transaction: one INSERT records all their
        event ids in the inbox, each new one's handler runs in turn, one COMMIT, then every
        message is acked. Anything a message needs other than its handler (a dead letter, a
        retry) and any failure of a group sends that group's messages one by one through
        `handle`, which then behaves exactly as if there had been no group: the group's
        transaction was rolled back, so nothing of it stays, and its inbox rows with it."""
        index = 0
        while index < len(msgs):
            await self._keep_in_progress(msgs[index:])
            group: list[_Decoded] = []
            while index < len(msgs) and len(group) < self.spec.transaction_batch:
                decoded = self._decode(msgs[index])
                if decoded is None:
                    break
                index += 1
                if not decoded.route.needs(decoded.payload):
                    await self._not_needed(decoded.msg)
                    continue
                group.append(decoded)
            if not (len(group) > 1 and await self._handle_group(group, msgs[index:])):
                for i, item in enumerate(group):
                    await self.handle(item.msg, waiting=[g.msg for g in group[i + 1 :]] + list(msgs[index:]))
            if index < len(msgs) and len(group) < self.spec.transaction_batch:
                await self.handle(msgs[index], waiting=msgs[index + 1 :])  # the one that broke the group
                index += 1

    @contextmanager
    def _held_while_handled(self, held: Sequence[Msg]) -> Iterator[None]:
        """While the block runs (a handler's transaction), tells NATS every half ack wait that
        `held` (the messages being handled and those waiting behind them) are in progress. A
        handler slower than the ack wait (1 s with the default backoff: an e-mail sent, a large
        collation) is otherwise redelivered while it still runs, to another replica, whose
        copy waits on this one's uncommitted inbox row, or which sends the e-mail again at
        once if this attempt fails, spending deliveries. A timer, not a task: nothing is
        started for the handlers that finish in time, which are nearly all."""
        loop = asyncio.get_running_loop()
        timer: asyncio.TimerHandle | None = None

        def beat() -> None:
            nonlocal timer
            self._fetched_at = time.monotonic()
            self._beats.add(loop.create_task(self._tell_in_progress(held)))
            timer = loop.call_later(self._hold_after, beat)

        timer = loop.call_later(self._hold_after, beat)
        try:
            yield
        finally:
            timer.cancel()

    async def _tell_in_progress(self, held: Sequence[Msg]) -> None:
        try:
            for msg in held:
                await msg.in_progress()
        except Exception:  # noqa: BLE001 - NATS away: it redelivers later, the inbox skips the copy
            return
        finally:
            self._beats.discard(asyncio.current_task())  # type: ignore[arg-type]
        metrics.EVENTS_HELD.labels(self.service, self.spec.durable).inc(len(held))

    async def _keep_in_progress(self, remaining: Sequence[Msg]) -> None:
        """Tells NATS the fetched messages not yet acknowledged are in progress, once half of
        their ack wait has passed since the fetch (or since the last time): they are not
        redelivered to this or another replica while they wait their turn here."""
        now = time.monotonic()
        if now - self._fetched_at < self._hold_after:
            return
        self._fetched_at = now
        for msg in remaining:
            try:
                await msg.in_progress()
            except Exception:  # noqa: BLE001 - NATS away: it redelivers later, the inbox skips the copy
                return
        metrics.EVENTS_HELD.labels(self.service, self.spec.durable).inc(len(remaining))

    async def _handle_group(self, group: Sequence[_Decoded], waiting: Sequence[Msg] = ()) -> bool:
        """Inbox and handlers of `group` in one transaction, then the acks: True when done;
        False (nothing stored, nothing acked) when any of it failed."""
        try:
            with self._held_while_handled([*(item.msg for item in group), *waiting]):
                async with self.db.transaction() as session:
                    if self._record_many_after_replaced is not None:
                        inserted = await session.execute(self._record_many_after_replaced, {
                            "inbox_consumer": self.spec.durable, "inbox_event_ids": [item.envelope.event_id for item in group]})
                    else:
                        inserted = await session.execute(
                            self._record_many_in_inbox, [{"inbox_consumer": self.spec.durable, "inbox_event_id": item.envelope.event_id}
                                                         for item in group]
                        )
                    new = {row[0] for row in inserted}
                    already_handled = 0
                    for item in group:
                        if item.envelope.event_id not in new:
                            already_handled += 1
                            continue  # handled before (a redelivery), or twice in this group
                        new.discard(item.envelope.event_id)
                        with bind_context(event_id=item.envelope.event_id, case_id=item.envelope.case_id, consumer=self.spec.durable):
                            await item.route.handler(session, item.ref, item.payload)
        except Exception as exc:  # noqa: BLE001 - one by one, each with its own retry or dead letter
            log.info("events handled one by one after a group failed", consumer=self.spec.durable, events=len(group),
                     exc_type=type(exc).__name__)
            return False
        self.after_commit()
        for item in group:
            await item.msg.ack()
            self.processed += 1
            metrics.EVENTS_CONSUMED.labels(self.service, self.spec.durable).inc()
        if already_handled:
            metrics.EVENTS_ALREADY_HANDLED.labels(self.service, self.spec.durable).inc(already_handled)
        return True

    async def handle(self, msg: Msg, waiting: Sequence[Msg] = ()) -> None:
        """Processes one message: inbox + handler in one transaction, then ack.
        `waiting`: the rest of the fetched batch, kept from redelivery while the database is away."""
        deliveries = msg.metadata.num_delivered if msg.metadata else 1
        try:
            envelope = decode_envelope(msg.data)
        except UndecodableEvent as exc:
            await self._dead_letter(msg, str(exc), deliveries, None)
            return
        route = self.spec.routes.get(envelope.event_type)
        with bind_context(event_id=envelope.event_id, case_id=envelope.case_id, consumer=self.spec.durable):
            if route is None:
                await self._dead_letter(msg, f"unknown event type {envelope.event_type}", deliveries, envelope)
                return
            if envelope.schema_version not in route.schema_versions:
                await self._dead_letter(msg, f"unknown schema version {envelope.schema_version}", deliveries, envelope)
                return
            try:
                payload = unpack(envelope, route.payload_type)
            except UndecodableEvent as exc:
                await self._dead_letter(msg, str(exc), deliveries, envelope)
                return
            ref = EventRef(
                event_id=envelope.event_id,
                event_type=envelope.event_type,
                case_id=envelope.case_id,
                correlation_id=envelope.correlation_id,
                partnership=envelope.partnership,
                occurred_at=_occurred_at(envelope),
            )
            if not route.needs(payload):
                await self._not_needed(msg)
                return
            while True:
                try:
                    with self._held_while_handled([msg, *waiting]):
                        async with self.db.transaction() as session:
                            inserted = await session.execute(
                                self._record_in_inbox, {"inbox_consumer": self.spec.durable, "inbox_event_id": envelope.event_id}
                            )
                            already_handled = inserted.first() is None
                            if not already_handled:
                                await route.handler(session, ref, payload)
                except PermanentEventError as exc:
                    await self._dead_letter(msg, str(exc), deliveries, envelope)
                    return
                except Exception as exc:  # noqa: BLE001 - retry, then dead-letter
                    if not isinstance(exc, RetryableEventError) and await self._outlive_database_outage([msg, *waiting]):
                        continue  # the database is back: the same delivery again, none spent on the outage
                    await self._retry_later(msg, exc, deliveries, envelope)
                    return
                break
            self.after_commit()
            await msg.ack()
            self.processed += 1
            metrics.EVENTS_CONSUMED.labels(self.service, self.spec.durable).inc()
            if already_handled:
                metrics.EVENTS_ALREADY_HANDLED.labels(self.service, self.spec.durable).inc()

    async def _not_needed(self, msg: Msg) -> None:
        """Acknowledges an event its route does not want (`Route.wanted`): nothing to store."""
        await msg.ack()
        self.processed += 1
        metrics.EVENTS_CONSUMED.labels(self.service, self.spec.durable).inc()
        metrics.EVENTS_NOT_NEEDED.labels(self.service, self.spec.durable).inc()

    async def _retry_later(self, msg: Msg, exc: Exception, deliveries: int, envelope: events_pb2.EventEnvelope) -> None:
        """Redelivery with the consumer's backoff; dead letter after the last delivery."""
        reason = str(exc) if isinstance(exc, RetryableEventError) else f"handler failed: {type(exc).__name__}"
        if deliveries >= self.spec.max_deliver:
            await self._dead_letter(msg, reason, deliveries, envelope)
        else:
            log.warning("event processing failed; will retry", cause=reason, deliveries=deliveries)
            metrics.EVENTS_RETRIED.labels(self.service, self.spec.durable).inc()
            delay = self.spec.backoff[min(deliveries - 1, len(self.spec.backoff) - 1)] if self.spec.backoff else None
            await msg.nak(delay=delay)

    async def _outlive_database_outage(self, held: Sequence[Msg]) -> bool:
        """When the database does not answer, the failure is not the event's: waits until it
        does (telling NATS the held messages are in progress, so none is redelivered and no
        delivery is spent) and returns True. Returns False at once when the database answers,
        so the failure counts against the event as usual. An outage longer than the whole
        redelivery budget used to dead-letter every event in flight."""
        if await self.db.ping():
            return False
        log.warning("database unavailable; holding events until it answers", consumer=self.spec.durable, held=len(held))
        interval = max(min(self.spec.ack_wait / 3, 5.0), 0.2)
        while True:
            for held_msg in held:
                try:
                    await held_msg.in_progress()
                except Exception:  # noqa: BLE001 - NATS away too: it redelivers later, nothing lost
                    pass
            await asyncio.sleep(interval)
            if await self.db.ping():
                return True

    async def _dead_letter(self, msg: Msg, reason: str, deliveries: int, envelope: events_pb2.EventEnvelope | None) -> None:
        assert self.bus.js is not None
        ts = timestamp_pb2.Timestamp()
        ts.FromDatetime(dt.datetime.now(dt.UTC))
        letter = events_pb2.DeadLetter(
            original_subject=msg.subject,
            consumer=self.spec.durable,
            reason=reason,
            deliveries=deliveries,
            original_data=msg.data,
            dead_lettered_at=ts,
            event_id=envelope.event_id if envelope else "",
        )
        seq = msg.metadata.sequence.stream if msg.metadata else 0
        await self.bus.js.publish(
            f"{DLQ_PREFIX}.{self.service}.{self.spec.durable}",
            letter.SerializeToString(),
            headers={"Nats-Msg-Id": f"dlq:{self.spec.durable}:{seq}"},
        )
        await msg.term()
        self.dead_lettered += 1
        metrics.EVENTS_DEAD_LETTERED.labels(self.service, self.spec.durable).inc()
        log.warning("event dead-lettered", cause=reason, deliveries=deliveries)
