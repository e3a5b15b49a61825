"""RR.TO_PANEL: the rapid review and the decision sent to the Panel (with the rapid review report
rendered for that date), and the Panel's response (DECIDE.PANEL_CANNOT_DIRECT: it never changes
the local decision)."""

from __future__ import annotations

from typing import Any

from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.workspace import decision_presenters as words
from rapidreview.workspace import presenters
from rapidreview.workspace.command_forms import DATE, RADIOS, TEXTAREA, Choice, Field, FormState
from rapidreview.workspace.commands import CaseContext, Command, date_text

BU = frozenset({Role.BUSINESS_UNIT})
REPORT_TIMEOUT = 60.0  # the report reads three services and renders two documents


def _decision(ctx: CaseContext) -> D.Decision | None:
    return words.current(ctx.state.decisions)


def _rapid_review_clock(ctx: CaseContext) -> Any:
    return next((c for c in ctx.state.clocks if c.id == "RR.DEADLINE"), None)


def _submission_available(ctx: CaseContext) -> str:
    if ctx.state.stage == D.CASE_STAGE_AWAITING_PANEL_SUBMISSION:
        return ""
    if ctx.state.stage in (D.CASE_STAGE_AWAITING_RECOMMENDATION, D.CASE_STAGE_AWAITING_DECISION, D.CASE_STAGE_PANEL_RECONSIDERATION):
        return "The Panel submission is recorded after the Executive's decision."
    return "The current decision has already been sent to the Panel."


def _submission_defaults(ctx: CaseContext) -> dict[str, str]:
    decision = _decision(ctx)
    return {"decision-id": decision.decision_id if decision else "", "report": "render"}


def _submission_note(ctx: CaseContext, state: FormState) -> str:
    decision = _decision(ctx)
    clock = _rapid_review_clock(ctx)
    parts = []
    if decision is not None:
        parts.append(f"The decision sent: {words.decision_text(decision.decision).lower()}, "
                     f"decided on {presenters.long_date(decision.decided_on)}.")
    if clock is not None and (clock.effective_due or clock.due):
        parts.append(f"The rapid review was due with the Panel by {presenters.long_date(clock.effective_due or clock.due)} "
                     "(RR.DEADLINE); a later date is recorded as late.")
    return " ".join(parts)


async def _record_submission(client: Any, ctx: CaseContext, state: FormState, key: str) -> None:
    sent = date_text(state.values["sent-date"])
    report_id = ""
    if state.values["report"] == "render":
        # Stored with its digests; the submission records exactly which rendering went to the Panel.
        rendered = await client.decisions.RenderRapidReviewReport(D.RenderRapidReviewReportRequest(
            case_id=ctx.case_id, sent_date=sent, formats=[D.REPORT_FORMAT_PDF]), timeout=REPORT_TIMEOUT)
        report_id = rendered.report.report_id
    await client.decisions.RecordPanelSubmission(D.RecordPanelSubmissionRequest(
        case_id=ctx.case_id, idempotency_key=key, decision_id=state.raw.get("decision-id", ""), sent_date=sent,
        panel_reference=state.values["panel-reference"], report_id=report_id))


def _submission_done(ctx: CaseContext) -> list[str]:
    sent = words.current(ctx.state.panel_submissions)
    if sent is None:
        return []
    lines = [f"Sent to the Panel on {presenters.long_date(sent.sent_date)}"
             + (f", after RR.DEADLINE ({presenters.long_date(sent.rapid_review_due)}): recorded as late." if sent.late
                else f", in time for RR.DEADLINE ({presenters.long_date(sent.rapid_review_due)})." if sent.rapid_review_due else ".")]
    if sent.report.report_id:
        lines.append("The rapid review report sent with it is kept in Documents, with its SHA-256 digests.")
    lines.append("Next: record the Panel's response when it arrives.")
    return lines


PANEL_SUBMISSION = Command(
    key="panel-submission",
    title="Record the Panel submission",
    roles=BU,
    intro="Record the day the rapid review and the partners' decision were sent to the Child Safeguarding Practice "
          "Review Panel (RR.TO_PANEL). A date after RR.DEADLINE is recorded and flagged late, never refused.",
    fields=(
        Field("sent-date", "Date sent to the Panel", DATE),
        Field("panel-reference", "The Panel's reference", required=False, max_length=64, width="govuk-input--width-20",
              hint="If the Panel gave one, for example CSPRP-2024-0457"),
        Field("report", "The rapid review report", RADIOS, choices=(
            Choice("render", "Render the report for this date and record it as sent",
                   "PDF and Word from the case's records, stored with their SHA-256 digests"),
            Choice("none", "Do not record a report with this submission"))),
    ),
    submit=_record_submission,
    button="Record the Panel submission",
    done_title="Panel submission recorded",
    done_lines=_submission_done,
    available=_submission_available,
    defaults=_submission_defaults,
    hidden=("decision-id",),
    already_done=lambda ctx, state: any(s.decision_id == state.raw.get("decision-id") for s in ctx.state.panel_submissions),
    violations={"sent_date": "sent-date", "panel_reference": "panel-reference", "report_id": "report"},
    refusals={"report": "report", "RecordDecision": "sent-date"},
    check_note=_submission_note,
)


def _response_available(ctx: CaseContext) -> str:
    if ctx.state.stage == D.CASE_STAGE_AWAITING_PANEL_RESPONSE:
        return ""
    if not ctx.state.panel_submissions:
        return "The Panel's response is recorded after the Panel submission."
    return "The Panel's response to the latest submission is already recorded."


RESPONSE_KINDS = (
    Choice("agrees", "The Panel agrees with the decision"),
    Choice("challenges", "The Panel challenges the decision", "The partners may reconsider in a new round; the history keeps both"),
    Choice("national-review", "The Panel commissions a national review"),
    Choice("local-review", "The Panel considers a local review more appropriate", "Counts for LOCAL.PANEL_VIEW in the next evaluation"),
)
_RESPONSE_KIND = {"agrees": D.PANEL_RESPONSE_KIND_AGREES, "challenges": D.PANEL_RESPONSE_KIND_CHALLENGES,
                  "national-review": D.PANEL_RESPONSE_KIND_NATIONAL_REVIEW,
                  "local-review": D.PANEL_RESPONSE_KIND_LOCAL_REVIEW_MORE_APPROPRIATE}


async def _record_response(client: Any, ctx: CaseContext, state: FormState, key: str) -> None:
    await client.decisions.RecordPanelResponse(D.RecordPanelResponseRequest(
        case_id=ctx.case_id, idempotency_key=key, submission_id=state.raw.get("submission-id", ""),
        kind=_RESPONSE_KIND[state.values["kind"]], responded_on=date_text(state.values["responded-on"]),
        summary=state.values["summary"]))


def _response_done(ctx: CaseContext) -> list[str]:
    response = words.current(ctx.state.panel_responses)
    if response is None:
        return []
    lines = [f"{words.panel_response_tag(response.kind)['text']} (response of {presenters.long_date(response.responded_on)})."]
    lines.append("The Panel may challenge but cannot direct the local decision (DECIDE.PANEL_CANNOT_DIRECT).")
    if ctx.state.stage == D.CASE_STAGE_PANEL_RECONSIDERATION:
        lines.append("Next: the Review Advisory Group may reconsider and recommend again.")
    decision = _decision(ctx)
    if decision is not None and decision.decision == D.REVIEW_DECISION_CSPR and not ctx.state.review.review_id:
        lines.append("Next: commission the local child safeguarding practice review.")
    return lines


PANEL_RESPONSE = Command(
    key="panel-response",
    title="Record the Panel's response",
    roles=BU,
    intro="Record what the Panel said about the rapid review. It never changes the local decision "
          "(DECIDE.PANEL_CANNOT_DIRECT).",
    fields=(
        Field("kind", "What the Panel said", RADIOS, choices=RESPONSE_KINDS),
        Field("responded-on", "Date of the Panel's response", DATE),
        Field("summary", "Summary of the Panel's letter", TEXTAREA, required=False, max_length=8000,
              hint="Do not include the child's or family's names"),
    ),
    submit=_record_response,
    button="Record the Panel's response",
    done_title="Panel's response recorded",
    done_lines=_response_done,
    available=_response_available,
    defaults=lambda ctx: {"submission-id": s.submission_id} if (s := words.current(ctx.state.panel_submissions)) else {},
    hidden=("submission-id",),
    already_done=lambda ctx, state: any(r.submission_id == state.raw.get("submission-id") for r in ctx.state.panel_responses),
    violations={"kind": "kind", "responded_on": "responded-on", "summary": "summary"},
    refusals={"RecordPanelSubmission": "responded-on"},
)

COMMANDS = (PANEL_SUBMISSION, PANEL_RESPONSE)
