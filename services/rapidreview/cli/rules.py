"""Rules commands, local and serverless: `rules test` runs the scenario tests
next to the rule files; `evaluate` evaluates a CaseFacts JSON file."""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from pathlib import Path

import typer
from google.protobuf import json_format
from rich.console import Console
from rich.table import Table

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.rules import EditionNotFound, Evaluation, InvalidFacts, RuleFileError, Rulebook, validate_facts
from rapidreview.rules.model import outcome_label, status_label
from rapidreview.rules.rulebook import default_rules_dir
from rapidreview.rules.lint import LintProblem, check_preconditions, lint_qualification
from rapidreview.rules.preconditions import markdown
from rapidreview.rules.scenarios import EditionReport, ScenarioFileError, run_all
from rapidreview.v1 import facts_pb2

console = Console()
rules_app = typer.Typer(help="Rule editions: scenario tests and coverage.", no_args_is_help=True)


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
    app.command("evaluate")(evaluate)


def _load(rules_dir: Path | None) -> Rulebook:
    try:
        return Rulebook.load(rules_dir or default_rules_dir())
    except (RuleFileError, FileNotFoundError) as exc:
        console.print(f"[red]cannot load the rules: {exc}[/red]")
        raise typer.Exit(2) from None


def _print_report(report: EditionReport, out: Console) -> None:
    results = Table(title=f"Scenarios of {report.edition} {report.version}")
    for col in ("scenario", "file", "result"):
        results.add_column(col)
    for r in report.results:
        verdict = "[green]pass[/green]" if r.passed else "[red]FAIL[/red]\n" + "\n".join(r.failures)
        results.add_row(r.scenario.name, r.scenario.file.name, verdict)
    out.print(results)
    coverage = Table(title=f"Rule coverage of {report.edition} {report.version}")
    for col in ("rule", "fired", "not fired", "outcomes taken", "gaps"):
        coverage.add_column(col)
    for c in report.coverage:
        coverage.add_row(
            c.rule_id,
            str(c.fired),
            str(c.not_fired),
            ", ".join(sorted(k.split("#", 1)[1] for k in c.taken)),
            "[red]" + "; ".join(c.gaps) + "[/red]" if c.gaps else "[green]none[/green]",
        )
    out.print(coverage)


@rules_app.command("test")
def test(
    rules_dir: Path = typer.Option(None, "--rules-dir", help="Rules folder (default: $RR_RULES_DIR or the repository's rules/)"),
) -> None:
    """Run every edition's scenario tests and the rule lint; exit 1 on a failure,
    a coverage gap or a lint problem."""
    book = _load(rules_dir)
    try:
        reports = run_all(book)
    except ScenarioFileError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    for report in reports:
        _print_report(report, console)
    problems: list[LintProblem] = []
    cases = 0
    for info in book.editions:
        edition = book.loaded(info)
        problems += lint_qualification(edition)
        checked, found = check_preconditions(book.engine, edition)
        cases += checked
        problems += found
    for problem in problems:
        console.print(f"[red]lint: {problem}[/red]")
    failed = sum(not r.passed for rep in reports for r in rep.results)
    gaps = sum(bool(c.gaps) for rep in reports for c in rep.coverage)
    total = sum(len(rep.results) for rep in reports)
    for rep in reports:
        covered = sum(not c.gaps for c in rep.coverage)
        console.print(f"{rep.edition} {rep.version}: {len(rep.results)} scenarios; "
                      f"{covered} of {len(rep.coverage)} evaluated rules fully covered")
    console.print(f"rule lint: {len(problems)} problem(s); preconditions checked on {cases} generated cases")
    if failed or gaps or problems:
        console.print(f"[red]{failed} of {total} scenarios failed; {gaps} rules with coverage gaps; "
                      f"{len(problems)} lint problems[/red]")
        raise typer.Exit(1)
    console.print(f"[green]{total} scenarios passed; every rule fired and did not fire; the lint is clean[/green]")


@rules_app.command("preconditions")
def preconditions_doc(
    rules_dir: Path = typer.Option(None, "--rules-dir", help="Rules folder (default: $RR_RULES_DIR or the repository's rules/)"),
    write: Path = typer.Option(None, "--write", help="Replace the preconditions section of this Markdown file"),
) -> None:
    """Print every rule's preconditions as Markdown (the table in docs/rules.md)."""
    text = preconditions_markdown(_load(rules_dir))
    if write is None:
        typer.echo(text, nl=False)
        return
    doc = write.read_text(encoding="utf-8")
    try:
        start = doc.index(PRECONDITIONS_BEGIN) + len(PRECONDITIONS_BEGIN)
        end = doc.index(PRECONDITIONS_END)
    except ValueError:
        console.print(f"[red]{write} has no {PRECONDITIONS_BEGIN} ... {PRECONDITIONS_END} section[/red]")
        raise typer.Exit(2) from None
    write.write_text(doc[:start] + "\n" + text + doc[end:], encoding="utf-8")


PRECONDITIONS_BEGIN = "<!-- preconditions: generated by `rapidreview rules preconditions --write docs/rules.md` -->"
PRECONDITIONS_END = "<!-- end of preconditions -->"


def preconditions_markdown(book: Rulebook) -> str:
    """The preconditions tables of the latest version of each edition."""
    latest = {info.name: info for info in book.editions}
    return markdown([(f"{info.name} {info.version}", book.rules(info)) for info in latest.values()])


def _print_evaluation(ev: Evaluation, out: Console) -> None:
    table = Table(title=f"Checklist ({ev.edition} {ev.version}, today {ev.today.isoformat()})")
    table.add_column("criterion", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    table.add_column("status")
    table.add_column("rationale", ratio=3)
    table.add_column("evidence", ratio=1)
    for o in ev.outcomes:
        table.add_row(o.rule_id, outcome_label(o.outcome), status_label(o.status), o.rationale, "\n".join(o.evidence))
    out.print(table)
    clocks = Table(title="Statutory clocks")
    for col in ("clock", "from", "due", "working days left", "done", "late / overdue"):
        clocks.add_column(col)
    for c in ev.clocks:
        flag = "late" if c.late else ("overdue" if c.overdue else "")
        clocks.add_row(c.id, c.starts_from, c.due, str(c.working_days_left), c.completed_on or "-", flag)
    out.print(clocks)


def evaluate(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CaseFacts as proto3 JSON"),
    edition: str = typer.Option(None, "--edition", help="wt2018 or wt2023 (default: in force on la_aware_date)"),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
    today: str = typer.Option(None, "--today", help="Evaluate as on this date (YYYY-MM-DD) instead of today"),
    rules_dir: Path = typer.Option(None, "--rules-dir", help="Rules folder (default: $RR_RULES_DIR or the repository's rules/)"),
) -> None:
    """Evaluate a CaseFacts file locally (no servers) and print the checklist and clocks."""
    try:
        facts = json_format.Parse(file.read_text(encoding="utf-8"), facts_pb2.CaseFacts())
    except (json_format.ParseError, UnicodeDecodeError) as exc:
        console.print(f"[red]{file} is not CaseFacts JSON: {exc}[/red]")
        raise typer.Exit(2) from None
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        console.print(f"[red]--today must be YYYY-MM-DD, found {today!r}[/red]")
        raise typer.Exit(2) from None
    violations = validate_facts(facts, today=day)
    if violations:
        console.print("[red]invalid facts:[/red]")
        for path, text in violations:
            console.print(f"  {path}: {text}")
        raise typer.Exit(2)
    book = _load(rules_dir)
    try:
        in_force = book.edition_for(facts.la_aware_date)
        chosen = book.edition(edition) if edition else in_force
        if chosen.name != in_force.name:
            raise EditionNotFound(
                f"{chosen.name} does not cover la_aware_date {facts.la_aware_date} (the case is pinned to "
                f"{in_force.name}); available: {', '.join(i.describe() for i in book.editions)}"
            )
        ev = book.evaluate(facts, edition=chosen, calendar=WorkingDayCalendar(lambda: day))
    except (EditionNotFound, InvalidFacts) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if output is OutputFormat.json:
        typer.echo(json.dumps(ev.to_dict(), indent=2))
    else:
        _print_evaluation(ev, console)
