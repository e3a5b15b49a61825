"""Connections: channel, authentication, deadlines, retries and error mapping.

One `Connection` (blocking) or `AsyncConnection` (asyncio) per service
address. Every call:

- carries `authorization: Bearer <token>` (a fixed token or a callable that
  returns the current one, e.g. read from a file that your token agent renews)
  and an `x-request-id` that stays the same across retries;
- runs over TLS, mutual TLS with a client certificate, or plaintext (sandbox);
- has a deadline per attempt (`timeout`) inside an overall budget (`total_timeout`);
- is retried on UNAVAILABLE, DEADLINE_EXCEEDED and ABORTED with exponential backoff and
  jitter, resending the *same* request: an empty `idempotency_key` is filled in
  once, before the first attempt (in your request object, so re-sending that
  object later is safe too), and never changes across retries;
- raises `RapidReviewError` (with `field_violations`) when it finally fails.
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.protobuf import message as pb_message

from rapidreview_client.errors import RapidReviewError

__version__ = "0.1.0"
USER_AGENT = f"rapidreview-client-python/{__version__}"

M = TypeVar("M", bound=pb_message.Message)
TokenSource = str | Callable[[], str]


class ConfigurationError(ValueError):
    """The client is missing an address, credentials or certificate files."""


@dataclass(frozen=True)
class RetryPolicy:
    """When and how often a failed call is sent again.

    Attempt n waits `min(max_backoff, initial_backoff * multiplier**(n-1))`,
    spread by +/- `jitter` (a fraction) so that many clients do not retry in step.
    """

    max_attempts: int = 5
    initial_backoff: float = 0.25
    max_backoff: float = 5.0
    multiplier: float = 2.0
    jitter: float = 0.2
    retry_on: frozenset[grpc.StatusCode] = field(
        default_factory=lambda: frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED})
    )

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def backoff(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        base = min(self.max_backoff, self.initial_backoff * self.multiplier ** (attempt - 1))
        return max(0.0, base * (1 - self.jitter + 2 * self.jitter * rng()))


#: Send once, never retry.
NO_RETRY = RetryPolicy(max_attempts=1)


@dataclass(frozen=True)
class Tls:
    """Transport security. `root_certificates` verifies the server (None: the
    system's roots); `certificate_chain` + `private_key` are the client
    certificate for mutual TLS; `server_name` overrides the host name checked in
    the server's certificate."""

    root_certificates: bytes | None = None
    certificate_chain: bytes | None = None
    private_key: bytes | None = None
    server_name: str | None = None

    def __post_init__(self) -> None:
        if (self.certificate_chain is None) != (self.private_key is None):
            raise ConfigurationError("a client certificate needs both the certificate chain and the private key")

    @classmethod
    def from_files(cls, ca: str | Path | None = None, cert: str | Path | None = None, key: str | Path | None = None,
                   server_name: str | None = None) -> Tls:
        def read(path: str | Path | None) -> bytes | None:
            if path is None:
                return None
            try:
                return Path(path).read_bytes()
            except OSError as exc:
                raise ConfigurationError(f"cannot read {path}: {exc.strerror}") from None

        return cls(read(ca), read(cert), read(key), server_name)

    def channel_credentials(self) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(
            root_certificates=self.root_certificates, private_key=self.private_key, certificate_chain=self.certificate_chain
        )


def token_from_file(path: str | Path) -> Callable[[], str]:
    """A token source that re-reads `path` at most once a second (for tokens a
    sidecar or agent renews on disk)."""
    cache: dict[str, Any] = {"at": 0.0, "token": ""}
    lock = threading.Lock()

    def read() -> str:
        with lock:
            now = time.monotonic()
            if now - cache["at"] > 1.0 or not cache["token"]:
                try:
                    cache["token"] = Path(path).read_text(encoding="utf-8").strip()
                except OSError as exc:
                    raise ConfigurationError(f"cannot read token file {path}: {exc.strerror}") from None
                cache["at"] = now
            return cache["token"]

    return read


def ensure_idempotency_key(request: pb_message.Message) -> str:
    """Fills an empty `idempotency_key` of `request` with a new random key and
    returns the key ("" when the request has no such field)."""
    fld = request.DESCRIPTOR.fields_by_name.get("idempotency_key")
    if fld is None or fld.type != fld.TYPE_STRING:
        return ""
    key = getattr(request, "idempotency_key")
    if not key:
        key = f"rrc-{uuid.uuid4()}"
        setattr(request, "idempotency_key", key)
    return key


class _ConnectionBase:
    def __init__(
        self,
        target: str,
        *,
        token: TokenSource | None = None,
        tls: Tls | None = None,
        timeout: float = 10.0,
        total_timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        options: Sequence[tuple[str, Any]] = (),
    ) -> None:
        if not target:
            raise ConfigurationError("no service address")
        self.target = target
        self.token = token
        self.tls = tls
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.retry = retry or RetryPolicy()
        options = [("grpc.primary_user_agent", USER_AGENT), ("grpc.enable_retries", 0), *options]
        if tls is not None and tls.server_name:
            options.append(("grpc.ssl_target_name_override", tls.server_name))
        self.options = options

    def _metadata(self, request_id: str, extra: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        md = [("x-request-id", request_id)]
        if self.token is not None:
            token = self.token() if callable(self.token) else self.token
            md.append(("authorization", f"Bearer {token}"))
        md.extend(extra)
        return md

    def _attempt_timeout(self, timeout: float | None, deadline: float) -> float:
        return max(0.001, min(timeout if timeout is not None else self.timeout, deadline - time.monotonic()))

    @staticmethod
    def _give_up(error: RapidReviewError, policy: RetryPolicy, attempt: int, deadline: float, delay: float) -> bool:
        return error.code not in policy.retry_on or attempt >= policy.max_attempts or time.monotonic() + delay >= deadline


class Connection(_ConnectionBase):
    """A blocking connection to one service. Thread-safe; close it when done
    (or use it as a context manager)."""

    def __init__(self, target: str, *, sleep: Callable[[float], None] = time.sleep, **kwargs: Any) -> None:
        super().__init__(target, **kwargs)
        self._sleep = sleep
        if self.tls is None:
            self.channel = grpc.insecure_channel(self.target, options=self.options)
        else:
            self.channel = grpc.secure_channel(self.target, self.tls.channel_credentials(), options=self.options)
        self._callables: dict[str, Any] = {}

    def unary(self, method: str, request: pb_message.Message, response_type: type[M], *, timeout: float | None = None,
              metadata: Sequence[tuple[str, str]] = (), retry: RetryPolicy | None = None, request_id: str | None = None) -> M:
        """Sends `request` to `method` ("/package.Service/Method") with retries; returns the response."""
        policy = retry or self.retry
        request_id = request_id or str(uuid.uuid4())
        key = ensure_idempotency_key(request)
        call = self._callables.get(method)
        if call is None:
            call = self._callables[method] = self.channel.unary_unary(
                method, request_serializer=lambda m: m.SerializeToString(), response_deserializer=response_type.FromString
            )
        deadline = time.monotonic() + self.total_timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                return call(request, timeout=self._attempt_timeout(timeout, deadline), metadata=self._metadata(request_id, metadata))
            except grpc.RpcError as exc:
                error = RapidReviewError.from_rpc_error(exc, request_id=request_id, idempotency_key=key, attempts=attempt)
            delay = max(policy.backoff(attempt), error.retry_after or 0.0)  # never sooner than the service asked
            if self._give_up(error, policy, attempt, deadline, delay):
                raise error
            self._sleep(delay)

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncConnection(_ConnectionBase):
    """An asyncio connection to one service; the channel is opened on first use
    inside the running event loop. `await close()` when done."""

    def __init__(self, target: str, *, sleep: Callable[[float], Any] = asyncio.sleep, **kwargs: Any) -> None:
        super().__init__(target, **kwargs)
        self._sleep = sleep
        self._channel: grpc.aio.Channel | None = None
        self._callables: dict[str, Any] = {}

    @property
    def channel(self) -> grpc.aio.Channel:
        if self._channel is None:
            if self.tls is None:
                self._channel = grpc.aio.insecure_channel(self.target, options=self.options)
            else:
                self._channel = grpc.aio.secure_channel(self.target, self.tls.channel_credentials(), options=self.options)
        return self._channel

    async def unary(self, method: str, request: pb_message.Message, response_type: type[M], *, timeout: float | None = None,
                    metadata: Sequence[tuple[str, str]] = (), retry: RetryPolicy | None = None, request_id: str | None = None) -> M:
        """Sends `request` to `method` ("/package.Service/Method") with retries; returns the response."""
        policy = retry or self.retry
        request_id = request_id or str(uuid.uuid4())
        key = ensure_idempotency_key(request)
        call = self._callables.get(method)
        if call is None:
            call = self._callables[method] = self.channel.unary_unary(
                method, request_serializer=lambda m: m.SerializeToString(), response_deserializer=response_type.FromString
            )
        deadline = time.monotonic() + self.total_timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                return await call(request, timeout=self._attempt_timeout(timeout, deadline), metadata=self._metadata(request_id, metadata))
            except grpc.RpcError as exc:
                error = RapidReviewError.from_rpc_error(exc, request_id=request_id, idempotency_key=key, attempts=attempt)
            delay = max(policy.backoff(attempt), error.retry_after or 0.0)  # never sooner than the service asked
            if self._give_up(error, policy, attempt, deadline, delay):
                raise error
            await self._sleep(delay)

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
            self._channel = None

    async def __aenter__(self) -> AsyncConnection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def settings_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Connection settings from the environment: RR_TOKEN or RR_TOKEN_FILE;
    RR_TLS_CA_FILE, RR_TLS_CLIENT_CERT_FILE, RR_TLS_CLIENT_KEY_FILE and
    RR_TLS_SERVER_NAME (any of them turns TLS on)."""
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    if env.get("RR_TOKEN"):
        out["token"] = env["RR_TOKEN"]
    elif env.get("RR_TOKEN_FILE"):
        out["token"] = token_from_file(env["RR_TOKEN_FILE"])
    tls_vars = ("RR_TLS_CA_FILE", "RR_TLS_CLIENT_CERT_FILE", "RR_TLS_CLIENT_KEY_FILE", "RR_TLS_SERVER_NAME")
    if any(env.get(name) for name in tls_vars):
        out["tls"] = Tls.from_files(
            ca=env.get("RR_TLS_CA_FILE") or None,
            cert=env.get("RR_TLS_CLIENT_CERT_FILE") or None,
            key=env.get("RR_TLS_CLIENT_KEY_FILE") or None,
            server_name=env.get("RR_TLS_SERVER_NAME") or None,
        )
    return out


class ClientBase:
    """Holds one Connection per service address; subclasses (generated) add a
    typed property per service."""

    SERVICE_KEYS: tuple[str, ...] = ()

    def __init__(self, addresses: Mapping[str, str], **connection_settings: Any) -> None:
        unknown = set(addresses) - set(self.SERVICE_KEYS)
        if unknown:
            raise ConfigurationError(f"unknown services: {', '.join(sorted(unknown))} (known: {', '.join(self.SERVICE_KEYS)})")
        self.addresses = dict(addresses)
        self.connection_settings = connection_settings
        self._connections: dict[str, Any] = {}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any):  # type: ignore[no-untyped-def]
        """Addresses from RR_<SERVICE>_ADDR (RR_INTAKE_ADDR, RR_GATHERING_ADDR, ...)
        and credentials as in `settings_from_env`; keyword arguments override."""
        env = os.environ if environ is None else environ
        addresses = {key: env[f"RR_{key.upper()}_ADDR"] for key in cls.SERVICE_KEYS if env.get(f"RR_{key.upper()}_ADDR")}
        return cls(addresses, **{**settings_from_env(env), **overrides})

    def _address(self, key: str) -> str:
        address = self.addresses.get(key)
        if not address:
            raise ConfigurationError(f"no address for the {key} service: pass it or set RR_{key.upper()}_ADDR")
        return address


class SyncClientBase(ClientBase):
    def connection(self, key: str) -> Connection:
        """The (shared) connection to service `key`."""
        conn = self._connections.get(key)
        if conn is None:
            conn = self._connections[key] = Connection(self._address(key), **self.connection_settings)
        return conn

    def close(self) -> None:
        for conn in self._connections.values():
            conn.close()
        self._connections.clear()

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClientBase(ClientBase):
    def connection(self, key: str) -> AsyncConnection:
        """The (shared) connection to service `key`."""
        conn = self._connections.get(key)
        if conn is None:
            conn = self._connections[key] = AsyncConnection(self._address(key), **self.connection_settings)
        return conn

    async def close(self) -> None:
        for conn in self._connections.values():
            await conn.close()
        self._connections.clear()

    async def __aenter__(self):  # type: ignore[no-untyped-def]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
