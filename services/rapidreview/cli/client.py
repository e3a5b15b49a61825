"""How CLI commands reach the services: addresses and credentials.

Addresses come from `RR_<SERVICE>_ADDR`, else from the embedded stack's state
file (`<data dir>/stack.json`, written by `rapidreview up`), else the default
ports. The bearer token comes from `RR_TOKEN`, else a development token is
signed with the embedded stack's local key for the role the command needs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import grpc
import typer
from google.protobuf import json_format

from rapidreview.kernel.auth import Role
from rapidreview.kernel.config import DEFAULT_GRPC_PORTS
from rapidreview.kernel.grpc_errors import field_violations
from rapidreview.stack.credentials import DevCredentials


def data_dir() -> Path:
    """The embedded stack's data folder (RR_DATA_DIR, default ./.rr-data)."""
    return Path(os.environ.get("RR_DATA_DIR", ".rr-data")).resolve()


def stack_state() -> dict[str, Any]:
    path = data_dir() / "stack.json"
    if path.exists():
        return json.loads(path.read_text())
    return {}


def database_url() -> str:
    """RR_DATABASE_URL (or RR_DATABASE_URL_FILE), else the running embedded stack's database,
    whose state file masks the password: it is read from the stack's credentials."""
    configured = os.environ.get("RR_DATABASE_URL")
    if not configured and os.environ.get("RR_DATABASE_URL_FILE"):
        configured = Path(os.environ["RR_DATABASE_URL_FILE"]).read_text(encoding="utf-8").strip()
    if configured:
        return configured
    url = stack_state().get("database_url")
    if not url:
        raise typer.BadParameter("no RR_DATABASE_URL and no running embedded stack; set RR_DATABASE_URL")
    password_file = data_dir() / "credentials" / "postgres-password"
    if ":***@" in url and password_file.exists():
        url = url.replace(":***@", f":{password_file.read_text(encoding='utf-8').strip()}@")
    return url


def _setting(name: str) -> str | None:
    """An RR_* variable, or the content of the file named by RR_*_FILE."""
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    return Path(path).read_text(encoding="utf-8").strip() if path else None


def operator_nats_options() -> dict[str, Any]:
    """`nats.connect` arguments for operators' commands: RR_NATS_URL with RR_NATS_USER /
    RR_NATS_PASSWORD(_FILE) or RR_NATS_CREDS_FILE (and RR_NATS_TLS_CA_FILE), which must name
    the operators' user (`admin`); else the running embedded stack's NATS as its admin user."""
    url = _setting("RR_NATS_URL")
    options: dict[str, Any] = {"connect_timeout": 5, "max_reconnect_attempts": 2}
    if url:
        options["servers"] = [part.strip() for part in url.split(",") if part.strip()]
        user = _setting("RR_NATS_USER")
        if user:
            options.update(user=user, password=_setting("RR_NATS_PASSWORD") or "")
        if _setting("RR_NATS_CREDS_FILE"):
            options["user_credentials"] = _setting("RR_NATS_CREDS_FILE")
        if _setting("RR_NATS_TLS_CA_FILE"):
            import ssl

            options["tls"] = ssl.create_default_context(cafile=_setting("RR_NATS_TLS_CA_FILE"))
        return options
    state = stack_state()
    if not state.get("nats_url"):
        raise typer.BadParameter("no RR_NATS_URL and no running embedded stack; set RR_NATS_URL and the operators' credentials")
    options["servers"] = [part.strip() for part in state["nats_url"].split(",") if part.strip()]
    passwords = data_dir() / "credentials" / "nats-passwords.json"
    if passwords.exists():
        options.update(user="admin", password=json.loads(passwords.read_text())["admin"])
    return options


def address(service: str) -> str:
    env = os.environ.get(f"RR_{service.upper()}_ADDR")
    if env:
        return env
    state = stack_state()
    if service in state.get("services", {}):
        return state["services"][service]["address"]
    return f"127.0.0.1:{DEFAULT_GRPC_PORTS[service]}"


def token(role: Role, agency: str = "", partnership: str | None = None) -> str:
    env = os.environ.get("RR_TOKEN")
    if env:
        return env
    creds_dir = data_dir() / "credentials"
    if not (creds_dir / "jwt-signing-key.pem").exists():
        raise typer.BadParameter("no RR_TOKEN and no embedded stack credentials; run `rapidreview up` or set RR_TOKEN")
    return DevCredentials(creds_dir).token(role, partnership=partnership or os.environ.get("RR_PARTNERSHIP", "leeds"), agency=agency)


def metadata(role: Role, agency: str = "") -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token(role, agency)}"),)


def channel(service: str) -> grpc.aio.Channel:
    return grpc.aio.insecure_channel(address(service))


def read_json_message(path: Path, message_type: type) -> Any:
    """Parses a proto3 JSON file into `message_type`, or exits with a clear error."""
    try:
        return json_format.Parse(path.read_text(encoding="utf-8"), message_type())
    except (OSError, json_format.ParseError) as exc:
        raise typer.BadParameter(f"{path}: {exc}") from None


def fail_on_rpc_error(exc: grpc.aio.AioRpcError) -> None:
    """Prints a failed call's status and field violations, then exits 1."""
    from rich.console import Console

    console = Console(stderr=True)
    console.print(f"[red]{exc.code().name}[/red]: {exc.details()}")
    for field, description in field_violations(exc):
        console.print(f"  - {field}: {description}")
    raise typer.Exit(1)
