"""The workspace's settings, from `RR_WORKSPACE_*` (and a few shared `RR_*`) variables.

Read the way the kernel reads a service's settings: each variable may instead come
from the file named by `<NAME>_FILE`, and a wrong value raises `ConfigError` naming
the variable before anything starts.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rapidreview.kernel.config import (
    DEFAULT_GRPC_PORTS,
    ConfigError,
    _bool,
    _event_loop,
    _iso_date,
    _listen,
    _log_level,
    _path,
    _positive_float,
    _positive_int,
    _read,
)

from rapidreview.kernel.partnerships import REQUIRED_MESSAGE

SERVICES = ("intake", "gathering", "criteria", "decisions")


def _http_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")) or len(raw) < 10:
        raise ValueError("expected an http:// or https:// URL")
    return raw.rstrip("/")


def _address(raw: str) -> str:
    return _listen(raw)


def _networks(raw: str) -> str:
    """Comma-separated IP addresses or networks (CIDR), or "*" for any (only behind a proxy nothing else can reach)."""
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ValueError("expected one or more addresses or networks")
    for item in items:
        if item != "*":
            ipaddress.ip_network(item, strict=False)  # ValueError names the bad one
    return ",".join(items)


@dataclasses.dataclass(frozen=True)
class WorkspaceSettings:
    """The settings of the workspace process. Field comments name their variables."""

    #: RR_WORKSPACE_OIDC_ISSUER — the OpenID Connect provider's issuer URL (discovery at /.well-known/openid-configuration).
    oidc_issuer: str
    #: RR_WORKSPACE_OIDC_CLIENT_ID / RR_WORKSPACE_OIDC_CLIENT_SECRET — the workspace's registration at the provider.
    oidc_client_id: str
    #: RR_WORKSPACE_PRINCIPALS_FILE — YAML mapping of the provider's claims and groups to role, partnership, agency.
    principals_file: Path
    #: RR_WORKSPACE_SIGNING_KEY_FILE — PEM EC P-256 private key that signs the person's tokens (its public key
    #: goes into the services' RR_JWT_PUBLIC_KEYS_FILE).
    signing_key_file: Path
    oidc_client_secret: str = ""
    #: RR_WORKSPACE_OIDC_SCOPES — scopes asked for at sign-in (space-separated); "openid" keeps personal claims out.
    oidc_scopes: str = "openid"
    #: RR_WORKSPACE_LISTEN — HOST:PORT the web server binds.
    listen: str = "0.0.0.0:8080"
    #: RR_WORKSPACE_PUBLIC_URL — the URL people use (redirect URIs are built from it); empty: from each request.
    public_url: str = ""
    #: RR_WORKSPACE_SECURE_COOKIES — mark the session cookie Secure; default: true when the public URL is https.
    secure_cookies: bool | None = None
    #: RR_WORKSPACE_SESSION_KEY_FILE — 32+ random bytes (any text) that encrypt the session cookie; all replicas
    #: share it. Empty: a random key per process (sessions end at restart; one replica only).
    session_key_file: Path | None = None
    #: RR_WORKSPACE_IDLE_TIMEOUT — minutes without a request before the person is signed out.
    idle_timeout_minutes: float = 30.0
    #: RR_WORKSPACE_SESSION_MAX_AGE — hours after sign-in when the person must sign in again, active or not.
    session_max_age_hours: float = 10.0
    #: RR_WORKSPACE_TOKEN_TTL — seconds a minted person token is valid.
    token_ttl_seconds: float = 300.0
    #: RR_WORKSPACE_RPC_TIMEOUT — deadline of every gRPC call, seconds.
    rpc_timeout_seconds: float = 10.0
    #: RR_WORKSPACE_SIGN_IN_RATE / RR_WORKSPACE_SIGN_IN_BURST — sign-ins started per minute per client address.
    sign_in_rate_per_minute: float = 30.0
    sign_in_burst: int = 30
    #: RR_WORKSPACE_ASSETS_DIR — the node_modules folder holding govuk-frontend and @ministryofjustice/frontend.
    assets_dir: Path | None = None
    #: RR_WORKSPACE_GRPC_TLS_CA_FILE — CA bundle to verify the services' TLS certificates; empty: plaintext gRPC.
    grpc_tls_ca_file: Path | None = None
    #: RR_WORKSPACE_GRPC_TLS_CERT_FILE / RR_WORKSPACE_GRPC_TLS_KEY_FILE — the workspace's client certificate, for
    #: services that require mutual TLS (RR_TLS_CLIENT_CA_FILE); the person's token still says who calls.
    grpc_tls_cert_file: Path | None = None
    grpc_tls_key_file: Path | None = None
    #: RR_WORKSPACE_TRUSTED_PROXIES — addresses or networks (comma-separated) of the reverse proxies in front
    #: (an Ingress controller): their X-Forwarded-For/-Proto name the client and the scheme. Others are ignored.
    trusted_proxies: str = "127.0.0.1,::1"
    #: RR_PARTNERSHIP_CONFIG_FILE — the partnership registry the services check tokens against: at start, every
    #: partnership and agency of the mapping file must be in it (else the workspace refuses to start, naming the entry).
    partnership_config_file: Path | None = None
    #: RR_PARTNERSHIP_REGISTRY_REQUIRED — refuse to start without RR_PARTNERSHIP_CONFIG_FILE (deployments set it).
    partnership_registry_required: bool = False
    #: RR_INTAKE_ADDR, RR_GATHERING_ADDR, RR_CRITERIA_ADDR, RR_DECISIONS_ADDR — HOST:PORT of each service.
    service_addresses: dict[str, str] = dataclasses.field(default_factory=dict)
    #: RR_JWT_ISSUER / RR_JWT_AUDIENCE — the issuer and audience the services expect in a token.
    jwt_issuer: str = "rapidreview"
    jwt_audience: str = "rapidreview"
    #: RR_DATABASE_URL / RR_NATS_URL — for the dashboard read model (the workspace's own schema).
    database_url: str = ""
    nats_url: str = ""
    #: RR_NATS_USER / RR_NATS_PASSWORD / RR_NATS_CREDS_FILE / RR_NATS_TLS_CA_FILE — the read model's NATS connection.
    nats_user: str | None = None
    nats_password: str | None = None
    nats_creds_file: Path | None = None
    nats_tls_ca_file: Path | None = None
    #: RR_PHASE — the phase banner's tag ("alpha", "beta"; empty hides the banner).
    phase: str = "beta"
    #: RR_LOG_LEVEL.
    log_level: str = "INFO"
    #: RR_EVENT_LOOP — "uvloop" (default) or "asyncio", as for the services.
    event_loop: str = "uvloop"
    #: RR_TODAY — fixed "today" (YYYY-MM-DD) for demonstrations; empty means the real date.
    today: str = ""

    @property
    def cookies_secure(self) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.public_url.startswith("https://")

    def address(self, service: str) -> str:
        return self.service_addresses.get(service) or f"127.0.0.1:{DEFAULT_GRPC_PORTS[service]}"


_PARSERS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "oidc_issuer": ("RR_WORKSPACE_OIDC_ISSUER", _http_url),
    "oidc_client_id": ("RR_WORKSPACE_OIDC_CLIENT_ID", str),
    "oidc_client_secret": ("RR_WORKSPACE_OIDC_CLIENT_SECRET", str),
    "oidc_scopes": ("RR_WORKSPACE_OIDC_SCOPES", lambda raw: " ".join(raw.split()) or "openid"),
    "principals_file": ("RR_WORKSPACE_PRINCIPALS_FILE", _path),
    "signing_key_file": ("RR_WORKSPACE_SIGNING_KEY_FILE", _path),
    "listen": ("RR_WORKSPACE_LISTEN", _listen),
    "public_url": ("RR_WORKSPACE_PUBLIC_URL", lambda raw: _http_url(raw) if raw else ""),
    "secure_cookies": ("RR_WORKSPACE_SECURE_COOKIES", _bool),
    "session_key_file": ("RR_WORKSPACE_SESSION_KEY_FILE", _path),
    "idle_timeout_minutes": ("RR_WORKSPACE_IDLE_TIMEOUT", _positive_float),
    "session_max_age_hours": ("RR_WORKSPACE_SESSION_MAX_AGE", _positive_float),
    "token_ttl_seconds": ("RR_WORKSPACE_TOKEN_TTL", lambda raw: _bounded(_positive_float(raw), 30, 900)),
    "rpc_timeout_seconds": ("RR_WORKSPACE_RPC_TIMEOUT", _positive_float),
    "sign_in_rate_per_minute": ("RR_WORKSPACE_SIGN_IN_RATE", _positive_float),
    "sign_in_burst": ("RR_WORKSPACE_SIGN_IN_BURST", _positive_int),
    "assets_dir": ("RR_WORKSPACE_ASSETS_DIR", _path),
    "grpc_tls_ca_file": ("RR_WORKSPACE_GRPC_TLS_CA_FILE", _path),
    "grpc_tls_cert_file": ("RR_WORKSPACE_GRPC_TLS_CERT_FILE", _path),
    "grpc_tls_key_file": ("RR_WORKSPACE_GRPC_TLS_KEY_FILE", _path),
    "trusted_proxies": ("RR_WORKSPACE_TRUSTED_PROXIES", _networks),
    "partnership_config_file": ("RR_PARTNERSHIP_CONFIG_FILE", _path),
    "partnership_registry_required": ("RR_PARTNERSHIP_REGISTRY_REQUIRED", _bool),
    "jwt_issuer": ("RR_JWT_ISSUER", str),
    "jwt_audience": ("RR_JWT_AUDIENCE", str),
    "database_url": ("RR_DATABASE_URL", str),
    "nats_url": ("RR_NATS_URL", str),
    "nats_user": ("RR_NATS_USER", str),
    "nats_password": ("RR_NATS_PASSWORD", str),
    "nats_creds_file": ("RR_NATS_CREDS_FILE", _path),
    "nats_tls_ca_file": ("RR_NATS_TLS_CA_FILE", _path),
    "phase": ("RR_PHASE", str),
    "log_level": ("RR_LOG_LEVEL", _log_level),
    "event_loop": ("RR_EVENT_LOOP", _event_loop),
    "today": ("RR_TODAY", lambda raw: _iso_date(raw) if raw else ""),
}
_REQUIRED = ("oidc_issuer", "oidc_client_id", "principals_file", "signing_key_file")


def _bounded(value: float, low: float, high: float) -> float:
    # A person token lives minutes: long enough for one page's calls, short enough to be harmless if copied.
    if not low <= value <= high:
        raise ValueError(f"must be between {low:g} and {high:g}")
    return value


def load_workspace_settings(env: Mapping[str, str] | None = None) -> WorkspaceSettings:
    """Builds the workspace settings from the environment; ConfigError names the first bad variable."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for field, (var, parse) in _PARSERS.items():
        raw = _read(env, var)
        if raw is None:
            continue
        try:
            values[field] = parse(raw)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{var}: invalid value ({exc})") from None
    addresses = {}
    for service in SERVICES:
        var = f"RR_{service.upper()}_ADDR"
        raw = _read(env, var)
        if raw:
            try:
                addresses[service] = _address(raw)
            except ValueError as exc:
                raise ConfigError(f"{var}: invalid value ({exc})") from None
    values["service_addresses"] = addresses
    for field in _REQUIRED:
        if field not in values or values[field] in ("", None):
            raise ConfigError(f"{_PARSERS[field][0]}: required but not set (or set {_PARSERS[field][0]}_FILE)")
    if values.get("partnership_registry_required") and "partnership_config_file" not in values:
        raise ConfigError(REQUIRED_MESSAGE)
    if ("grpc_tls_cert_file" in values) != ("grpc_tls_key_file" in values):
        raise ConfigError("RR_WORKSPACE_GRPC_TLS_CERT_FILE and RR_WORKSPACE_GRPC_TLS_KEY_FILE: set both or neither")
    if "grpc_tls_cert_file" in values and "grpc_tls_ca_file" not in values:
        raise ConfigError("RR_WORKSPACE_GRPC_TLS_CA_FILE: required with a client certificate (TLS to the services)")
    return WorkspaceSettings(**values)
