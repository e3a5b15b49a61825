"""`rapidreview dlq`: the dead-letter stream for operators (kernel/dead_letters.py says what
replaying does). Connects as the operators' NATS user: RR_NATS_URL with RR_NATS_USER=admin and
its password, or the running embedded stack's."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from rapidreview.cli.client import operator_nats_options

console = Console()
dlq_app = typer.Typer(help="Dead letters: list, show, replay or discard the events a consumer gave up on.", no_args_is_help=True)

SERVICE = typer.Option("", "--service", help="Only dead letters of this service")
CONSUMER = typer.Option("", "--consumer", help="Only dead letters of this durable consumer")


def register(app: typer.Typer) -> None:
    app.add_typer(dlq_app, name="dlq")


def _run(work):  # type: ignore[no-untyped-def]
    import nats

    from rapidreview.kernel.dead_letters import DeadLetterQueue

    async def run():  # type: ignore[no-untyped-def]
        nc = await nats.connect(**operator_nats_options())
        try:
            return await work(DeadLetterQueue(nc.jetstream(timeout=10)))
        finally:
            await nc.close()

    return asyncio.run(run())


def _row(letter: Any) -> dict[str, Any]:
    return {
        "seq": letter.seq, "service": letter.service, "consumer": letter.consumer, "subject": letter.original_subject,
        "event_type": letter.event_type, "event_id": letter.event_id, "case_id": letter.case_id,
        "deliveries": letter.deliveries, "reason": letter.reason,
        "dead_lettered_at": letter.dead_lettered_at.isoformat() if letter.dead_lettered_at else "",
    }


@dlq_app.command("list")
def dlq_list(service: str = SERVICE, consumer: str = CONSUMER,
             limit: int = typer.Option(100, "--limit", min=1, help="At most this many, oldest first"),
             as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table")) -> None:
    """Dead letters, oldest first: where each came from, why, and how often it was tried."""
    letters = _run(lambda q: q.list(service=service, consumer=consumer, limit=limit))
    if as_json:
        for letter in letters:
            typer.echo(json.dumps(_row(letter)))
        return
    table = Table(title=f"Dead letters ({len(letters)})")
    for col in ("seq", "when", "consumer", "event", "case", "tries", "reason"):
        table.add_column(col, overflow="fold")
    for letter in letters:
        when = letter.dead_lettered_at.strftime("%Y-%m-%d %H:%M:%S") if letter.dead_lettered_at else ""
        table.add_row(str(letter.seq), when, letter.consumer, letter.event_type or "(unreadable)", letter.case_id,
                      str(letter.deliveries), letter.reason)
    console.print(table)


@dlq_app.command("show")
def dlq_show(seq: int = typer.Argument(..., help="The dead letter's sequence (from `dlq list`)"),
             payload: bool = typer.Option(False, "--payload", help="Also print the event's envelope and payload as JSON "
                                                                   "(events hold no free text; the child reference is pseudonymous)")) -> None:
    """One dead letter in full."""
    try:
        letter = _run(lambda q: q.get(seq))
    except KeyError:
        console.print(f"No dead letter {seq}.")
        raise typer.Exit(1) from None
    for key, value in _row(letter).items():
        console.print(f"{key:>17}: {value}")
    console.print(f"{'bytes':>17}: {letter.size}   replayable: {'yes' if letter.replayable else 'no (garbage; discard it)'}")
    if payload and letter.replayable:
        from google.protobuf import json_format

        from rapidreview.kernel.events import decode_envelope

        typer.echo(json_format.MessageToJson(decode_envelope(letter.letter.original_data)))


def _select(seqs: list[int], every: bool, service: str, consumer: str) -> list[int]:
    if bool(seqs) == every:
        raise typer.BadParameter("give the sequences of the dead letters, or --all (with --service / --consumer to narrow it)")
    if seqs:
        return seqs
    return [letter.seq for letter in _run(lambda q: q.list(service=service, consumer=consumer, limit=1_000_000))]


@dlq_app.command("replay")
def dlq_replay(seqs: list[int] = typer.Argument(None, help="Sequences of the dead letters"),
               every: bool = typer.Option(False, "--all", help="Every dead letter (of --service / --consumer)"),
               service: str = SERVICE, consumer: str = CONSUMER,
               keep: bool = typer.Option(False, "--keep", help="Keep the dead letters after replaying them")) -> None:
    """Re-publish each event to its original subject as a new delivery (consumers that already
    processed it skip it: their inbox has its id), then remove the dead letter."""
    chosen = _select(seqs or [], every, service, consumer)

    async def work(q):  # type: ignore[no-untyped-def]
        done, failed = [], []
        for seq in chosen:
            try:
                done.append((seq, await q.replay(seq, keep=keep)))
            except (KeyError, ValueError) as exc:
                failed.append((seq, str(exc) if isinstance(exc, ValueError) else "no such dead letter"))
        return done, failed

    done, failed = _run(work)
    for seq, event_seq in done:
        console.print(f"dead letter {seq}: replayed as event {event_seq}" + ("" if keep else ", removed"))
    for seq, why in failed:
        console.print(f"[red]dead letter {seq}: not replayed[/red]: {why}")
    if failed:
        raise typer.Exit(1)


@dlq_app.command("discard")
def dlq_discard(seqs: list[int] = typer.Argument(None, help="Sequences of the dead letters"),
                every: bool = typer.Option(False, "--all", help="Every dead letter (of --service / --consumer)"),
                service: str = SERVICE, consumer: str = CONSUMER,
                yes: bool = typer.Option(False, "--yes", help="Do it (discarding cannot be undone)")) -> None:
    """Remove dead letters for good, without replaying them."""
    chosen = _select(seqs or [], every, service, consumer)
    if not yes:
        console.print(f"{len(chosen)} dead letter(s) would be removed for good; add --yes to do it.")
        raise typer.Exit(1)

    async def work(q):  # type: ignore[no-untyped-def]
        missing = []
        for seq in chosen:
            try:
                await q.discard(seq)
            except KeyError:
                missing.append(seq)
        return missing

    missing = _run(work)
    console.print(f"{len(chosen) - len(missing)} dead letter(s) discarded." + (f" Not found: {missing}" if missing else ""))
    if missing:
        raise typer.Exit(1)
