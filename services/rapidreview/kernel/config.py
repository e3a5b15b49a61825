"""Configuration from environment variables, typed and validated.

Every setting is an environment variable `RR_*`; each may instead be read from a
file named by `RR_*_FILE` (secrets mounted as files). A wrong value raises
`ConfigError` naming the variable, before anything starts.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

DEFAULT_GRPC_PORTS = {"intake": 50051, "gathering": 50052, "criteria": 50053, "decisions": 50054}


class ConfigError(ValueError):
    """A configuration variable is missing or malformed; the message names it."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _positive_float(raw: str) -> float:
    value = float(raw)
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _float_list(raw: str) -> tuple[float, ...]:
    return tuple(_positive_float(part) for part in raw.split(",") if part.strip())


def _listen(raw: str) -> str:
    host, sep, port = raw.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("expected HOST:PORT")
    return raw


def _database_url(raw: str) -> str:
    if not raw.startswith("postgresql+asyncpg://"):
        raise ValueError("expected a postgresql+asyncpg:// URL")
    return raw


def _nats_url(raw: str) -> str:
    for part in raw.split(","):
        if not part.strip().startswith(("nats://", "tls://")):
            raise ValueError("expected comma-separated nats:// or tls:// URLs")
    return raw


def _log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
    return value


def _event_loop(raw: str) -> str:
    value = raw.strip().lower()
    if value not in EVENT_LOOPS:
        raise ValueError("expected uvloop or asyncio")
    return value


#: RR_EVENT_LOOP values: libuv's loop (uvloop, the default) or the standard library's.
EVENT_LOOPS = ("uvloop", "asyncio")


def _path(raw: str) -> Path:
    return Path(raw)


@dataclasses.dataclass(frozen=True)
class Settings:
    """The settings of one service process. Field docs name their variables."""

    service: str
    #: RR_DATABASE_URL — postgresql+asyncpg:// URL; the service uses its own schema.
    database_url: str
    #: RR_NATS_URL — comma-separated NATS server URLs.
    nats_url: str
    #: RR_GRPC_LISTEN — HOST:PORT the gRPC server binds.
    grpc_listen: str
    #: RR_NATS_USER / RR_NATS_PASSWORD — per-service NATS credentials.
    nats_user: str | None = None
    nats_password: str | None = None
    #: RR_NATS_CREDS_FILE — NATS decentralised-auth credentials file.
    nats_creds_file: Path | None = None
    #: RR_NATS_TLS_CA_FILE — CA bundle to verify NATS servers over TLS.
    nats_tls_ca_file: Path | None = None
    #: RR_NATS_STREAM_REPLICAS — replicas of the streams the service provisions (3 on a 3-node cluster).
    nats_stream_replicas: int = 1
    #: RR_TLS_CERT_FILE / RR_TLS_KEY_FILE — gRPC server certificate and key.
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    #: RR_TLS_CLIENT_CA_FILE — when set, clients must present a certificate (mutual TLS).
    tls_client_ca_file: Path | None = None
    #: RR_JWT_PUBLIC_KEYS_FILE — PEM public keys that verify bearer tokens.
    jwt_public_keys_file: Path | None = None
    #: RR_JWT_ISSUER / RR_JWT_AUDIENCE — expected token issuer and audience.
    jwt_issuer: str = "rapidreview"
    jwt_audience: str = "rapidreview"
    #: RR_ENCRYPTION_KEYS_FILE — key ring for encrypting free text at rest.
    encryption_keys_file: Path | None = None
    #: RR_LOG_LEVEL.
    log_level: str = "INFO"
    #: RR_EVENT_LOOP — the process's asyncio event loop: "uvloop" (libuv's, faster) or "asyncio" (the standard one).
    event_loop: str = "uvloop"
    #: RR_HEALTH_LISTEN — optional plaintext HOST:PORT serving only grpc.health.v1 (for probes when the main port uses TLS).
    health_listen: str = ""
    #: RR_METRICS_LISTEN — HOST:PORT of the Prometheus metrics endpoint ("" disables).
    metrics_listen: str = ""
    #: RR_MIGRATE_ON_START — apply this service's migrations at start-up.
    migrate_on_start: bool = True
    #: RR_CONSUMER_ACK_WAIT — seconds before an unacknowledged event is redelivered.
    consumer_ack_wait: float = 30.0
    #: RR_CONSUMER_MAX_DELIVER — deliveries before an event is dead-lettered.
    consumer_max_deliver: int = 5
    #: RR_CONSUMER_BACKOFF — comma-separated redelivery delays in seconds.
    consumer_backoff: tuple[float, ...] = (1.0, 5.0, 15.0, 30.0)
    #: RR_CLOCK_WATCH_INTERVAL — seconds between statutory clock checks.
    clock_watch_interval: float = 60.0
    #: RR_DUE_SOON_WORKING_DAYS — working days before a due date that deadline.due_soon fires.
    due_soon_working_days: int = 2
    #: RR_PARTNERSHIP_CONFIG_FILE — per-partnership settings (YAML): each service reads its own section;
    #: `contacts` (business unit and agency mailboxes) is read by gathering and the workspace.
    partnership_config_file: Path | None = None
    #: RR_PARTNERSHIP_REGISTRY_REQUIRED — refuse to start without RR_PARTNERSHIP_CONFIG_FILE (deployments set it:
    #: tokens may then name only the partnerships and agencies listed); false: no file means any well-formed id.
    partnership_registry_required: bool = False
    #: RR_TLS_CLIENT_IDENTITIES_FILE — YAML map of client-certificate common names to principals.
    tls_client_identities_file: Path | None = None
    #: RR_RATE_LIMIT_RPS / RR_RATE_LIMIT_BURST — per-caller rate limit of partner-facing RPCs.
    rate_limit_rps: float = 20.0
    rate_limit_burst: int = 40
    #: RR_MAX_CONCURRENT_RPCS — API calls one process runs at once; more get UNAVAILABLE with a retry delay.
    max_concurrent_rpcs: int = 64
    #: RR_OVERLOAD_LOOP_LAG — seconds of event-loop lag above which new API calls get UNAVAILABLE (0: never).
    overload_loop_lag: float = 5.0
    #: RR_DELIVERY_CONFIG_FILE — e-mail delivery: SMTP and the advisory group's recipients (criteria's summaries;
    #: gathering's chases and the workspace's reminders use its SMTP settings), YAML.
    delivery_config_file: Path | None = None
    #: RR_TODAY — fixed "today" (YYYY-MM-DD) for demonstrations and tests; empty means the real date.
    today: str = ""
    #: RR_AUDIT_SIGNING_KEY_FILE — decisions: EC P-256 private key (PEM) signing the audit checkpoints; unset: none made.
    audit_signing_key_file: Path | None = None
    #: RR_AUDIT_PUBLIC_KEYS_FILE — public keys (PEM) of earlier signing keys, to read checkpoints they signed.
    audit_public_keys_file: Path | None = None
    #: RR_AUDIT_CHECKPOINT_INTERVAL — seconds between audit checkpoints (one is made only when a chain moved).
    audit_checkpoint_interval: float = 3600.0
    #: RR_NATIONAL_THEMES_FILE — the national themes list (criteria service): a YAML file, "none" for
    #: no list; empty means the list shipped with the product.
    national_themes_file: str = ""
    #: RR_INTAKE_ADDR / RR_GATHERING_ADDR / RR_CRITERIA_ADDR — where the decisions service reads the
    #: other services' records for reports and figures (HOST:PORT; empty: the default ports on 127.0.0.1).
    intake_addr: str = ""
    gathering_addr: str = ""
    criteria_addr: str = ""
    #: RR_PEER_TLS_CA_FILE — CA bundle to verify those services' TLS certificates (TLS when set; the
    #: service's own RR_TLS_CERT_FILE/RR_TLS_KEY_FILE is presented as client certificate when set).
    peer_tls_ca_file: Path | None = None


_PARSERS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "database_url": ("RR_DATABASE_URL", _database_url),
    "nats_url": ("RR_NATS_URL", _nats_url),
    "grpc_listen": ("RR_GRPC_LISTEN", _listen),
    "nats_user": ("RR_NATS_USER", str),
    "nats_password": ("RR_NATS_PASSWORD", str),
    "nats_creds_file": ("RR_NATS_CREDS_FILE", _path),
    "nats_tls_ca_file": ("RR_NATS_TLS_CA_FILE", _path),
    "nats_stream_replicas": ("RR_NATS_STREAM_REPLICAS", _positive_int),
    "tls_cert_file": ("RR_TLS_CERT_FILE", _path),
    "tls_key_file": ("RR_TLS_KEY_FILE", _path),
    "tls_client_ca_file": ("RR_TLS_CLIENT_CA_FILE", _path),
    "jwt_public_keys_file": ("RR_JWT_PUBLIC_KEYS_FILE", _path),
    "jwt_issuer": ("RR_JWT_ISSUER", str),
    "jwt_audience": ("RR_JWT_AUDIENCE", str),
    "encryption_keys_file": ("RR_ENCRYPTION_KEYS_FILE", _path),
    "log_level": ("RR_LOG_LEVEL", _log_level),
    "event_loop": ("RR_EVENT_LOOP", _event_loop),
    "health_listen": ("RR_HEALTH_LISTEN", lambda raw: _listen(raw) if raw else ""),
    "metrics_listen": ("RR_METRICS_LISTEN", lambda raw: _listen(raw) if raw else ""),
    "migrate_on_start": ("RR_MIGRATE_ON_START", _bool),
    "consumer_ack_wait": ("RR_CONSUMER_ACK_WAIT", _positive_float),
    "consumer_max_deliver": ("RR_CONSUMER_MAX_DELIVER", _positive_int),
    "consumer_backoff": ("RR_CONSUMER_BACKOFF", _float_list),
    "clock_watch_interval": ("RR_CLOCK_WATCH_INTERVAL", _positive_float),
    "due_soon_working_days": ("RR_DUE_SOON_WORKING_DAYS", _positive_int),
    "partnership_config_file": ("RR_PARTNERSHIP_CONFIG_FILE", _path),
    "partnership_registry_required": ("RR_PARTNERSHIP_REGISTRY_REQUIRED", _bool),
    "tls_client_identities_file": ("RR_TLS_CLIENT_IDENTITIES_FILE", _path),
    "rate_limit_rps": ("RR_RATE_LIMIT_RPS", _positive_float),
    "rate_limit_burst": ("RR_RATE_LIMIT_BURST", _positive_int),
    "max_concurrent_rpcs": ("RR_MAX_CONCURRENT_RPCS", _positive_int),
    "overload_loop_lag": ("RR_OVERLOAD_LOOP_LAG", lambda raw: 0.0 if float(raw) == 0 else _positive_float(raw)),
    "delivery_config_file": ("RR_DELIVERY_CONFIG_FILE", _path),
    "today": ("RR_TODAY", lambda raw: _iso_date(raw) if raw else ""),
    "audit_signing_key_file": ("RR_AUDIT_SIGNING_KEY_FILE", _path),
    "audit_public_keys_file": ("RR_AUDIT_PUBLIC_KEYS_FILE", _path),
    "audit_checkpoint_interval": ("RR_AUDIT_CHECKPOINT_INTERVAL", _positive_float),
    "national_themes_file": ("RR_NATIONAL_THEMES_FILE", str),
    "intake_addr": ("RR_INTAKE_ADDR", lambda raw: _listen(raw) if raw else ""),
    "gathering_addr": ("RR_GATHERING_ADDR", lambda raw: _listen(raw) if raw else ""),
    "criteria_addr": ("RR_CRITERIA_ADDR", lambda raw: _listen(raw) if raw else ""),
    "peer_tls_ca_file": ("RR_PEER_TLS_CA_FILE", _path),
}


#: Variables no longer read, with what replaced them: a deployment that still sets one
#: would silently get another deadline than it asked for, so the service refuses to start.
_REMOVED = {
    "RR_RR_CLOCK_FROM": "RR.DEADLINE counts from the `counts_from` parameter of its rule file "
                        "(rules/<edition>/rules/RR.DEADLINE.yaml); remove the variable",
}


def _iso_date(raw: str) -> str:
    import datetime as dt

    dt.date.fromisoformat(raw)
    return raw


def _read(env: Mapping[str, str], name: str) -> str | None:
    """The value of `name`, or the content of the file named by `name_FILE`."""
    if name in env:
        return env[name]
    file_var = f"{name}_FILE"
    if file_var in env:
        try:
            return Path(env[file_var]).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{file_var}: cannot read {env[file_var]!r} ({exc.strerror})") from None
    return None


def load_settings(service: str, env: Mapping[str, str] | None = None, *, require_nats: bool = True) -> Settings:
    """Builds the settings of `service` from the environment.

    Raises ConfigError naming the first variable that is missing or malformed.
    `require_nats=False` is for commands that never connect to NATS (migrations).
    """
    env = os.environ if env is None else env
    if service not in DEFAULT_GRPC_PORTS:
        raise ConfigError(f"unknown service {service!r}")
    values: dict[str, Any] = {"service": service}
    for var, replaced_by in _REMOVED.items():
        if _read(env, var) is not None:
            raise ConfigError(f"{var}: no longer read: {replaced_by}")
    for field, (var, parse) in _PARSERS.items():
        raw = _read(env, var)
        if raw is None:
            continue
        try:
            values[field] = parse(raw)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{var}: invalid value ({exc})") from None
    values.setdefault("grpc_listen", f"0.0.0.0:{DEFAULT_GRPC_PORTS[service]}")
    if not require_nats:
        values.setdefault("nats_url", "nats://127.0.0.1:4222")
    for field, var in (("database_url", "RR_DATABASE_URL"), ("nats_url", "RR_NATS_URL")):
        if field not in values:
            raise ConfigError(f"{var}: required but not set (or set {var}_FILE)")
    return Settings(**values)
