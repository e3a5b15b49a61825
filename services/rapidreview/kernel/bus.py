"""The event bus: one NATS connection per process with JetStream, and the
explicit provisioning of the events and dead-letter streams.

The connection retries forever in the background, so a service starts (and
reports NOT_SERVING) while NATS is away and catches up when it returns.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import APIError

from rapidreview.kernel.events import DLQ_PREFIX, DLQ_STREAM, EVENTS_STREAM, SUBJECT_PREFIX
from rapidreview.kernel.logging import get_logger

log = get_logger(__name__)

#: The largest event (envelope and headers) the events stream takes; NATS's own
#: max_payload (1 MB by default) may be lower, and then it is the limit.
MAX_EVENT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class BusOptions:
    """How to reach NATS. `servers` is a comma-separated URL list."""

    servers: str
    name: str
    user: str | None = None
    password: str | None = None
    creds_file: str | None = None
    tls_ca_file: str | None = None
    stream_replicas: int = 1


def events_stream_config(replicas: int = 1) -> StreamConfig:
    """RR_EVENTS: every event, kept 30 days, de-duplicated on Nats-Msg-Id for 15 minutes."""
    return StreamConfig(
        name=EVENTS_STREAM,
        subjects=[f"{SUBJECT_PREFIX}.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=30 * 24 * 3600,
        duplicate_window=15 * 60,
        num_replicas=replicas,
        discard=DiscardPolicy.OLD,
        max_msg_size=MAX_EVENT_BYTES,
    )


def dead_letter_stream_config(replicas: int = 1) -> StreamConfig:
    """RR_DEAD_LETTERS: events a consumer gave up on, with the reason, kept 90 days."""
    return StreamConfig(
        name=DLQ_STREAM,
        subjects=[f"{DLQ_PREFIX}.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=90 * 24 * 3600,
        num_replicas=replicas,
        max_msg_size=2 * 1024 * 1024,
    )


class EventBus:
    """A NATS connection with JetStream, connected in the background."""

    def __init__(self, options: BusOptions) -> None:
        self.options = options
        self.nc: Client | None = None
        self.js: JetStreamContext | None = None
        self._connected = asyncio.Event()
        self._provisioned = False
        self._task: asyncio.Task[None] | None = None

    @property
    def is_connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    @property
    def max_payload(self) -> int:
        """The connected server's max_payload (headers and data), or the stream's limit before connecting."""
        if self.nc is not None and self.nc.max_payload:
            return int(self.nc.max_payload)
        return MAX_EVENT_BYTES

    async def start(self) -> None:
        """Starts connecting in the background; returns at once."""
        self._task = asyncio.create_task(self._connect_forever(), name="nats-connect")

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Waits until connected and the streams are provisioned."""
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def _connect_forever(self) -> None:
        delay = 0.2
        while True:
            try:
                await self._connect_once()
                await self.provision_streams()
                self._connected.set()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure: retry with backoff
                log.warning("nats connect failed; retrying", exc_type=type(exc).__name__, retry_in=delay)
                if self.nc is not None:
                    try:
                        await self.nc.close()
                    except Exception:  # noqa: BLE001
                        pass
                    self.nc = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _connect_once(self) -> None:
        opts = self.options
        kwargs: dict[str, object] = {
            "servers": [s.strip() for s in opts.servers.split(",") if s.strip()],
            "name": opts.name,
            "max_reconnect_attempts": -1,
            "reconnect_time_wait": 0.5,
            "connect_timeout": 2,
            "allow_reconnect": True,
            # close() drains after the consumer loops are cancelled, so a message a pull
            # subscription already queued can never be processed and drain would wait the
            # 30 s default for it; it is unacked and JetStream redelivers it anyway.
            "drain_timeout": 2,
        }
        if opts.user:
            kwargs["user"] = opts.user
            kwargs["password"] = opts.password or ""
        if opts.creds_file:
            kwargs["user_credentials"] = opts.creds_file
        if opts.tls_ca_file:
            kwargs["tls"] = ssl.create_default_context(cafile=opts.tls_ca_file)
        self.nc = await nats.connect(**kwargs)
        self.js = self.nc.jetstream(timeout=5)

    async def provision_streams(self) -> None:
        """Creates or updates the events and dead-letter streams (idempotent)."""
        assert self.js is not None
        for config in (events_stream_config(self.options.stream_replicas), dead_letter_stream_config(self.options.stream_replicas)):
            try:
                await self.js.add_stream(config)
            except APIError:
                await self.js.update_stream(config)
        self._provisioned = True

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if self.nc is not None and not self.nc.is_closed:
            # Not drain(): it waits until every message queued to a subscription is marked done,
            # and a stopped pull consumer leaves some that never will be (nats-py), so shutdown
            # hung for seconds to half a minute. Every publish was acknowledged already; flushing
            # sends the last acks, so closing loses nothing.
            try:
                await asyncio.wait_for(self.nc.flush(), 2)
            except Exception:  # noqa: BLE001 - NATS away: nothing left to send
                pass
            await self.nc.close()
