"""Criteria commands: a case's checklist, its summary for the advisory group,
an explicit re-evaluation, why a criterion came out as it did, and earlier
reviews imported from a file. `example_steps` is the criteria part of the
README's example flow."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import grpc
import typer
from rich.console import Console
from rich.table import Table

from rapidreview.cli.client import channel, data_dir, fail_on_rpc_error, metadata, read_json_message
from rapidreview.kernel.auth import Role
from rapidreview.v1 import common_pb2, criteria_pb2, criteria_pb2_grpc

console = Console()

OUTCOME_STYLE = {
    common_pb2.OUTCOME_MET: "green",
    common_pb2.OUTCOME_INDICATED: "yellow",
    common_pb2.OUTCOME_NEEDS_JUDGEMENT: "magenta",
}


def register(app: typer.Typer) -> None:
    app.command()(checklist)
    app.command()(summary)
    app.command()(reevaluate)
    app.command()(explain)
    app.command("import-reviews")(import_reviews)


def _label(value: int) -> str:
    return common_pb2.Outcome.Name(value).removeprefix("OUTCOME_").replace("_", " ").lower()


def print_checklist(checklist: criteria_pb2.Checklist, out: Console = console) -> None:
    """Prints a checklist: every criterion with outcome, rationale and evidence, the clocks, the statement."""
    trigger = criteria_pb2.EvaluationTrigger.Name(checklist.trigger).removeprefix("EVALUATION_TRIGGER_").lower()
    out.print(f"Case [bold]{checklist.case_id}[/bold]  {checklist.child_ref}  edition "
              f"{common_pb2.Edition.Name(checklist.edition).removeprefix('EDITION_').lower()} {checklist.edition_version}  "
              f"evaluation {checklist.evaluation_id or '(what-if)'} ({trigger}, clocks as on {checklist.evaluated_on})")
    if checklist.partial:
        out.print("[yellow]Returns are still missing: judgement criteria may change when they arrive.[/yellow]")
    table = Table(title="Checklist (RULES.md sections 1-3)", show_lines=True)
    for col in ("criterion", "outcome", "why", "evidence"):
        table.add_column(col, overflow="fold")
    for c in checklist.criteria:
        style = OUTCOME_STYLE.get(c.outcome, "")
        outcome = f"[{style}]{_label(c.outcome)}[/{style}]" if style else _label(c.outcome)
        table.add_row(c.rule_id, outcome, c.rationale, "\n".join(c.evidence))
    out.print(table)
    clocks = Table(title="Statutory clocks")
    for col in ("clock", "from", "due", "working days left", "done", "late / overdue"):
        clocks.add_column(col)
    for clock in checklist.clocks:
        flag = "late" if clock.late else ("overdue" if clock.overdue else "")
        clocks.add_row(clock.id, clock.starts_from, clock.effective_due or clock.due,
                       "-" if clock.completed_on else str(clock.working_days_left), clock.completed_on or "-", flag)
    out.print(clocks)
    out.print(f"[bold]{checklist.not_automatic_statement}[/bold]")


async def _get_checklist(case_id: str, evaluation_id: str = "") -> criteria_pb2.Checklist:
    async with channel("criteria") as ch:
        return (await criteria_pb2_grpc.CriteriaServiceStub(ch).GetChecklist(
            criteria_pb2.GetChecklistRequest(case_id=case_id, evaluation_id=evaluation_id),
            metadata=metadata(Role.BUSINESS_UNIT), timeout=15)).checklist


async def _render(case_id: str, fmt: int, evaluation_id: str = "") -> criteria_pb2.RenderSummaryResponse:
    async with channel("criteria") as ch:
        return await criteria_pb2_grpc.CriteriaServiceStub(ch).RenderSummary(
            criteria_pb2.RenderSummaryRequest(case_id=case_id, evaluation_id=evaluation_id, format=fmt),
            metadata=metadata(Role.BUSINESS_UNIT), timeout=60)


def checklist(
    case_id: str = typer.Argument(..., help="The case id"),
    evaluation: str = typer.Option("", "--evaluation", help="A stored evaluation id; default the latest"),
) -> None:
    """Show a case's latest checklist (or a given evaluation's)."""
    try:
        print_checklist(asyncio.run(_get_checklist(case_id, evaluation)))
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)


def summary(
    case_id: str = typer.Argument(..., help="The case id"),
    pdf: Path | None = typer.Option(None, "--pdf", help="Write the PDF summary here", dir_okay=False),
    html: Path | None = typer.Option(None, "--html", help="Write the HTML summary here", dir_okay=False),
    markdown: Path | None = typer.Option(None, "--markdown", help="Write the Markdown summary here", dir_okay=False),
    evaluation: str = typer.Option("", "--evaluation", help="A stored evaluation id; default the latest"),
) -> None:
    """Write the advisory-group summary of a case as PDF, HTML and/or Markdown."""
    targets = [(path, fmt) for path, fmt in ((pdf, criteria_pb2.SUMMARY_FORMAT_PDF), (html, criteria_pb2.SUMMARY_FORMAT_HTML),
                                             (markdown, criteria_pb2.SUMMARY_FORMAT_MARKDOWN)) if path is not None]
    if not targets:
        raise typer.BadParameter("give at least one of --pdf, --html, --markdown")
    for path, fmt in targets:
        try:
            response = asyncio.run(_render(case_id, fmt, evaluation))
        except grpc.aio.AioRpcError as exc:
            fail_on_rpc_error(exc)
        path.write_bytes(response.content)
        console.print(f"{path} ({response.media_type.split(';')[0]}, evaluation {response.evaluation_id})")


def reevaluate(
    case_id: str = typer.Argument(..., help="The case id"),
    reason: str = typer.Option(..., "--reason", help="Why the case is re-evaluated (recorded)"),
    edition: str = typer.Option("", "--edition", help='Re-pin to another edition version, e.g. "wt2023@2023.2"'),
) -> None:
    """Re-evaluate a case now, optionally under another edition version; prints the new checklist."""

    async def call() -> criteria_pb2.Checklist:
        async with channel("criteria") as ch:
            return (await criteria_pb2_grpc.CriteriaServiceStub(ch).ReevaluateCase(
                criteria_pb2.ReevaluateCaseRequest(case_id=case_id, reason=reason, edition_version=edition),
                metadata=metadata(Role.BUSINESS_UNIT), timeout=30)).checklist

    try:
        print_checklist(asyncio.run(call()))
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)


def explain(
    case_id: str = typer.Argument(..., help="The case id"),
    rule_id: str = typer.Argument(..., help="A RULES.md id, e.g. LOCAL.MULTI_AGENCY"),
    evaluation: str = typer.Option("", "--evaluation", help="A stored evaluation id; default the latest"),
) -> None:
    """Explain one criterion's outcome: the rule, its conditions, the facts it read, the evidence."""

    async def call() -> criteria_pb2.ExplainCriterionResponse:
        async with channel("criteria") as ch:
            return await criteria_pb2_grpc.CriteriaServiceStub(ch).ExplainCriterion(
                criteria_pb2.ExplainCriterionRequest(case_id=case_id, rule_id=rule_id, evaluation_id=evaluation),
                metadata=metadata(Role.BUSINESS_UNIT), timeout=15)

    try:
        response = asyncio.run(call())
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)
    o = response.outcome
    console.print(f"[bold]{o.rule_id}[/bold] {response.title} ({response.edition_version})")
    console.print(f"Outcome: [bold]{_label(o.outcome)}[/bold] — {o.rationale}")
    console.print(f"Source: {o.citation}")
    console.print("Conditions, tried in order:\n  " + response.condition.replace("\n", "\n  "))
    console.print("Facts read:\n  " + ("\n  ".join(response.facts_read) or "none"))
    if o.evidence:
        console.print("Evidence:\n  " + "\n  ".join(o.evidence))


def import_reviews(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="ImportEarlierReviewsRequest as proto3 JSON"),
) -> None:
    """Import earlier reviews' learning themes for the partnership; open cases are re-evaluated."""
    request = read_json_message(file, criteria_pb2.ImportEarlierReviewsRequest)

    async def call() -> criteria_pb2.ImportEarlierReviewsResponse:
        async with channel("criteria") as ch:
            return await criteria_pb2_grpc.CriteriaServiceStub(ch).ImportEarlierReviews(
                request, metadata=metadata(Role.BUSINESS_UNIT), timeout=60)

    try:
        response = asyncio.run(call())
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)
    console.print(f"Imported {response.imported} earlier review(s); re-evaluated {len(response.reevaluated_case_ids)} open case(s).")


async def wait_for_checklist(case_id: str, *, trigger: int = 0, timeout: float = 30.0) -> criteria_pb2.Checklist:
    """The case's latest checklist once criteria has evaluated it (the events
    reach criteria asynchronously); with `trigger`, waits for an
    evaluation with that trigger. Raises TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = await _get_checklist(case_id)
            if not trigger or found.trigger == trigger:
                return found
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"criteria has not evaluated case {case_id} within {timeout:.0f} s")
        await asyncio.sleep(0.5)


async def example_steps(console: Console, case_id: str) -> Path:
    """The criteria steps of the example flow: prints the case's latest
    checklist and writes its PDF summary into the data folder; returns the PDF's path."""
    found = await wait_for_checklist(case_id)
    console.rule("Criteria checklist")
    print_checklist(found, console)
    response = await _render(case_id, criteria_pb2.SUMMARY_FORMAT_PDF, found.evaluation_id)
    target = data_dir() / "summaries" / f"summary-{case_id}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(response.content)
    console.print(f"Advisory-group summary (PDF): {target}")
    return target
