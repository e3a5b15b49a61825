"""Transactional outbox and its relay.

A state change and the events it causes are written in one transaction
(`Outbox.add`). The relay publishes unpublished rows in order with
`Nats-Msg-Id` = event id (JetStream de-duplicates a republish) and marks them
published. If NATS is down the rows wait; nothing is lost, nothing doubled.

A row that can never be published (larger than the server or the stream takes,
a subject or event id that cannot travel) must not hold up the rows behind it:
the relay parks it (`parked_at`, `park_reason`; the row and its bytes stay in
the table for an operator), counts it, logs it at ERROR, calls the alert hook,
and goes on. `Outbox.add` refuses such an event in the first place, so a command
that would produce one stores nothing.

**Published on commit** (`Outbox(publish_on_commit=True)`, as the services run it): the
rows a transaction added are handed to the relay in memory once it has committed
(`kernel.db.on_commit`), and the relay publishes them at once, without a transaction to claim
them. It marks what JetStream acknowledged published in one statement with its next sweep
(every `poll_interval`), and the sweep claims, as before, the unpublished rows older than
`sweep_after` seconds: those whose publishing failed, or whose process stopped before it or
before the mark. Such a row may be published twice; JetStream drops the second copy
(`Nats-Msg-Id`, within the stream's duplicate window) and every consumer's inbox would too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass

import nats.errors
from nats.js.errors import APIError
from sqlalchemy import (
    BigInteger, Column, DateTime, Interval, LargeBinary, MetaData, String, Table, any_, bindparam, case, cast, column, func, null,
    select, update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.dml import Insert

from rapidreview.kernel import metrics
from rapidreview.kernel.bus import MAX_EVENT_BYTES, EventBus
from rapidreview.kernel.db import Database, Transaction, on_commit
from rapidreview.kernel.errors import ResourceExhausted
from rapidreview.kernel.events import SUBJECT_PREFIX, subject_for
from rapidreview.kernel.logging import get_logger
from rapidreview.v1 import events_pb2

log = get_logger(__name__)

#: A subject the relay may publish: tokens of printable ASCII without spaces or wildcards, under rr.v1.
_SUBJECT = re.compile(r"^" + re.escape(SUBJECT_PREFIX) + r"(\.[!-)+-=?-~]+)+\Z")
#: An event id that can travel in the Nats-Msg-Id header (event ids are UUIDs).
_EVENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}\Z")
#: JetStream's error code for a message over the stream's maximum message size.
_STREAM_MESSAGE_TOO_LARGE = 10054


#: The most committed rows an outbox holds in memory for its relay; past that they wait for the sweep.
MAX_READY = 5000
#: Whether the running task has added outbox rows since it last woke the relay (`Outbox.wake_if_added`).
_ADDED_IN_TASK: ContextVar[bool] = ContextVar("rr_outbox_added_in_task", default=False)


def headers_size(event_id: str) -> int:
    """Bytes of the headers block the relay sends with an event (counted in max_payload)."""
    return len(b"NATS/1.0\r\n") + len("Nats-Msg-Id") + 2 + len(event_id.encode()) + 2 + 2


class EventTooLarge(ResourceExhausted):
    """An event over the size any stream takes: the command that produced it must not commit."""


def outbox_table(metadata: MetaData) -> Table:
    """The outbox table in the service's schema."""
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(64), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("data", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True, index=True),
        # Set when the relay gave up on a row that can never be published, with why.
        Column("parked_at", DateTime(timezone=True), nullable=True),
        Column("park_reason", String(200), nullable=True),
    )


@dataclass(frozen=True, slots=True)
class ReadyEvent:
    """A committed outbox row handed to the relay in memory (`Outbox(publish_on_commit=True)`)."""

    event_id: str
    event_type: str
    subject: str
    data: bytes


class Outbox:
    """Writes events into the outbox within the caller's transaction."""

    def __init__(self, table: Table, producer: str, *, publish_on_commit: bool = False) -> None:
        self.table = table
        self.producer = producer
        self.publish_on_commit = publish_on_commit
        self._wake = asyncio.Event()
        self._ready: list[ReadyEvent] = []
        # Built once (every command and consumed event adds rows), executed with `_row`'s parameters.
        self._insert = table.insert().values(
            event_id=bindparam("ob_event_id"), event_type=bindparam("ob_event_type"),
            subject=bindparam("ob_subject"), data=bindparam("ob_data"),
        )
        # Several rows: one multi-row INSERT whose ids follow the order of the parameters,
        # which is the order the relay publishes them in.
        self._insert_many = self._insert.returning(table.c.id, sort_by_parameter_order=True)

    def _row(self, envelope: events_pb2.EventEnvelope) -> dict[str, object]:
        data = envelope.SerializeToString()
        if len(data) + headers_size(envelope.event_id) > MAX_EVENT_BYTES:
            # Events are bounded by design (tests/unit/kernel/test_event_sizes.py); this is the
            # last line: a change whose event could never be published stores nothing.
            log.error("event over the size limit refused", event_type=envelope.event_type, size=len(data))
            raise EventTooLarge("the change would produce an event larger than events may be; nothing was stored")
        return {
            "ob_event_id": envelope.event_id,
            "ob_event_type": envelope.event_type,
            "ob_subject": subject_for(envelope.event_type, self.producer),
            "ob_data": data,
        }

    async def add(self, session: Transaction, envelope: events_pb2.EventEnvelope) -> None:
        """Adds `envelope` to the outbox in `session`'s transaction."""
        row = self._row(envelope)
        await session.execute(self._insert, row)
        _ADDED_IN_TASK.set(True)
        self._publish_when_committed(session, [row])

    async def add_many(self, session: Transaction, envelopes: Iterable[events_pb2.EventEnvelope]) -> None:
        """Adds `envelopes` to the outbox in `session`'s transaction with one INSERT; the
        relay publishes them in the order given (as after one `add` each, in that order)."""
        rows = [self._row(envelope) for envelope in envelopes]
        if len(rows) > 1:
            await session.execute(self._insert_many, rows)
        elif rows:
            await session.execute(self._insert, rows[0])
        if rows:
            _ADDED_IN_TASK.set(True)
            self._publish_when_committed(session, rows)

    def _publish_when_committed(self, session: object, rows: list[dict[str, object]]) -> None:
        """With `publish_on_commit`, hands `rows` to the relay once the task's transaction has
        committed. Rows a `Deferred` keeps are handed over only once its calls are taken to be
        executed (`Deferred.take`); rows added outside `Database.transaction()` wait for the
        relay's sweep."""
        if not self.publish_on_commit:
            return
        ready = [ReadyEvent(str(r["ob_event_id"]), str(r["ob_event_type"]), str(r["ob_subject"]), r["ob_data"])  # type: ignore[arg-type]
                 for r in rows]

        def committed() -> None:
            if len(self._ready) < MAX_READY:  # else the relay is behind (NATS slow): the sweep takes them
                self._ready.extend(ready)
            self._wake.set()

        if isinstance(session, Deferred):
            session.when_run.append(committed)
        else:
            on_commit(committed)

    def has_ready(self) -> bool:
        return bool(self._ready)

    def drop_ready(self) -> None:
        """Forgets the rows handed over: they stay in the table for the relay's sweep."""
        self._ready.clear()

    def take_ready(self, limit: int) -> list[ReadyEvent]:
        """Up to `limit` committed rows handed over for publishing, oldest first (they are the
        relay's from then on)."""
        taken, self._ready[:limit] = self._ready[:limit], []
        return taken

    def wake(self) -> None:
        """Tells the relay there is something new (call after commit)."""
        self._wake.set()

    def wake_if_added(self) -> None:
        """`wake`, when the running task has added rows since it last called this (a consumer
        calls it after each commit): most consumed events add none, and a relay woken for
        nothing still runs a transaction to find that out. A task's rows that were rolled back
        wake it once for nothing; the relay's poll is the backstop either way."""
        if _ADDED_IN_TASK.get():
            _ADDED_IN_TASK.set(False)
            self._wake.set()

    async def wait_for_work(self, timeout: float) -> None:
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
        # cancellation that coincides with the timeout, and the relay never stops.
        try:
            async with asyncio.timeout(timeout):
                await self._wake.wait()
        except TimeoutError:
            pass
        self._wake.clear()


class Deferred:
    """Stands in for the transaction while a writer (the outbox) adds its rows: what it would
    execute is kept, so that a repository can run it as part of its own statement (a
    data-modifying CTE, `first_row_as_cte`) instead of on its own: one statement fewer for
    every command and event that publishes (intake, gathering and criteria do)."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, object]] = []
        #: What to register with `on_commit` once the kept calls are taken to be executed (`take`).
        self.when_run: list[Callable[[], None]] = []

    async def execute(self, statement, parameters=None) -> None:  # type: ignore[no-untyped-def]
        self.calls.append((statement, parameters))

    def take(self) -> list[tuple[object, object]]:
        """The kept calls, in order, for the caller to execute now in its transaction; the
        events among them are handed to the relay once that transaction commits."""
        for committed in self.when_run:
            on_commit(committed)
        self.when_run.clear()
        return list(self.calls)


_ROW_CTES: dict[int, tuple[object, object]] = {}


def row_cte(statement: Insert):  # type: ignore[no-untyped-def]
    """The outbox's single-row INSERT `statement` as a CTE, built once per statement object
    (the outbox builds its INSERT once), so the statement it joins stays the same each time and
    in SQLAlchemy's cache: one built anew would have its cache key derived on every execution."""
    cached = _ROW_CTES.get(id(statement))
    if cached is None or cached[0] is not statement:
        cached = _ROW_CTES[id(statement)] = (statement, statement.cte("outbox_row"))
    return cached[1]


def is_single_row_insert(call: tuple[object, object]) -> bool:
    """Whether a kept call is an INSERT of one row without RETURNING (`Outbox.add`'s)."""
    statement, parameters = call
    return isinstance(statement, Insert) and isinstance(parameters, dict) and not statement.exported_columns


def first_row_as_cte(deferred: Deferred | None) -> tuple[object | None, dict[str, object], list[tuple[object, object]]]:
    """The first call `deferred` kept as a CTE with its parameters, when it is a single-row
    INSERT (the outbox row: None and no parameters otherwise), and the calls left, in order,
    for the caller to execute after its statement."""
    later = deferred.take() if deferred is not None else []
    if later and is_single_row_insert(later[0]):
        statement, parameters = later.pop(0)
        return row_cte(statement), dict(parameters), later  # type: ignore[arg-type, call-overload]
    return None, {}, later


@dataclass(frozen=True)
class ParkedEvent:
    """An outbox row the relay set aside: what an alert hook is told (never the payload)."""

    service: str
    event_id: str
    event_type: str
    subject: str
    size: int
    kind: str  #: too_large, bad_subject, bad_event_id or refused
    reason: str


AlertHook = Callable[[ParkedEvent], "Awaitable[None] | None"]


class OutboxRelay:
    """Publishes outbox rows to JetStream; safe to run in several replicas
    (rows are claimed with FOR UPDATE SKIP LOCKED). A row that can never be
    published is parked and the relay goes on with the next."""

    def __init__(self, db: Database, bus: EventBus, outbox: Outbox, *, batch: int = 200, poll_interval: float = 0.5,
                 on_park: AlertHook | None = None, sweep_after: float = 5.0) -> None:
        self.db = db
        self.bus = bus
        self.outbox = outbox
        self.batch = batch
        self.poll_interval = poll_interval
        self.on_park = on_park
        self.published = 0
        self.parked = 0
        #: With `outbox.publish_on_commit`: the age (seconds) after which the sweep claims a row
        #: nobody has marked published, and the event ids acknowledged but not yet marked.
        self.sweep_after = dt.timedelta(seconds=sweep_after)
        self._unmarked: list[str] = []
        self._stopping = False
        self._stopped = asyncio.Event()
        table = outbox.table
        # Built once (every relay round runs them). The claim: the oldest unpublished rows no
        # other relay holds, locked and marked published in one statement; their columns back.
        unpublished = (table.c.published_at.is_(None), table.c.parked_at.is_(None))
        self._claim = self._claim_of(unpublished)
        # The sweep's (rows handed over on commit are the relay's own until they are this old).
        self._claim_aged = self._claim_of((*unpublished, table.c.created_at < func.now() - bindparam("ob_age", type_=Interval)))
        self._mark = (
            update(table)
            .where(table.c.event_id == any_(cast(bindparam("ob_event_ids"), ARRAY(String))), table.c.published_at.is_(None))
            .values(published_at=func.now())
        )
        # The rows of a claim that were not published, in one statement: unpublished again, and
        # parked with their reason when they can never be published (reason NULL: not acknowledged).
        unsettled = func.unnest(
            cast(bindparam("ob_ids"), ARRAY(BigInteger)), cast(bindparam("ob_reasons"), ARRAY(String)),
        ).table_valued(column("id", BigInteger), column("reason", String)).render_derived("unsettled")
        self._unsettle = (
            update(table)
            .where(table.c.id == unsettled.c.id)
            .values(published_at=null(), parked_at=case((unsettled.c.reason.is_not(None), func.now())),
                    park_reason=unsettled.c.reason)
        )

    def _claim_of(self, where: tuple[object, ...]):  # type: ignore[no-untyped-def]
        table = self.outbox.table
        claimable = (
            select(table.c.id)
            .where(*where)
            .order_by(table.c.id)
            .limit(bindparam("ob_batch"))
            .with_for_update(skip_locked=True)
        )
        return (
            update(table)
            .where(table.c.id.in_(claimable))
            .values(published_at=func.now())
            .returning(table.c.id, table.c.event_id, table.c.event_type, table.c.subject, table.c.data)
        )

    async def run(self) -> None:
        """Runs until cancelled, or until `stop`."""
        if self.outbox.publish_on_commit:
            return await self._run_on_commit()
        backoff = 0.2
        while not self._stopping:
            if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise asyncio.CancelledError  # a library call swallowed our cancellation: stop anyway
            try:
                count = await self.publish_pending()
                backoff = 0.2
                if count < self.batch:
                    await self.outbox.wait_for_work(self.poll_interval)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - NATS or DB away: wait and retry
                log.warning("outbox relay paused", exc_type=type(exc).__name__, retry_in=backoff)
                await self._pause(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _run_on_commit(self) -> None:
        """`run` with `publish_on_commit`: what transactions hand over is published as it comes;
        every `poll_interval` a sweep marks what was acknowledged and claims forgotten rows."""
        loop = asyncio.get_running_loop()
        backoff = 0.2
        next_sweep = loop.time()
        while True:
            if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise asyncio.CancelledError  # a library call swallowed our cancellation: stop anyway
            try:
                await self.publish_ready()
                if self._stopping and not self.outbox.has_ready():
                    await self.publish_pending()  # what was published is marked: the next process need not publish it again
                    return
                if loop.time() >= next_sweep or len(self._unmarked) >= 10 * self.batch:
                    count = await self.publish_pending()
                    next_sweep = loop.time() + (self.poll_interval if count < self.batch else 0.0)
                backoff = 0.2
                if not self.outbox.has_ready():
                    await self.outbox.wait_for_work(max(0.0, next_sweep - loop.time()))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - NATS or DB away: wait and retry
                if self._stopping:  # what is left is the sweep's, in the next process
                    log.warning("outbox relay stopped before it could mark what it published", exc_type=type(exc).__name__)
                    return
                log.warning("outbox relay paused", exc_type=type(exc).__name__, retry_in=backoff)
                await self._pause(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _pause(self, seconds: float) -> None:
        """Waits `seconds`, or less when `stop` is called."""
        try:
            async with asyncio.timeout(seconds):
                await self._stopped.wait()
        except TimeoutError:
            pass

    def stop(self) -> None:
        """Asks `run` to return; with `publish_on_commit`, once it has published what it was
        handed and marked it. A service stopping calls it once its RPCs and consumers have stopped."""
        self._stopping = True
        self._stopped.set()
        self.outbox.wake()

    async def publish_ready(self) -> int:
        """Publishes up to a batch of the rows handed over on commit, in the order they came;
        returns how many JetStream acknowledged (their marks wait for the next sweep). A row
        not acknowledged, or that can never be published, is left to the sweep, which
        publishes or parks it once it is `sweep_after` old."""
        ready = self.outbox.take_ready(self.batch)
        if not ready:
            return 0
        if not self.bus.is_connected or self.bus.js is None:
            self.outbox.drop_ready()  # the sweep publishes them all once NATS is back
            raise ConnectionError("nats not connected")
        transient: Exception | None = None
        sent: list[tuple[ReadyEvent, asyncio.Future[object]]] = []
        for row in ready:
            if self._unpublishable(row.event_id, row.subject, row.data) is not None:
                continue
            try:
                future = await self.bus.js.publish_async(row.subject, row.data, headers={"Nats-Msg-Id": row.event_id},
                                                         wait_stall=5)
            except (nats.errors.MaxPayloadError, nats.errors.BadSubjectError):
                continue
            except Exception as exc:  # noqa: BLE001 - NATS went away: the rest wait for the sweep
                transient = exc
                break
            sent.append((row, future))
        acks: list[object] = []
        if sent:
            try:
                async with asyncio.timeout(10):
                    acks = await asyncio.gather(*(f for _, f in sent), return_exceptions=True)
            except TimeoutError as exc:
                acks, transient = [None] * len(sent), transient or exc
        published = 0
        for (row, _), ack in zip(sent, acks, strict=True):
            if isinstance(ack, BaseException) or ack is None:
                if not (isinstance(ack, APIError) and ack.err_code == _STREAM_MESSAGE_TOO_LARGE):
                    transient = transient or (ack if isinstance(ack, Exception) else ConnectionError("publish not acknowledged"))
                continue
            self._unmarked.append(row.event_id)
            published += 1
        self.published += published
        metrics.EVENTS_PUBLISHED.labels(self.outbox.producer).inc(published)
        if transient is not None:
            raise transient
        return published

    def _unpublishable(self, event_id: str, subject: str, data: bytes) -> tuple[str, str] | None:
        """(kind, reason) when a row can never be published, else None."""
        limit = min(self.bus.max_payload, MAX_EVENT_BYTES)
        if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
            return "bad_event_id", "the event id cannot travel in a header"
        if not isinstance(subject, str) or not _SUBJECT.match(subject):
            return "bad_subject", "the subject is not an events subject"
        size = len(data) + headers_size(event_id)
        if size > limit:
            return "too_large", f"{size} bytes, over the {limit}-byte limit of NATS and the events stream"
        return None

    async def publish_pending(self) -> int:
        """Publishes one batch of unpublished rows (parking those that can never be
        published); returns how many rows it settled.

        One statement claims the batch and marks it published (its rows stay locked until
        COMMIT, so another replica's relay skips them); only when some row was not
        acknowledged, or must be parked, does a second statement put those rows right.
        With `publish_on_commit` this is the sweep: in the same transaction it first marks
        what `publish_ready` had acknowledged, and it claims only rows older than `sweep_after`."""
        if not self.bus.is_connected or self.bus.js is None:
            raise ConnectionError("nats not connected")
        transient: Exception | None = None
        marking = list(self._unmarked)
        published = 0
        parked: list[tuple[object, tuple[str, str]]] = []
        async with self.db.transaction() as session:
            if marking:  # published on commit: marked first, so that the claim leaves them be
                await session.execute(self._mark, {"ob_event_ids": marking})
            if self.outbox.publish_on_commit:
                claimed = await session.execute(self._claim_aged, {"ob_batch": self.batch, "ob_age": self.sweep_after})
            else:
                claimed = await session.execute(self._claim, {"ob_batch": self.batch})
            # RETURNING gives no order: publish in the outbox's order.
            rows = sorted(claimed.all(), key=lambda row: row.id)
            sent: list[tuple[object, asyncio.Future[object]]] = []
            for row in rows:
                why = self._unpublishable(row.event_id, row.subject, row.data)
                if why is not None:
                    parked.append((row, why))
                    continue
                try:
                    future = await self.bus.js.publish_async(row.subject, row.data, headers={"Nats-Msg-Id": row.event_id},
                                                             wait_stall=5)
                except (nats.errors.MaxPayloadError, nats.errors.BadSubjectError) as exc:
                    parked.append((row, ("refused", f"refused by the NATS client ({type(exc).__name__})")))
                    continue
                sent.append((row, future))
            unsettled: list[tuple[int, str | None]] = []  # (id, park reason, or None: not acknowledged)
            if sent:
                try:
                    async with asyncio.timeout(10):
                        acks = await asyncio.gather(*(f for _, f in sent), return_exceptions=True)
                except TimeoutError as exc:
                    acks, transient = [None] * len(sent), exc
                for (row, _), ack in zip(sent, acks, strict=True):
                    if isinstance(ack, APIError) and ack.err_code == _STREAM_MESSAGE_TOO_LARGE:
                        parked.append((row, ("too_large", "refused by the events stream: over its maximum message size")))
                    elif isinstance(ack, BaseException) or ack is None:
                        # NATS away or slow: this row waits for the next round (a later row that
                        # was acknowledged stays marked published; a republish is de-duplicated).
                        transient = transient or (ack if isinstance(ack, Exception) else ConnectionError("publish not acknowledged"))
                        unsettled.append((row.id, None))  # type: ignore[attr-defined]
                    else:
                        published += 1
            unsettled.extend((row.id, reason[:200]) for row, (_, reason) in parked)  # type: ignore[attr-defined]
            if unsettled:
                await session.execute(self._unsettle, {"ob_ids": [i for i, _ in unsettled],
                                                       "ob_reasons": [r for _, r in unsettled]})
        if marking:
            del self._unmarked[:len(marking)]
        self.published += published
        metrics.EVENTS_PUBLISHED.labels(self.outbox.producer).inc(published)
        if self.outbox.publish_on_commit:
            metrics.EVENTS_SWEPT.labels(self.outbox.producer).inc(published)
        for row, (kind, reason) in parked:
            await self._alert(ParkedEvent(self.outbox.producer, row.event_id, row.event_type, row.subject,  # type: ignore[attr-defined]
                                          len(row.data), kind, reason))  # type: ignore[attr-defined]
        if transient is not None:
            raise transient
        return published + len(parked)

    async def _alert(self, event: ParkedEvent) -> None:
        self.parked += 1
        metrics.EVENTS_PARKED.labels(event.service, event.kind).inc()
        log.error("outbox event parked: it can never be published; the events behind it go on", alert="outbox_event_parked",
                  event_id=event.event_id, event_type=event.event_type, size=event.size, reason=event.reason)
        if self.on_park is not None:
            try:
                result = self.on_park(event)
                if asyncio.iscoroutine(result):
                    await result
            except Exception as exc:  # noqa: BLE001 - an alert hook failing must not stop the relay
                log.warning("outbox alert hook failed", exc_type=type(exc).__name__)
