"""Encryption key commands: `keys status`, `keys add`, `keys rotate`, `keys retire`.

The key ring is the file named by RR_ENCRYPTION_KEYS_FILE, else the embedded
stack's (`<data dir>/credentials/encryption-keys.json`). The database is
RR_DATABASE_URL (or RR_DATABASE_URL_FILE), else the running embedded stack's.
Each service re-encrypts its own schema with its storage module's `rotate_keys`;
`--service` limits the work to some services (in production each service has
its own key ring and database role: run the command once per service, with that
service's environment).

Running services hold the key ring they read at start. `keys rotate` adds a key
and re-encrypts at once: use it while the services are stopped, or restart them
straight after. Without downtime: `keys add`, restart the services (they now
encrypt with the new key and still read the old one), then `keys rotate
--no-new-key`. After the rotation, `keys retire OLD` removes a key no stored
value uses any more.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from rapidreview.cli.client import data_dir, database_url
from rapidreview.kernel.crypto import FieldCipher, KeyRing

SERVICES = ("intake", "gathering", "criteria", "decisions", "workspace")
# The workspace's sealed columns are its read model's (the child reference on the dashboard).
_STORAGE = {"workspace": "rapidreview.workspace.readmodel.storage"}
console = Console()
keys_app = typer.Typer(help="Encryption keys of data at rest: census, rotation, retirement.", no_args_is_help=True)

ServiceOption = typer.Option(None, "--service", "-s", help="Only this service (repeatable); default: all of them.")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


# -- where things are -----------------------------------------------------------------
def _env(name: str) -> str | None:
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return None


def key_ring_path() -> Path:
    configured = _env("RR_ENCRYPTION_KEYS_FILE")
    if configured:
        return Path(configured)
    embedded = data_dir() / "credentials" / "encryption-keys.json"
    if embedded.exists():
        return embedded
    raise typer.BadParameter("no RR_ENCRYPTION_KEYS_FILE and no embedded stack key ring; set RR_ENCRYPTION_KEYS_FILE")


def save_ring(ring: KeyRing, path: Path) -> None:
    """Writes the ring atomically (a crash leaves the old file or the new one, never half), mode 0600."""
    fd, tmp = tempfile.mkstemp(prefix=".keys-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(ring.to_json())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _services(selected: list[str] | None) -> list[str]:
    chosen = selected or list(SERVICES)
    unknown = sorted(set(chosen) - set(SERVICES))
    if unknown:
        raise typer.BadParameter(f"unknown service(s): {', '.join(unknown)}")
    return [s for s in SERVICES if s in chosen]


def _storage(service: str) -> Any:
    return importlib.import_module(_STORAGE.get(service, f"rapidreview.{service}.storage"))


async def _deployed(session: Any, service: str) -> bool:
    """False when the service's schema does not exist in this database (e.g. no workspace deployed)."""
    from sqlalchemy import text

    schema = _storage(service).metadata.schema
    return bool((await session.execute(text("SELECT to_regnamespace(:schema) IS NOT NULL"), {"schema": schema})).scalar_one())


# -- the work (async, callable from tests) ----------------------------------------------
async def census(url: str, services: list[str]) -> dict[str, dict[str, dict[str, int]]]:
    """service -> column -> key id -> number of ciphertexts."""
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    from rapidreview.kernel.rotation import key_census

    engine = create_async_engine(url, hide_parameters=True)
    try:
        out = {}
        async with AsyncSession(engine) as session:
            for service in services:
                if await _deployed(session, service):
                    out[service] = await key_census(session, _storage(service).SEALED_COLUMNS)
        return out
    finally:
        await engine.dispose()


async def reencrypt(url: str, ring: KeyRing, services: list[str]) -> dict[str, int]:
    """service -> number of values re-encrypted under `ring.current`."""
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    engine = create_async_engine(url, hide_parameters=True)
    cipher = FieldCipher(ring)
    try:
        out = {}
        for service in services:
            async with AsyncSession(engine) as session:
                deployed = await _deployed(session, service)
            if deployed:
                async with AsyncSession(engine) as session:
                    out[service] = await _storage(service).rotate_keys(session, cipher)
        return out
    finally:
        await engine.dispose()


def keys_in_use(counts: dict[str, dict[str, dict[str, int]]]) -> set[str]:
    return {key for columns in counts.values() for per_key in columns.values() for key, n in per_key.items() if n}


# -- commands ---------------------------------------------------------------------------
@keys_app.command()
def status(
    service: list[str] = ServiceOption,
    as_json: bool = typer.Option(False, "--json", help="Print the census as JSON."),
) -> None:
    """Which key ids the stored data of each service uses, per encrypted column."""
    services = _services(service)
    ring = KeyRing.from_file(key_ring_path())
    counts = asyncio.run(census(database_url(), services))
    in_use = keys_in_use(counts)
    if as_json:
        print(json.dumps({"current": ring.current, "keys": sorted(ring.keys), "in_use": sorted(in_use), "services": counts}, indent=2))
        return
    table = Table(title=f"Key ring: current {ring.current}; keys {', '.join(sorted(ring.keys))}")
    for col in ("service", "column", "values by key id"):
        table.add_column(col)
    for name, columns in counts.items():
        for column, per_key in columns.items():
            shown = ", ".join(f"{k}: {n}" for k, n in sorted(per_key.items())) or "(empty)"
            table.add_row(name, column, shown)
    console.print(table)
    retirable = sorted(set(ring.keys) - in_use - {ring.current})
    missing = sorted(in_use - set(ring.keys) - {"plaintext"})
    if "plaintext" in in_use:
        console.print("[yellow]Some values were written before their column was encrypted: `keys rotate` seals them.[/yellow]")
    if missing:
        console.print(f"[red]Stored values use keys missing from the ring: {', '.join(missing)}[/red]")
        raise typer.Exit(1)
    console.print(f"Keys no stored value uses (may be retired): {', '.join(retirable) or 'none'}")


@keys_app.command()
def add(key_id: str = typer.Option("", "--key-id", help="Id of the new key (default: generated).")) -> None:
    """Add a new current key to the ring (old keys stay, for reading). Restart the services
    to use it, then run `keys rotate --no-new-key`."""
    path = key_ring_path()
    ring = KeyRing.from_file(path).rotated(key_id or None)
    save_ring(ring, path)
    console.print(f"Added key [bold]{ring.current}[/bold] as current in {path}. Restart the services, then "
                  "`rapidreview keys rotate --no-new-key`.")


@keys_app.command()
def rotate(
    service: list[str] = ServiceOption,
    new_key: bool = typer.Option(True, "--new-key/--no-new-key", help="Add a new current key first (default), or re-encrypt under the current one."),
    key_id: str = typer.Option("", "--key-id", help="Id of the new key (default: generated)."),
) -> None:
    """Re-encrypt every encrypted column of every service under the current key (a new one by default).

    One transaction per batch; safe to interrupt and to run again (values already
    under the current key are left alone). Prints the values re-encrypted per service."""
    services = _services(service)
    path = key_ring_path()
    url = database_url()
    ring = KeyRing.from_file(path)
    if new_key:
        ring = ring.rotated(key_id or None)
        save_ring(ring, path)  # before any value is written with it
        console.print(f"New current key [bold]{ring.current}[/bold] saved in {path}")
    from rapidreview.kernel.rotation import RotationError

    try:
        done = asyncio.run(reencrypt(url, ring, services))
    except RotationError as exc:
        console.print(f"[red]cannot re-encrypt {exc}[/red]; values before it are done, run again once fixed")
        raise typer.Exit(1) from None
    table = Table(title=f"Re-encrypted under {ring.current}")
    table.add_column("service")
    table.add_column("values", justify="right")
    for name in services:
        table.add_row(name, str(done[name]) if name in done else "not deployed")
    console.print(table)
    left = keys_in_use(asyncio.run(census(url, services))) - {ring.current}
    if left:
        # Running services wrote with an old key meanwhile: they have not been restarted yet.
        console.print(f"[yellow]Values under {', '.join(sorted(left))} appeared meanwhile: restart the services and run "
                      "`keys rotate --no-new-key` again.[/yellow]")
        raise typer.Exit(1)
    if new_key:
        console.print("Restart the services so that they read and write with the new key.")
    console.print(f"Every stored value is under {ring.current}. Old keys can be retired with `rapidreview keys retire KEY`.")


@keys_app.command()
def retire(
    key_id: str = typer.Argument(..., help="The key to remove from the ring."),
    service: list[str] = ServiceOption,
) -> None:
    """Remove a key from the ring, once no stored value of the services using the ring needs it."""
    path = key_ring_path()
    ring = KeyRing.from_file(path)
    if key_id not in ring.keys:
        console.print(f"[red]{key_id} is not in the ring[/red]")
        raise typer.Exit(1)
    if key_id == ring.current:
        console.print(f"[red]{key_id} is the current key; add a new one first[/red]")
        raise typer.Exit(1)
    counts = asyncio.run(census(database_url(), _services(service)))
    users = sorted(f"{s}: {c}" for s, columns in counts.items() for c, per_key in columns.items() if per_key.get(key_id))
    if users:
        console.print(f"[red]{key_id} still encrypts stored values ({'; '.join(users)}); run `keys rotate --no-new-key` first[/red]")
        raise typer.Exit(1)
    keys = {k: v for k, v in ring.keys.items() if k != key_id}
    save_ring(KeyRing(keys, ring.current, ring.index_key), path)
    console.print(f"Retired {key_id}. Backups taken before the rotation still need it: archive it with them.")
