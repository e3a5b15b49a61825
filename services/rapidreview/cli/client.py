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
