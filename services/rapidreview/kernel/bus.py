"""The event bus: one NATS connection per process with JetStream, and the
explicit provisioning of the events and dead-letter streams.

The connection retries forever in the background, so a service starts (and
reports NOT_SERVING) while NATS is away and catches up when it returns.

Where the NATS accounts restrict the services (deploy/nats/accounts.conf), a
service may not create or change streams or consumers: an operator creates them
(`rapidreview nats provision`, run by the embedded stack itself). So a service
first reads each stream's configuration and creates or updates it only when it
is missing or different: a missing stream it may not create is retried (with
an error naming the command), a different one it may not update is used as it
is (with a warning).
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import APIError, NotFoundError

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
    #: Replies to this connection's requests (JetStream acknowledgements, pulled events) arrive
    #: under this prefix; the accounts let each user subscribe to its own prefix only, so no
    #: user can read the events another service pulls. None: NATS's default `_INBOX`.
    inbox_prefix: str | None = None


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


class ProvisioningNeeded(RuntimeError):
    """A stream or consumer is missing and this NATS user may not create it."""


#: How long to wait for JetStream to answer a create or update that the account may forbid
#: (a forbidden request gets no answer, only an asynchronous permissions error).
FORBIDDEN_WAIT = 2.0

_STREAM_FIELDS = ("subjects", "retention", "storage", "max_age", "duplicate_window", "num_replicas", "discard",
                  "max_msg_size", "deny_delete", "deny_purge")


def stream_differences(actual: StreamConfig, wanted: StreamConfig) -> list[str]:
    """The fields of `wanted` that the stream as configured (`actual`) does not have."""
    differences = []
    for name in _STREAM_FIELDS:
        have, want = getattr(actual, name), getattr(wanted, name)
        if want is None or (want == 0 and not isinstance(want, bool)):
            continue  # not set here (nats-py leaves numbers at 0): the server's default is fine
        if name == "subjects":
            have, want = sorted(have or []), sorted(want or [])
        elif isinstance(want, float) or isinstance(have, float):
            have, want = round(float(have or 0), 3), round(float(want or 0), 3)
        elif name in ("deny_delete", "deny_purge"):
            have, want = bool(have), bool(want)
        if have != want:
            differences.append(name)
    return differences


async def ensure_stream(js: JetStreamContext, config: StreamConfig, *, may_fail: bool = True) -> str:
    """Creates or updates `config`'s stream only when it is missing or different; returns
    "ok", "created", "updated" or "different" (an update this user may not make: the
    stream is used as it is). A missing stream this user may not create raises
    ProvisioningNeeded. `may_fail=False` (the operator's provisioning) raises instead."""
    wait = FORBIDDEN_WAIT if may_fail else 30.0
    try:
        info = await js.stream_info(config.name)
    except NotFoundError:
        try:
            await asyncio.wait_for(js.add_stream(config), wait)
        except (NatsTimeoutError, TimeoutError) as exc:
            if not may_fail:
                raise
            raise ProvisioningNeeded(f"stream {config.name} does not exist and this NATS user may not create it; "
                                     "run `rapidreview nats provision` as the operators' user") from exc
        return "created"
    differences = stream_differences(info.config, config)
    if not differences:
        return "ok"
    try:
        await asyncio.wait_for(js.update_stream(config), wait)
    except (NatsTimeoutError, TimeoutError, APIError):
        if not may_fail:
            raise
        log.warning("stream differs from this service's settings and may not be changed by it; using it as it is",
                    stream=config.name, fields=differences)
        return "different"
    return "updated"


class EventBus:
    """A NATS connection with JetStream, connected in the background. `streams` are the
    streams this process relies on (default: events and dead letters)."""

    def __init__(self, options: BusOptions, streams: list[StreamConfig] | None = None) -> None:
        self.options = options
        self.streams = streams if streams is not None else [events_stream_config(options.stream_replicas),
                                                            dead_letter_stream_config(options.stream_replicas)]
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
                if isinstance(exc, ProvisioningNeeded):
                    log.error("jetstream not provisioned; retrying", cause=str(exc), retry_in=delay)
                else:
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
        if opts.inbox_prefix:
            kwargs["inbox_prefix"] = opts.inbox_prefix
        self.nc = await nats.connect(**kwargs)
        self.js = self.nc.jetstream(timeout=5)

    async def provision_streams(self) -> None:
        """Makes sure every stream of `streams` exists (see `ensure_stream`; idempotent)."""
        assert self.js is not None
        for config in self.streams:
            await ensure_stream(self.js, config)
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
