"""`rapidreview audit`: verify the decisions audit trail (its hash chains through the API, and
the database against the latest signed checkpoint), export checkpoints, and sign one now.

The checkpoint part reads what an operator holds, never the decisions service: the latest
checkpoint from NATS as the operators' user (or an exported file), the checkpoint public keys
(`RR_AUDIT_PUBLIC_KEYS_FILE`) and the database (`RR_DATABASE_URL`, a read-only role is
enough); with the embedded stack all three come from its data folder.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from rapidreview.cli.client import data_dir, database_url, operator_nats_options, stack_state
from rapidreview.cli.decisions import _call, print_verification
from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D

console = Console()
audit_app = typer.Typer(help="The decisions audit trail: verify it, and its signed checkpoints.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


def _key_file(variable: str, embedded_name: str) -> Path | None:
    configured = os.environ.get(variable)
    if configured:
        return Path(configured)
    embedded = data_dir() / "credentials" / embedded_name
    return embedded if embedded.exists() else None


def _public_keys() -> dict[str, Any]:
    from rapidreview.decisions.checkpoints import load_public_keys

    path = _key_file("RR_AUDIT_PUBLIC_KEYS_FILE", "audit-public-keys.pem")
    if path is None:
        raise typer.BadParameter("no RR_AUDIT_PUBLIC_KEYS_FILE and no embedded stack: cannot check a checkpoint's signature")
    return load_public_keys(path)


async def _with_nats(work):  # type: ignore[no-untyped-def]
    import nats

    from rapidreview.decisions.checkpoints import CheckpointStore

    nc = await nats.connect(**operator_nats_options())
    try:
        return await work(CheckpointStore(nc.jetstream(timeout=10)))
    finally:
        await nc.close()


async def _with_repository(work):  # type: ignore[no-untyped-def]
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from rapidreview.decisions.storage import DecisionRepository

    engine = create_async_engine(database_url(), hide_parameters=True)
    try:
        async with AsyncSession(engine) as session, session.begin():
            return await work(DecisionRepository(session, cipher=None))  # type: ignore[arg-type] - clear columns only
    finally:
        await engine.dispose()


def _load_signed(checkpoint_file: Path | None):  # type: ignore[no-untyped-def]
    from rapidreview.decisions.checkpoints import SignedCheckpoint

    if checkpoint_file is not None:
        return SignedCheckpoint.from_export(json.loads(checkpoint_file.read_text(encoding="utf-8")))
    return asyncio.run(_with_nats(lambda store: store.latest()))


def check_anchors(checkpoint_file: Path | None, case_id: str = "") -> tuple[Any, list[Any]]:
    """(verified checkpoint, contradicting cases) for the latest checkpoint or `checkpoint_file`;
    (None, []) when there is no checkpoint yet. Raises CheckpointError for a bad one."""
    from rapidreview.decisions.checkpoints import anchor_findings, open_checkpoint

    signed = _load_signed(checkpoint_file)
    if signed is None:
        return None, []
    checkpoint = open_checkpoint(signed, _public_keys())
    if case_id:
        from dataclasses import replace

        checkpoint = replace(checkpoint, heads=tuple(h for h in checkpoint.heads if h.case_id == case_id))
    return checkpoint, asyncio.run(_with_repository(lambda repo: anchor_findings(repo, checkpoint)))


def _print_anchors(checkpoint: Any, findings: list[Any]) -> None:
    when = checkpoint.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    about = f"checkpoint {checkpoint.checkpoint_id} of {when} ({len(checkpoint.heads)} case(s), key {checkpoint.key_id})"
    if not findings:
        console.print(f"[green]Anchors intact[/green]: every case of {about} is in the database as anchored.")
        return
    console.print(f"[red]Anchors NOT intact[/red]: {len(findings)} case(s) deleted or rewritten since {about}.")
    table = Table(title="Cases the checkpoint contradicts")
    for col in ("case", "anchored entry #", "problem", "what"):
        table.add_column(col, overflow="fold")
    for f in findings:
        table.add_row(f.case_id, str(f.sequence), f.problem, f.description)
    console.print(table)


def _anchors_at_hand(checkpoint_file: Path | None) -> bool:
    """Whether the public keys, a checkpoint and the database are configured (or the embedded
    stack is running), so `verify` checks the anchors without being asked."""
    keys = _key_file("RR_AUDIT_PUBLIC_KEYS_FILE", "audit-public-keys.pem") is not None
    state = stack_state()
    checkpoint = checkpoint_file is not None or bool(os.environ.get("RR_NATS_URL") or state.get("nats_url"))
    database = bool(os.environ.get("RR_DATABASE_URL") or os.environ.get("RR_DATABASE_URL_FILE") or state.get("database_url"))
    return keys and checkpoint and database


@audit_app.command("verify")
def audit_verify(
    case_id: str = typer.Option("", "--case", help="One case; default: every case of your partnership"),
    checkpoint_file: Path = typer.Option(None, "--checkpoint", help="An exported checkpoint to check against, instead of the latest in NATS"),
    anchor: bool = typer.Option(None, "--anchor/--no-anchor",
                                help="Check the database against the checkpoint (default: when the keys and a database are at hand)"),
) -> None:
    """Verify the hash chains of the audit trail and name every entry changed or deleted; then check
    the database against the latest signed checkpoint and name every case deleted or rewritten
    since (exit 1 if anything is wrong)."""
    from rapidreview.decisions.checkpoints import CheckpointError

    result = _call(Role.AUDITOR, lambda stub, md: stub.VerifyAuditTrail(D.VerifyAuditTrailRequest(case_id=case_id), metadata=md, timeout=120))
    print_verification(result)
    wrong = not result.intact
    if anchor is None:
        anchor = _anchors_at_hand(checkpoint_file)
    if not anchor:
        console.print("Anchors not checked: a consistent rewrite or deletion of a whole case is only caught against a checkpoint.")
    else:
        try:
            checkpoint, findings = check_anchors(checkpoint_file, case_id)
        except CheckpointError as exc:
            console.print(f"[red]The checkpoint cannot be trusted[/red]: {exc}")
            raise typer.Exit(1) from None
        if checkpoint is None:
            console.print("[yellow]No checkpoint yet[/yellow]: nothing anchors the trail (is RR_AUDIT_SIGNING_KEY_FILE set on decisions?).")
            wrong = True
        else:
            _print_anchors(checkpoint, findings)
            wrong = wrong or bool(findings)
    if wrong:
        raise typer.Exit(1)


@audit_app.command("export")
def audit_export(
    out: Path = typer.Option(None, "--out", help="Write here instead of standard output"),
    every: bool = typer.Option(False, "--all", help="Every checkpoint still in the stream (JSON lines), not only the latest"),
) -> None:
    """Export the latest (or every) signed checkpoint with its heads, for keeping away from the
    stack; `audit verify --checkpoint FILE` checks the database against an exported one."""
    from rapidreview.decisions.checkpoints import open_checkpoint

    signed = asyncio.run(_with_nats(lambda store: store.all() if every else store.latest()))
    items = signed if every else ([signed] if signed is not None else [])
    if not items:
        console.print("No checkpoint in the stream yet.")
        raise typer.Exit(1)
    keys = _public_keys()
    for item in items:
        open_checkpoint(item, keys)  # only what verifies leaves
    text = "\n".join(json.dumps(item.to_export()) for item in items) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"{len(items)} checkpoint(s) written to {out}")


@audit_app.command("checkpoint")
def audit_checkpoint(
    acknowledge: str = typer.Option("", "--acknowledge", help="Sign even though cases were deleted or rewritten since the latest "
                                                             "checkpoint (e.g. after restoring a backup); the reason is signed with it"),
) -> None:
    """Sign and publish a checkpoint now (decisions makes one every RR_AUDIT_CHECKPOINT_INTERVAL);
    needs the signing key (RR_AUDIT_SIGNING_KEY_FILE), the database and the operators' NATS user."""
    from rapidreview.decisions.checkpoints import load_signing_key, make_checkpoint
    from rapidreview.kernel.db import Database

    key_path = _key_file("RR_AUDIT_SIGNING_KEY_FILE", "audit-signing-key.pem")
    if key_path is None:
        raise typer.BadParameter("no RR_AUDIT_SIGNING_KEY_FILE and no embedded stack")
    key = load_signing_key(key_path)
    public_path = _key_file("RR_AUDIT_PUBLIC_KEYS_FILE", "audit-public-keys.pem")

    async def run():  # type: ignore[no-untyped-def]
        from rapidreview.decisions.checkpoints import load_public_keys

        db = Database(database_url(), pool_size=1)
        try:
            return await _with_nats(lambda store: make_checkpoint(
                db, store, key, load_public_keys(public_path) if public_path else {}, now=dt.datetime.now(dt.UTC),
                acknowledge=acknowledge, keepalive=dt.timedelta(0)))
        finally:
            await db.dispose()

    from rapidreview.decisions.checkpoints import CheckpointError

    try:
        outcome = asyncio.run(run())
    except CheckpointError as exc:
        console.print(f"[red]Not signed[/red]: the latest checkpoint cannot be trusted ({exc}); "
                      "is the key that signed it in RR_AUDIT_PUBLIC_KEYS_FILE?")
        raise typer.Exit(1) from None
    if outcome.result == "refused":
        _print_anchors(outcome.checkpoint, outcome.findings)
        console.print("[red]Not signed[/red]: the database contradicts the latest checkpoint (--acknowledge REASON signs past it).")
        raise typer.Exit(1)
    made = outcome.checkpoint
    console.print(f"Checkpoint {made.checkpoint_id} signed ({len(made.heads)} case(s), root {made.root[:16]}..., key {made.key_id})"
                  + (f"; acknowledged {len(outcome.findings)} case(s) deleted or rewritten" if outcome.findings else ""))
