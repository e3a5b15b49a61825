"""Decisions commands: drive a case from the RAG recommendation to publication
with proto3-JSON request files, show its decision state, and read or verify
the audit trail (`rapidreview timeline CASE`; `rapidreview audit ...` is cli/audit.py).

Each command takes the request as a file (see docs/examples/decisions/), sets
the case id from `--case`, and fills the id of the step it builds on (the
evaluation, recommendation, decision or submission) from the case's current
state when the file leaves it empty. `example_steps` is the decisions part of
the README's example flow.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import grpc
import typer
from google.protobuf import message
from rich.console import Console
from rich.table import Table

from rapidreview.cli.client import channel, fail_on_rpc_error, metadata, read_json_message
from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.v1 import decisions_pb2_grpc

console = Console()
EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "decisions"
T = TypeVar("T")
Stub = decisions_pb2_grpc.DecisionServiceStub

decisions_app = typer.Typer(help="Record the people's decisions and the CSPR lifecycle (decisions service).", no_args_is_help=True)

CASE = typer.Option("", "--case", help="The case id (overrides the file's caseId)")


def register(app: typer.Typer) -> None:
    app.add_typer(decisions_app, name="decisions")
    app.command("timeline")(timeline)


def _call(role: Role, work: Callable[[Stub, Any], Awaitable[T]]) -> T:
    """Runs one exchange with the decisions service as `role`; prints a failed call and exits 1."""

    async def run() -> T:
        async with channel("decisions") as ch:
            return await work(Stub(ch), metadata(role))

    try:
        return asyncio.run(run())
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)
        raise  # unreachable: fail_on_rpc_error exits


def _request(file: Path, message_type: type[T], case_id: str) -> T:
    request = read_json_message(file, message_type)
    if case_id:
        request.case_id = case_id  # type: ignore[attr-defined]
    if not request.case_id:  # type: ignore[attr-defined]
        raise typer.BadParameter("no case id: pass --case or set caseId in the file")
    return request


def _name(enum: Any, value: int, prefix: str) -> str:
    return enum.Name(value).removeprefix(prefix).replace("_", " ").lower() if value in enum.values() and value else "-"


async def _state(stub: Stub, md: Any, case_id: str) -> D.CaseState:
    return (await stub.GetCase(D.GetCaseRequest(case_id=case_id), metadata=md, timeout=15)).case


def _require(value: str, what: str) -> str:
    if not value:
        raise typer.BadParameter(f"the case has no {what} yet")
    return value


# -- printing ------------------------------------------------------------------------

def print_case(case: D.CaseState, out: Console = console) -> None:
    """The decision state of a case: stage, next step, history and clocks."""
    out.print(f"Case [bold]{case.case_id}[/bold]  stage [bold]{_name(D.CaseStage, case.stage, 'CASE_STAGE_')}[/bold]  round {case.round}")
    out.print(f"Next: {case.next_step}")
    history = Table(title="Decisions (history kept, oldest first)")
    for col in ("step", "id", "what", "date", "notes"):
        history.add_column(col, overflow="fold")
    for r in case.recommendations:
        history.add_row(f"recommendation (round {r.round})", r.recommendation_id, _name(D.ReviewDecision, r.recommendation, "REVIEW_DECISION_"),
                        r.meeting_date, "superseded" if r.superseded else f"evaluation {r.evaluation_id}")
    for d in case.decisions:
        history.add_row(f"decision (round {d.round})", d.decision_id, _name(D.ReviewDecision, d.decision, "REVIEW_DECISION_"),
                        d.decided_on, _name(D.ExecutiveView, d.view, "EXECUTIVE_VIEW_") + (", national importance" if d.national_importance else ""))
    for s in case.panel_submissions:
        history.add_row("sent to the Panel", s.submission_id, "", s.sent_date,
                        f"RR.DEADLINE {s.rapid_review_due or 'unknown'}" + (" [red]late[/red]" if s.late else ""))
    for p in case.panel_responses:
        history.add_row("Panel response", p.response_id, _name(D.PanelResponseKind, p.kind, "PANEL_RESPONSE_KIND_"), p.responded_on, "")
    if case.HasField("review"):
        rv = case.review
        history.add_row("review commissioned", rv.review_id, f"progress checks every {rv.progress_check_weeks} weeks", rv.commissioned_on,
                        f"earliest publication {rv.earliest_publication_date}" if rv.earliest_publication_date else "")
        for m in rv.milestones:
            history.add_row("milestone", m.milestone_id, _name(D.MilestoneKind, m.kind, "MILESTONE_KIND_"), m.occurred_on, "")
        for e in rv.extensions:
            history.add_row("extension", e.extension_id, _name(D.ExtensionReason, e.reason, "EXTENSION_REASON_"), e.extended_to, "")
        for c in rv.progress_checks:
            history.add_row("progress check", c.check_id, "written request" if c.written_request_made else "", c.checked_on, "")
    if case.HasField("publication"):
        p = case.publication
        history.add_row("published", p.review_id, _name(D.PublicationKind, p.kind, "PUBLICATION_KIND_"), p.published_on,
                        f"until {p.available_until}; themes: {', '.join(p.learning_themes)}" + (" [red]late[/red]" if p.late else ""))
    out.print(history)
    if case.clocks:
        clocks = Table(title="Clocks (RULES.md section 4)")
        for col in ("clock", "from", "due", "in force", "working days left", "done", "late / overdue"):
            clocks.add_column(col)
        for c in case.clocks:
            flag = "late" if c.late else ("overdue" if c.overdue else "")
            clocks.add_row(c.id, c.starts_from, c.due, c.effective_due, "-" if c.completed_on else str(c.working_days_left),
                           c.completed_on or "-", flag)
        out.print(clocks)
    if case.actions:
        actions = Table(title="Action plan")
        for col in ("action", "owner", "due", "status"):
            actions.add_column(col, overflow="fold")
        for a in case.actions:
            status = _name(D.ActionStatus, a.status, "ACTION_STATUS_") + (" [red]overdue[/red]" if a.overdue else "")
            actions.add_row(a.action_id, a.owner_agency_id, a.due_date, status)
        out.print(actions)


def _changed(entry: D.AuditEntry) -> str:
    """Which fields an entry changed (never their values: the timeline is for the screen, not for copying)."""
    before = json.loads(entry.before_json) if entry.before_json else {}
    after = json.loads(entry.after_json) if entry.after_json else {}
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return ", ".join(keys[:8]) + (" ..." if len(keys) > 8 else "")


def print_timeline(entries: list[D.AuditEntry], out: Console = console) -> None:
    table = Table(title="Audit trail (oldest first)")
    for col in ("#", "when (UTC)", "who", "what", "record", "changed", "hash"):
        table.add_column(col, overflow="fold")
    for e in entries:
        when = e.recorded_at.ToDatetime().strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(str(e.sequence), when, f"{e.actor} ({e.actor_role})", e.action, f"{e.entity} {e.entity_id[:8]}", _changed(e), e.hash[:12])
    out.print(table)


def print_verification(result: D.VerifyAuditTrailResponse, out: Console = console) -> None:
    if result.intact:
        out.print(f"[green]Audit trail intact[/green]: {result.cases_checked} case(s), {result.entries_checked} entries checked.")
        return
    out.print(f"[red]Audit trail NOT intact[/red]: {len(result.findings)} problem(s) in {result.cases_checked} case(s), "
              f"{result.entries_checked} entries checked.")
    table = Table(title="Findings")
    for col in ("case", "entry #", "problem", "what"):
        table.add_column(col, overflow="fold")
    for f in result.findings:
        table.add_row(f.case_id, str(f.sequence), _name(D.AuditProblem, f.problem, "AUDIT_PROBLEM_"), f.description)
    out.print(table)


# -- audit (the commands are in cli/audit.py) ------------------------------------------

async def _all_entries(stub: Stub, md: Any, case_id: str) -> list[D.AuditEntry]:
    entries: list[D.AuditEntry] = []
    token = ""
    while True:
        page = await stub.GetAuditTrail(D.GetAuditTrailRequest(case_id=case_id, page_size=500, page_token=token), metadata=md, timeout=30)
        entries.extend(page.entries)
        token = page.next_page_token
        if not token:
            return entries


def timeline(case_id: str = typer.Argument(..., help="The case id"),
             as_json: bool = typer.Option(False, "--json", help="Print every entry as proto3 JSON lines (with before/after)")) -> None:
    """A case's timeline from the audit trail: who changed what, when, with each entry's hash."""
    entries = _call(Role.AUDITOR, lambda stub, md: _all_entries(stub, md, case_id))
    if as_json:
        from google.protobuf import json_format

        for e in entries:
            typer.echo(json.dumps(json_format.MessageToDict(e, preserving_proto_field_name=True), sort_keys=True))
        return
    print_timeline(entries)


# -- driving a case ------------------------------------------------------------------

@decisions_app.command("show")
def show(case_id: str = typer.Argument(..., help="The case id")) -> None:
    """The decision state of a case: stage, next step, history, clocks and action plan."""
    print_case(_call(Role.BUSINESS_UNIT, lambda stub, md: _state(stub, md, case_id)))


def _done(what: str, case: D.CaseState | None, replayed: bool = False) -> None:
    console.print(f"{what}" + (" [dim](replayed: this idempotency key was used before)[/dim]" if replayed else ""))
    if case is not None:
        console.print(f"Stage: [bold]{_name(D.CaseStage, case.stage, 'CASE_STAGE_')}[/bold]. Next: {case.next_step}")


@decisions_app.command("recommend")
def recommend(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="RecordRecommendationRequest (proto3 JSON)"),
              case_id: str = CASE,
              evaluation_id: str = typer.Option("", "--evaluation", help="The criteria evaluation (default: the latest received)")) -> None:
    """The Review Advisory Group's recommendation (RAG member)."""
    request = _request(file, D.RecordRecommendationRequest, case_id)

    async def work(stub: Stub, md: Any) -> D.RecordRecommendationResponse:
        if evaluation_id:
            request.evaluation_id = evaluation_id
        if not request.evaluation_id:
            evaluations = (await _state(stub, md, request.case_id)).evaluations
            request.evaluation_id = _require(evaluations[-1].evaluation_id if evaluations else "", "criteria evaluation")
        return await stub.RecordRecommendation(request, metadata=md, timeout=30)

    r = _call(Role.RAG_MEMBER, work)
    _done(f"Recommendation {r.recommendation.recommendation_id} (round {r.recommendation.round}) recorded on evaluation "
          f"{r.recommendation.evaluation_id}.", r.case, r.replayed)


@decisions_app.command("decide")
def decide(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="RecordDecisionRequest (proto3 JSON)"),
           case_id: str = CASE,
           recommendation_id: str = typer.Option("", "--recommendation", help="Default: the current recommendation")) -> None:
    """The Executive's decision on the current recommendation (Executive)."""
    request = _request(file, D.RecordDecisionRequest, case_id)

    async def work(stub: Stub, md: Any) -> D.RecordDecisionResponse:
        request.recommendation_id = recommendation_id or request.recommendation_id
        if not request.recommendation_id:
            recs = (await _state(stub, md, request.case_id)).recommendations
            request.recommendation_id = _require(recs[-1].recommendation_id if recs else "", "recommendation")
        return await stub.RecordDecision(request, metadata=md, timeout=30)

    r = _call(Role.EXECUTIVE, work)
    _done(f"Decision {r.decision.decision_id}: {_name(D.ReviewDecision, r.decision.decision, 'REVIEW_DECISION_')} "
          f"({_name(D.ExecutiveView, r.decision.view, 'EXECUTIVE_VIEW_')}) on {r.decision.decided_on}; decision.recorded published.",
          r.case, r.replayed)


@decisions_app.command("submit")
def submit(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="RecordPanelSubmissionRequest (proto3 JSON)"),
           case_id: str = CASE, decision_id: str = typer.Option("", "--decision", help="Default: the current decision"),
           report: bool = typer.Option(True, "--report/--no-report",
                                       help="Render the rapid review report for the sent date and record it as the one sent "
                                            "(unless the file names a report_id)")) -> None:
    """The rapid review and decision sent to the Panel (business unit); late against RR.DEADLINE is flagged."""
    request = _request(file, D.RecordPanelSubmissionRequest, case_id)

    async def work(stub: Stub, md: Any) -> D.RecordPanelSubmissionResponse:
        request.decision_id = decision_id or request.decision_id
        if not request.decision_id:
            found = (await _state(stub, md, request.case_id)).decisions
            request.decision_id = _require(found[-1].decision_id if found else "", "decision")
        if report and not request.report_id:
            from rapidreview.cli.documents import render_and_save_report

            request.report_id = (await render_and_save_report(stub, md, request.case_id, request.sent_date, console)).report_id
        return await stub.RecordPanelSubmission(request, metadata=md, timeout=30)

    r = _call(Role.BUSINESS_UNIT, work)
    s = r.submission
    late = " [red]late[/red]" if s.late else " on time" if s.rapid_review_due else ""
    _done(f"Sent to the Panel on {s.sent_date} (RR.DEADLINE {s.rapid_review_due or 'not known yet'}){late}.", r.case, r.replayed)


@decisions_app.command("respond")
def respond(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="RecordPanelResponseRequest (proto3 JSON)"),
            case_id: str = CASE, submission_id: str = typer.Option("", "--submission", help="Default: the latest submission")) -> None:
    """The Panel's response (business unit); it never changes the local decision."""
    request = _request(file, D.RecordPanelResponseRequest, case_id)

    async def work(stub: Stub, md: Any) -> D.RecordPanelResponseResponse:
        request.submission_id = submission_id or request.submission_id
        if not request.submission_id:
            found = (await _state(stub, md, request.case_id)).panel_submissions
            request.submission_id = _require(found[-1].submission_id if found else "", "Panel submission")
        return await stub.RecordPanelResponse(request, metadata=md, timeout=30)

    r = _call(Role.BUSINESS_UNIT, work)
    _done(f"Panel response recorded: {_name(D.PanelResponseKind, r.response.kind, 'PANEL_RESPONSE_KIND_')}.", r.case, r.replayed)


def _simple(role: Role, file: Path, case_id: str, message_type: type[message.Message], rpc: str) -> Any:
    request = _request(file, message_type, case_id)
    return _call(role, lambda stub, md: getattr(stub, rpc)(request, metadata=md, timeout=30))


@decisions_app.command("commission")
def commission(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CommissionReviewRequest (proto3 JSON)"),
               case_id: str = CASE) -> None:
    """Commission the CSPR (business unit); a reviewer involved with the case's agencies is refused."""
    r = _simple(Role.BUSINESS_UNIT, file, case_id, D.CommissionReviewRequest, "CommissionReview")
    _done(f"Review {r.review.review_id} commissioned on {r.review.commissioned_on}.", r.case, r.replayed)


@decisions_app.command("milestone")
def milestone(files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="RecordMilestoneRequest files, in order"),
              case_id: str = CASE) -> None:
    """Record CSPR milestones (business unit), one file each, in the order given."""
    for file in files:
        r = _simple(Role.BUSINESS_UNIT, file, case_id, D.RecordMilestoneRequest, "RecordMilestone")
        _done(f"Milestone {_name(D.MilestoneKind, r.milestone.kind, 'MILESTONE_KIND_')} on {r.milestone.occurred_on}.", None, r.replayed)


@decisions_app.command("extend")
def extend(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="RecordExtensionRequest (proto3 JSON)"),
           case_id: str = CASE) -> None:
    """Extend POST.SIX_MONTHS for a parallel process, with the reason (business unit or Executive)."""
    r = _simple(Role.BUSINESS_UNIT, file, case_id, D.RecordExtensionRequest, "RecordExtension")
    _done(f"POST.SIX_MONTHS extended to {r.extension.extended_to}.", r.case, r.replayed)


@decisions_app.command("progress-check")
def progress_check(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="RecordProgressCheckRequest (proto3 JSON)"),
                   case_id: str = CASE) -> None:
    """Record a progress check of the review (business unit or Executive)."""
    r = _simple(Role.BUSINESS_UNIT, file, case_id, D.RecordProgressCheckRequest, "RecordProgressCheck")
    _done(f"Progress check of {r.check.checked_on} recorded.", r.case, r.replayed)


@decisions_app.command("identifying-details")
def identifying_details(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="RecordIdentifyingDetailsRequest (proto3 JSON)"),
                        case_id: str = CASE) -> None:
    """Record names, places and dates of birth a published text must not contain (business unit)."""
    r = _simple(Role.BUSINESS_UNIT, file, case_id, D.RecordIdentifyingDetailsRequest, "RecordIdentifyingDetails")
    _done(f"{len(r.detail_ids)} identifying detail(s) added; {r.total} checked before publication (with the child reference).", None, r.replayed)


def _print_findings(result: D.CheckAnonymisationResponse) -> None:
    if result.anonymised:
        console.print(f"[green]Anonymised[/green]: none of the case's {result.details_checked} identifying details appears.")
        return
    table = Table(title=f"Identifying details still in the text ({len(result.findings)})")
    for col in ("line", "column", "kind", "label", "text"):
        table.add_column(col)
    for f in result.findings:
        table.add_row(str(f.line), str(f.column), _name(D.IdentifyingDetailKind, f.kind, "IDENTIFYING_DETAIL_KIND_"), f.label, f.matched_text)
    console.print(table)


@decisions_app.command("check-anonymisation")
def check_anonymisation(text_file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The publishable text"),
                        case_id: str = typer.Option(..., "--case", help="The case id")) -> None:
    """List where the case's identifying details remain in a text (business unit); stores nothing. Exit 1 if any."""
    request = D.CheckAnonymisationRequest(case_id=case_id, text=text_file.read_text(encoding="utf-8"))
    result = _call(Role.BUSINESS_UNIT, lambda stub, md: stub.CheckAnonymisation(request, metadata=md, timeout=30))
    _print_findings(result)
    if not result.anonymised:
        raise typer.Exit(1)


@decisions_app.command("publish")
def publish(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="PublishRequest (proto3 JSON)"),
            case_id: str = CASE,
            text_file: Path | None = typer.Option(None, "--text-file", exists=True, dir_okay=False, help="The publishable text (overrides the file's text)")) -> None:
    """Record the publication (business unit): refused before POST.PRESEND allows it or while identifying details remain."""
    request = _request(file, D.PublishRequest, case_id)
    if text_file is not None:
        request.text = text_file.read_text(encoding="utf-8")
    r = _call(Role.BUSINESS_UNIT, lambda stub, md: stub.Publish(request, metadata=md, timeout=60))
    p = r.publication
    _done(f"Published on {p.published_on} ({_name(D.PublicationKind, p.kind, 'PUBLICATION_KIND_')}), available until {p.available_until}"
          + (" [red]after the six-month target[/red]" if p.late else "") + "; review.published and review.themes_published sent.",
          r.case, r.replayed)


@decisions_app.command("add-action")
def add_action(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="AddActionRequest (proto3 JSON)"),
               case_id: str = CASE) -> None:
    """Add an action to the action plan (business unit)."""
    r = _simple(Role.BUSINESS_UNIT, file, case_id, D.AddActionRequest, "AddAction")
    _done(f"Action {r.action.action_id} for {r.action.owner_agency_id}, due {r.action.due_date}.", None, r.replayed)


@decisions_app.command("update-action")
def update_action(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="UpdateActionRequest (proto3 JSON)"),
                  case_id: str = CASE) -> None:
    """Update an action's status, due date or evidence (business unit)."""
    r = _simple(Role.BUSINESS_UNIT, file, case_id, D.UpdateActionRequest, "UpdateAction")
    _done(f"Action {r.action.action_id}: {_name(D.ActionStatus, r.action.status, 'ACTION_STATUS_')}.", None)


@decisions_app.command("disseminate")
def disseminate(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="RecordDisseminationRequest (proto3 JSON)"),
                case_id: str = CASE) -> None:
    """Record a dissemination of learning (business unit)."""
    r = _simple(Role.BUSINESS_UNIT, file, case_id, D.RecordDisseminationRequest, "RecordDissemination")
    _done(f"Dissemination ({_name(D.DisseminationKind, r.dissemination.kind, 'DISSEMINATION_KIND_')}) recorded.", None, r.replayed)


# -- the README's example ---------------------------------------------------------------

def _example(name: str, message_type: type[T], case_id: str) -> T:
    request = read_json_message(EXAMPLES / f"{name}.json", message_type)
    request.case_id = case_id  # type: ignore[attr-defined]
    return request


async def _checklist_evaluation(case_id: str) -> str:
    """The criteria service's latest evaluation of the case, or "" when it cannot be asked."""
    from rapidreview.v1 import criteria_pb2, criteria_pb2_grpc

    try:
        async with channel("criteria") as ch:
            checklist = (await criteria_pb2_grpc.CriteriaServiceStub(ch).GetChecklist(
                criteria_pb2.GetChecklistRequest(case_id=case_id), metadata=metadata(Role.RAG_MEMBER), timeout=5)).checklist
        return checklist.evaluation_id
    except grpc.aio.AioRpcError:
        return ""


async def _latest_evaluation(stub: Stub, md: Any, case_id: str, timeout: float = 60.0) -> str:
    """The evaluation the RAG works from: the criteria service's latest checklist once
    decisions has received it (evaluations arrive by event), else the latest received."""
    wanted = await _checklist_evaluation(case_id)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            received = [e.evaluation_id for e in (await _state(stub, md, case_id)).evaluations]
            if (wanted and wanted in received) or (not wanted and received):
                return wanted or received[-1]
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
        await asyncio.sleep(0.3)
    raise TimeoutError(f"decisions received no criteria evaluation of {case_id} within {timeout:.0f} s")


async def example_steps(out: Console, case_id: str) -> None:
    """Child K from checklist to publication with docs/examples/decisions/ (every step as its own role)."""
    async with channel("decisions") as ch:
        stub = Stub(ch)
        rag, executive, bu, auditor = (metadata(r) for r in (Role.RAG_MEMBER, Role.EXECUTIVE, Role.BUSINESS_UNIT, Role.AUDITOR))
        recommendation = _example("recommendation", D.RecordRecommendationRequest, case_id)
        recommendation.evaluation_id = await _latest_evaluation(stub, rag, case_id)
        rec = (await stub.RecordRecommendation(recommendation, metadata=rag, timeout=30)).recommendation
        out.rule("6. The Review Advisory Group recommends a local CSPR")
        decision = _example("decision", D.RecordDecisionRequest, case_id)
        decision.recommendation_id = rec.recommendation_id
        decided = (await stub.RecordDecision(decision, metadata=executive, timeout=30)).decision
        out.rule("7. The Executive agrees (decision.recorded)")
        submission = _example("panel-submission", D.RecordPanelSubmissionRequest, case_id)
        submission.decision_id = decided.decision_id
        from rapidreview.cli.documents import render_and_save_report

        submission.report_id = (await render_and_save_report(stub, bu, case_id, submission.sent_date, out)).report_id
        sent = (await stub.RecordPanelSubmission(submission, metadata=bu, timeout=30)).submission
        response = _example("panel-response", D.RecordPanelResponseRequest, case_id)
        response.submission_id = sent.submission_id
        await stub.RecordPanelResponse(response, metadata=bu, timeout=30)
        out.rule("8. Sent to the Panel (decision.panel_submitted closes RR.DEADLINE); the Panel agrees")
        await stub.CommissionReview(_example("commission", D.CommissionReviewRequest, case_id), metadata=bu, timeout=30)
        for name in ("informed-panel", "informed-ofsted", "informed-dfe", "family-informed", "family-invited"):
            await stub.RecordMilestone(_example(f"milestone-{name}", D.RecordMilestoneRequest, case_id), metadata=bu, timeout=30)
        await stub.RecordProgressCheck(_example("progress-check", D.RecordProgressCheckRequest, case_id), metadata=bu, timeout=30)
        for name in ("practitioner-event", "final-report-agreed", "family-saw-report", "sent-to-panel-and-sos"):
            await stub.RecordMilestone(_example(f"milestone-{name}", D.RecordMilestoneRequest, case_id), metadata=bu, timeout=30)
        out.rule("9. CSPR commissioned, POST.INFORM done, report agreed and sent to the Panel and the Secretary of State")
        await stub.RecordIdentifyingDetails(_example("identifying-details", D.RecordIdentifyingDetailsRequest, case_id), metadata=bu, timeout=30)
        publication = _example("publish", D.PublishRequest, case_id)
        publication.text = (EXAMPLES / "report-child-p.md").read_text(encoding="utf-8")
        published = await stub.Publish(publication, metadata=bu, timeout=60)
        await stub.AddAction(_example("action", D.AddActionRequest, case_id), metadata=bu, timeout=30)
        await stub.RecordDissemination(_example("dissemination", D.RecordDisseminationRequest, case_id), metadata=bu, timeout=30)
        out.rule("10. Published (anonymised, 7 working days after sending); action plan and learning sheet")
        print_case(await _state(stub, bu, case_id), out)
        verified = await stub.VerifyAuditTrail(D.VerifyAuditTrailRequest(case_id=case_id), metadata=auditor, timeout=60)
        out.rule("11. Audit trail")
        print_verification(verified, out)
        out.print(f"Published on {published.publication.published_on}. Try: rapidreview timeline {case_id}")
