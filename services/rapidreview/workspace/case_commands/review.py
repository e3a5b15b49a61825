"""The local child safeguarding practice review, from commissioning to publication (RULES.md section
4): the reviewer and their independence (POST.REVIEWER_INDEPENDENT), milestones (POST.INFORM,
POST.FAMILY, POST.PRACTITIONERS, the final report), progress checks, extensions of POST.SIX_MONTHS,
the publication is in publication.py."""

from __future__ import annotations

from typing import Any

from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.workspace import decision_presenters as words
from rapidreview.workspace import presenters
from rapidreview.workspace.command_forms import (
    CONFIRM,
    DATE,
    GROUP,
    NUMBER,
    RADIOS,
    TEXTAREA,
    YES_NO,
    Choice,
    Field,
    FormState,
)
from rapidreview.workspace.commands import CaseContext, Command, date_text

BU = frozenset({Role.BUSINESS_UNIT})
BU_EXEC = frozenset({Role.BUSINESS_UNIT, Role.EXECUTIVE})  # CommissionReview, RecordExtension, RecordProgressCheck


def _cspr_decided(ctx: CaseContext) -> bool:
    decision = words.current(ctx.state.decisions)
    return decision is not None and decision.decision == D.REVIEW_DECISION_CSPR


def _commission_available(ctx: CaseContext) -> str:
    if ctx.state.review.review_id:
        return "The local review is already commissioned."
    if not _cspr_decided(ctx):
        return "A local review is commissioned after a decision to hold one."
    if not ctx.state.panel_submissions or ctx.state.panel_submissions[-1].decision_id != ctx.state.decisions[-1].decision_id:
        return "Record the Panel submission of the decision first."
    return ""


def _review_open(what: str) -> Any:
    def available(ctx: CaseContext) -> str:
        if not ctx.state.review.review_id:
            return f"{what} once the local review is commissioned."
        if ctx.state.publication.review_id:
            return "The review is published: nothing more can be recorded on it."
        return ""
    return available


async def _commission(client: Any, ctx: CaseContext, state: FormState, key: str) -> None:
    v = state.values
    reviewer = D.Reviewer(name=v["reviewer-name"], organisation=v["reviewer-organisation"], involved_in_case=bool(v["involved-in-case"]),
                          involvements=[D.ReviewerInvolvement(agency_id=i["agency_id"], agency_name=i["agency_name"],
                                                              description=i["description"]) for i in v["involvements"]])
    panel = [D.ReviewPanelMember(name=m["name"], agency_id=m["agency_id"], role_title=m["role_title"]) for m in v["panel"]]
    await client.decisions.CommissionReview(D.CommissionReviewRequest(
        case_id=ctx.case_id, idempotency_key=key, reviewer=reviewer, panel=panel, terms_of_reference=v["terms-of-reference"],
        commissioned_on=date_text(v["commissioned-on"]), progress_check_weeks=v["progress-check-weeks"] or 0))


def _commission_done(ctx: CaseContext) -> list[str]:
    review = ctx.state.review
    if not review.review_id:
        return []
    six = next((c for c in ctx.state.clocks if c.id == "POST.SIX_MONTHS"), None)
    check = next((c for c in ctx.state.clocks if c.id == "POST.PROGRESS_CHECKS"), None)
    lines = [f"Commissioned on {presenters.long_date(review.commissioned_on)}; the reviewer is independent of the agencies "
             "of this case (POST.REVIEWER_INDEPENDENT)."]
    if six is not None:
        lines.append(f"Complete and publish by {presenters.long_date(six.effective_due or six.due)} (POST.SIX_MONTHS).")
    if check is not None:
        lines.append(f"First progress check due {presenters.long_date(check.effective_due or check.due)} (POST.PROGRESS_CHECKS).")
    return lines


def _agencies_hint(ctx: CaseContext) -> str:
    return ", ".join(ctx.state.agency_ids)


COMMISSION = Command(
    key="commission",
    title="Commission the local review",
    roles=BU_EXEC,
    intro="Commission the local child safeguarding practice review: the reviewer, their declared involvements, the review "
          "panel and the terms of reference. A reviewer who was involved in the case, or with an agency of the case, is "
          "refused (POST.REVIEWER_INDEPENDENT).",
    fields=(
        Field("reviewer-name", "Reviewer's name", max_length=200),
        Field("reviewer-organisation", "Reviewer's organisation or practice", required=False, max_length=200),
        Field("involved-in-case", "Has the reviewer been involved in this case?", YES_NO),
        Field("involvements", "The reviewer's past involvements with agencies", GROUP, required=False, item_name="involvement",
              max_items=50, hint="Every agency or organisation the reviewer has worked for or with. Leave empty if none.",
              subfields=(
                  Field("agency_id", "Agency id", max_length=64, width="govuk-input--width-20",
                        hint="As in the notification, for example gp-practice"),
                  Field("agency_name", "Agency name", required=False, max_length=200),
                  Field("description", "What the involvement was", TEXTAREA, max_length=2000),
              )),
        Field("panel", "Review panel members", GROUP, required=False, item_name="member", max_items=30,
              hint="Agency representatives not directly involved in the case.",
              subfields=(
                  Field("name", "Name", max_length=200),
                  Field("agency_id", "Agency id", max_length=64, width="govuk-input--width-20"),
                  Field("role_title", "Role", required=False, max_length=200),
              )),
        Field("terms-of-reference", "Terms of reference", TEXTAREA, max_length=20000),
        Field("commissioned-on", "Date commissioned", DATE),
        Field("progress-check-weeks", "Weeks between progress checks", NUMBER, required=False, minimum=1, maximum=12,
              hint="From 1 to 12. Leave empty for every 4 weeks (POST.PROGRESS_CHECKS)."),
        Field("declaration", "The reviewer has declared every past involvement with the agencies and organisations they "
              "worked for or with", CONFIRM, summary_label="Independence declaration",
              required_message="Confirm the reviewer has declared every past involvement"),
    ),
    submit=_commission,
    button="Commission the review",
    done_title="Local review commissioned",
    done_lines=_commission_done,
    available=_commission_available,
    # the same reviewer already commissioned (a second press); another reviewer is refused by the service
    already_done=lambda ctx, state: ctx.state.review.reviewer.name == state.values["reviewer-name"] and bool(ctx.state.review.review_id),
    violations={"reviewer.name": "reviewer-name", "reviewer.organisation": "reviewer-organisation",
                "reviewer.involved_in_case": "involved-in-case", "reviewer.involvements.agency_id": "involvements-{i}-agency_id",
                "reviewer.involvements.agency_name": "involvements-{i}-agency_name",
                "reviewer.involvements.description": "involvements-{i}-description", "reviewer.involvements": "involvements",
                "panel.name": "panel-{i}-name", "panel.agency_id": "panel-{i}-agency_id", "panel.role_title": "panel-{i}-role_title",
                "panel.directly_involved": "panel", "panel": "panel", "terms_of_reference": "terms-of-reference",
                "commissioned_on": "commissioned-on", "progress_check_weeks": "progress-check-weeks"},
    refusals={"involvement in this case": "involved-in-case", "POST.REVIEWER_INDEPENDENT": "involvements",
              "Panel submission": "commissioned-on"},
)

MILESTONE_CHOICES = tuple(Choice(kind_id, f"{text}", rule) for kind_id, (text, rule) in (
    ("informed-panel", words.MILESTONES[D.MILESTONE_KIND_INFORMED_PANEL]),
    ("informed-ofsted", words.MILESTONES[D.MILESTONE_KIND_INFORMED_OFSTED]),
    ("informed-dfe", words.MILESTONES[D.MILESTONE_KIND_INFORMED_DFE]),
    ("family-informed", words.MILESTONES[D.MILESTONE_KIND_FAMILY_INFORMED]),
    ("family-invited", words.MILESTONES[D.MILESTONE_KIND_FAMILY_INVITED]),
    ("practitioner-event", words.MILESTONES[D.MILESTONE_KIND_PRACTITIONER_EVENT]),
    ("final-report-agreed", words.MILESTONES[D.MILESTONE_KIND_FINAL_REPORT_AGREED]),
    ("family-saw-report", words.MILESTONES[D.MILESTONE_KIND_FAMILY_SAW_REPORT]),
    ("sent-to-panel-and-sos", words.MILESTONES[D.MILESTONE_KIND_SENT_TO_PANEL_AND_SOS]),
))
MILESTONE_KINDS = {
    "informed-panel": D.MILESTONE_KIND_INFORMED_PANEL, "informed-ofsted": D.MILESTONE_KIND_INFORMED_OFSTED,
    "informed-dfe": D.MILESTONE_KIND_INFORMED_DFE, "family-informed": D.MILESTONE_KIND_FAMILY_INFORMED,
    "family-invited": D.MILESTONE_KIND_FAMILY_INVITED, "practitioner-event": D.MILESTONE_KIND_PRACTITIONER_EVENT,
    "final-report-agreed": D.MILESTONE_KIND_FINAL_REPORT_AGREED, "family-saw-report": D.MILESTONE_KIND_FAMILY_SAW_REPORT,
    "sent-to-panel-and-sos": D.MILESTONE_KIND_SENT_TO_PANEL_AND_SOS,
}


def _milestone_available(ctx: CaseContext) -> str:
    if ctx.state.publication.review_id:
        return "The review is published: nothing more can be recorded on it."
    if not _cspr_decided(ctx):
        return "Milestones follow a decision to hold a local review."
    return ""


async def _milestone(client: Any, ctx: CaseContext, state: FormState, key: str) -> None:
    await client.decisions.RecordMilestone(D.RecordMilestoneRequest(
        case_id=ctx.case_id, idempotency_key=key, kind=MILESTONE_KINDS[state.values["kind"]],
        occurred_on=date_text(state.values["occurred-on"]), note=state.values["note"]))


def _milestone_done(ctx: CaseContext) -> list[str]:
    milestones = sorted(ctx.state.review.milestones, key=lambda m: (m.recorded_at.seconds, m.recorded_at.nanos))
    if not milestones:
        return []
    latest = milestones[-1]
    lines = [f"{words.milestone_text(latest.kind)}: {presenters.long_date(latest.occurred_on)}."]
    if ctx.state.review.earliest_publication_date:
        lines.append(f"The report may be published from {presenters.long_date(ctx.state.review.earliest_publication_date)} "
                     "(POST.PRESEND).")
    return lines


MILESTONE = Command(
    key="milestone",
    title="Record a milestone",
    roles=BU,
    intro="Record a step of the local review. POST.INFORM notifications may be recorded once a review is decided; the "
          "others once it is commissioned. The report can be sent to the Panel and the Secretary of State once agreed.",
    fields=(
        Field("kind", "What happened", RADIOS, choices=MILESTONE_CHOICES),
        Field("occurred-on", "Date it happened", DATE),
        Field("note", "Note", TEXTAREA, required=False, max_length=4000, hint="Optional. Do not include names."),
    ),
    submit=_milestone,
    check_answers=False,
    button="Record the milestone",
    done_title="Milestone recorded",
    done_lines=_milestone_done,
    available=_milestone_available,
    violations={"kind": "kind", "occurred_on": "occurred-on", "note": "note"},
    refusals={"FINAL_REPORT_AGREED": "kind", "CommissionReview": "kind", "CSPR": "kind"},
)


async def _progress_check(client: Any, ctx: CaseContext, state: FormState, key: str) -> None:
    v = state.values
    await client.decisions.RecordProgressCheck(D.RecordProgressCheckRequest(
        case_id=ctx.case_id, idempotency_key=key, checked_on=date_text(v["checked-on"]), findings=v["findings"],
        written_request_made=v["written-request-made"] == "yes", written_request=v["written-request"] or ""))


def _progress_done(ctx: CaseContext) -> list[str]:
    check = next((c for c in ctx.state.clocks if c.id == "POST.PROGRESS_CHECKS"), None)
    return [f"Next progress check due {presenters.long_date(check.effective_due or check.due)} (POST.PROGRESS_CHECKS)."] if check else []


PROGRESS_CHECK = Command(
    key="progress-check",
    title="Record a progress check",
    roles=BU_EXEC,
    intro="The partners check the review's progress and quality at regular intervals and may ask the reviewer in writing "
          "for information or a draft (POST.PROGRESS_CHECKS, Regs 2018 reg 14).",
    fields=(
        Field("checked-on", "Date of the check", DATE),
        Field("findings", "What the partners found about progress and quality", TEXTAREA, max_length=4000),
        Field("written-request-made", "Did the partners ask the reviewer in writing for information or a draft?", RADIOS,
              choices=(Choice("yes", "Yes"), Choice("no", "No")), summary_label="Written request to the reviewer"),
        Field("written-request", "The written request", TEXTAREA, max_length=4000, only_when=("written-request-made", "yes")),
    ),
    submit=_progress_check,
    button="Record the progress check",
    done_title="Progress check recorded",
    done_lines=_progress_done,
    available=_review_open("Progress checks are recorded"),
    violations={"checked_on": "checked-on", "findings": "findings", "written_request_made": "written-request-made",
                "written_request": "written-request"},
)


EXTENSION_CHOICES = (
    Choice("criminal", "Criminal proceedings"),
    Choice("inquest", "A coroner's inquest"),
    Choice("family-court", "Family court proceedings"),
    Choice("other", "Another parallel process", "Explain it below"),
)
_EXTENSION_REASON = {"criminal": D.EXTENSION_REASON_CRIMINAL_PROCEEDINGS, "inquest": D.EXTENSION_REASON_INQUEST,
                     "family-court": D.EXTENSION_REASON_FAMILY_COURT, "other": D.EXTENSION_REASON_OTHER}


async def _review_extension(client: Any, ctx: CaseContext, state: FormState, key: str) -> None:
    v = state.values
    await client.decisions.RecordExtension(D.RecordExtensionRequest(
        case_id=ctx.case_id, idempotency_key=key, reason=_EXTENSION_REASON[v["reason"]], explanation=v["explanation"],
        extended_to=date_text(v["extended-to"])))


def _six_months(ctx: CaseContext) -> Any:
    return next((c for c in ctx.state.clocks if c.id == "POST.SIX_MONTHS"), None)


REVIEW_EXTENSION = Command(
    key="extend-review",
    title="Extend the review's six-month target",
    roles=BU_EXEC,
    intro="A parallel process (criminal proceedings, an inquest, family court proceedings) may justify completing the "
          "review later than six months after the decision (POST.SIX_MONTHS). The original target stays visible.",
    fields=(
        Field("reason", "The parallel process", RADIOS, choices=EXTENSION_CHOICES),
        Field("explanation", "Why the review needs longer", TEXTAREA, max_length=2000),
        Field("extended-to", "New target date", DATE, not_future=False, hint="After the target in force. For example, 31 3 2025"),
    ),
    submit=_review_extension,
    button="Record the extension",
    done_title="Six-month target extended",
    done_lines=lambda ctx: [f"Complete and publish by {presenters.long_date(c.effective_due)} (POST.SIX_MONTHS; "
                            f"the original target was {presenters.long_date(c.due)})."] if (c := _six_months(ctx)) else [],
    available=_review_open("The six-month target can be extended"),
    violations={"reason": "reason", "explanation": "explanation", "extended_to": "extended-to"},
    refusals={"target": "extended-to"},
)


COMMANDS = (COMMISSION, MILESTONE, PROGRESS_CHECK, REVIEW_EXTENSION)
