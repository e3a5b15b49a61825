"""The order of the steps from recommendation to publication (the state machine
of docs/decisions.md), derived from what has been recorded.

A round is recommendation -> decision -> Panel submission -> Panel response.
The current round is the latest recommendation. A new recommendation is
allowed before the Executive decides (it supersedes the earlier one) or after
the Panel challenged the decision or said a local review may be more
appropriate (a new round); the Panel's response never changes the local
decision (DECIDE.PANEL_CANNOT_DIRECT). Every refusal is FAILED_PRECONDITION
and names the missing step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidreview.kernel.errors import FailedPrecondition
from rapidreview.v1 import decisions_pb2 as D

RECONSIDER = frozenset({D.PANEL_RESPONSE_KIND_CHALLENGES, D.PANEL_RESPONSE_KIND_LOCAL_REVIEW_MORE_APPROPRIATE})


@dataclass(frozen=True)
class Step:
    """One recorded step: its id and the kind that matters for ordering."""

    id: str
    kind: int = 0


@dataclass(frozen=True)
class Progress:
    """What a case has recorded, as far as ordering is concerned."""

    withdrawn: bool = False
    round: int = 0
    recommendation: Step | None = None  # the current (latest) recommendation
    decision: Step | None = None  # the decision on the current recommendation
    submission: Step | None = None  # the submission of the current decision
    response: Step | None = None  # the response to the current submission
    review_id: str = ""
    published: bool = False
    milestones: frozenset[int] = field(default_factory=frozenset)
    last_cspr_decision: Step | None = None  # the latest CSPR decision of any round


def stage(p: Progress) -> int:
    """The CaseStage of a case."""
    if p.withdrawn:
        return D.CASE_STAGE_WITHDRAWN
    if p.published:
        return D.CASE_STAGE_PUBLISHED
    if p.review_id:
        return D.CASE_STAGE_REVIEW_IN_PROGRESS
    if p.recommendation is None:
        return D.CASE_STAGE_AWAITING_RECOMMENDATION
    if p.decision is None:
        return D.CASE_STAGE_AWAITING_DECISION
    if p.submission is None:
        return D.CASE_STAGE_AWAITING_PANEL_SUBMISSION
    if p.response is None:
        return D.CASE_STAGE_AWAITING_PANEL_RESPONSE
    if p.response.kind in RECONSIDER:
        return D.CASE_STAGE_PANEL_RECONSIDERATION
    return D.CASE_STAGE_DECISION_SETTLED


def next_step(p: Progress) -> str:
    """The next step expected, in words naming the RPC."""
    current = stage(p)
    if current == D.CASE_STAGE_WITHDRAWN:
        return "none: the notification was withdrawn"
    if current == D.CASE_STAGE_PUBLISHED:
        return "monitor the action plan and disseminate the learning (UpdateAction, RecordDissemination)"
    if current == D.CASE_STAGE_REVIEW_IN_PROGRESS:
        for kind, words in (
            (D.MILESTONE_KIND_FINAL_REPORT_AGREED, "record the final report agreed (RecordMilestone FINAL_REPORT_AGREED)"),
            (D.MILESTONE_KIND_SENT_TO_PANEL_AND_SOS, "send the report to the Panel and the Secretary of State (RecordMilestone SENT_TO_PANEL_AND_SOS)"),
        ):
            if kind not in p.milestones:
                return words
        return "publish the report (Publish)"
    if current == D.CASE_STAGE_AWAITING_RECOMMENDATION:
        return "the RAG recommends (RecordRecommendation)"
    if current == D.CASE_STAGE_AWAITING_DECISION:
        return "the Executive decides (RecordDecision)"
    if current == D.CASE_STAGE_AWAITING_PANEL_SUBMISSION:
        return "send the rapid review and decision to the Panel (RecordPanelSubmission)"
    if current == D.CASE_STAGE_AWAITING_PANEL_RESPONSE:
        if p.decision is not None and p.decision.kind == D.REVIEW_DECISION_CSPR:
            return "record the Panel's response (RecordPanelResponse) or commission the review (CommissionReview)"
        return "record the Panel's response (RecordPanelResponse)"
    if current == D.CASE_STAGE_PANEL_RECONSIDERATION:
        return "the RAG reconsiders (RecordRecommendation), or commission the review if the CSPR decision stands (CommissionReview)"
    if p.decision is not None and p.decision.kind == D.REVIEW_DECISION_CSPR:
        return "commission the review (CommissionReview)"
    return "none: no local CSPR was decided; act on the immediate learning (AddAction)"


def _live(p: Progress) -> None:
    if p.withdrawn:
        raise FailedPrecondition("the notification was withdrawn; nothing more can be recorded for this case")


def require_recommendation_allowed(p: Progress) -> None:
    """A recommendation opens the first round, revises an undecided one, or
    opens a new round after the Panel asked for reconsideration."""
    _live(p)
    if p.review_id:
        raise FailedPrecondition("a review is already commissioned; the decision can no longer be reconsidered")
    if p.decision is None:
        return
    if p.response is not None and p.response.kind in RECONSIDER:
        return
    if p.submission is None:
        raise FailedPrecondition("the current round is decided: send it to the Panel (RecordPanelSubmission); "
                                 "a new recommendation needs a Panel challenge")
    if p.response is None:
        raise FailedPrecondition("the decision is with the Panel: record the Panel's response first (RecordPanelResponse); "
                                 "a new recommendation needs a Panel challenge")
    raise FailedPrecondition("the decision stands: a new recommendation needs a Panel challenge or a Panel view "
                             "that a local review is more appropriate")


def require_decision_allowed(p: Progress, recommendation_id: str) -> Step:
    """The Executive decides on the current recommendation, once."""
    _live(p)
    if p.recommendation is None:
        raise FailedPrecondition("no recommendation: the RAG must recommend first (RecordRecommendation)")
    if p.review_id:
        raise FailedPrecondition("a review is already commissioned; the decision can no longer change")
    if p.decision is not None:
        raise FailedPrecondition("the current recommendation is already decided; a new decision needs a new "
                                 "recommendation after a Panel challenge (RecordRecommendation)")
    if recommendation_id != p.recommendation.id:
        raise FailedPrecondition(f"recommendation_id must be the current recommendation ({p.recommendation.id})")
    return p.recommendation


def require_submission_allowed(p: Progress, decision_id: str) -> Step:
    """The current decision goes to the Panel, once."""
    _live(p)
    if p.decision is None:
        if p.recommendation is None:
            raise FailedPrecondition("no decision: the RAG must recommend (RecordRecommendation) and the Executive decide "
                                     "(RecordDecision) before the Panel submission")
        raise FailedPrecondition("no decision: the Executive must decide first (RecordDecision)")
    if p.submission is not None:
        raise FailedPrecondition("the current decision was already sent to the Panel")
    if decision_id != p.decision.id:
        raise FailedPrecondition(f"decision_id must be the current decision ({p.decision.id})")
    return p.decision


def require_response_allowed(p: Progress, submission_id: str) -> Step:
    """The Panel answers the latest submission, once."""
    _live(p)
    if p.submission is None:
        raise FailedPrecondition("no Panel submission: record it first (RecordPanelSubmission)")
    if p.response is not None:
        raise FailedPrecondition("the Panel's response to the current submission is already recorded")
    if submission_id != p.submission.id:
        raise FailedPrecondition(f"submission_id must be the latest submission ({p.submission.id})")
    return p.submission


def require_commissioning_allowed(p: Progress) -> Step:
    """A CSPR is commissioned on a CSPR decision that was sent to the Panel."""
    _live(p)
    if p.review_id:
        raise FailedPrecondition("a review is already commissioned for this case")
    if p.decision is None:
        raise FailedPrecondition("no decision: a CSPR decision (RecordDecision) is needed before commissioning")
    if p.decision.kind != D.REVIEW_DECISION_CSPR:
        raise FailedPrecondition("the current decision is not to hold a local CSPR; commissioning needs a CSPR decision")
    if p.submission is None:
        raise FailedPrecondition("the CSPR decision has not been sent to the Panel: record the Panel submission first "
                                 "(RecordPanelSubmission)")
    return p.decision


def require_review(p: Progress, what: str) -> str:
    """Steps of a commissioned, unpublished review."""
    _live(p)
    if not p.review_id:
        raise FailedPrecondition(f"no review commissioned: commission the CSPR first (CommissionReview) before {what}")
    if p.published:
        raise FailedPrecondition(f"the review is already published; {what} is no longer possible")
    return p.review_id


INFORM_MILESTONES = frozenset({D.MILESTONE_KIND_INFORMED_PANEL, D.MILESTONE_KIND_INFORMED_OFSTED, D.MILESTONE_KIND_INFORMED_DFE})


def require_milestone_allowed(p: Progress, kind: int) -> None:
    """POST.INFORM milestones follow a CSPR decision; the others need a commissioned review,
    and the report is sent to the Panel and the Secretary of State only once agreed."""
    if kind in INFORM_MILESTONES:
        _live(p)
        if p.last_cspr_decision is None:
            raise FailedPrecondition("no CSPR decision: POST.INFORM notifications follow a decision to hold a CSPR (RecordDecision)")
        if p.published:
            raise FailedPrecondition("the review is already published; recording milestones is no longer possible")
        return
    require_review(p, "recording review milestones")
    if kind == D.MILESTONE_KIND_SENT_TO_PANEL_AND_SOS and D.MILESTONE_KIND_FINAL_REPORT_AGREED not in p.milestones:
        raise FailedPrecondition("the final report is not agreed: record FINAL_REPORT_AGREED first (RecordMilestone)")


FAMILY_MILESTONES = frozenset({D.MILESTONE_KIND_FAMILY_SAW_REPORT, D.MILESTONE_KIND_FAMILY_NOT_SHOWN_REPORT})


def require_publication_allowed(p: Progress) -> str:
    """Publication needs an agreed final report that the family saw (or a recorded
    reason it was not appropriate, POST.FAMILY), sent to the Panel and the
    Secretary of State."""
    review_id = require_review(p, "publication")
    if D.MILESTONE_KIND_FINAL_REPORT_AGREED not in p.milestones:
        raise FailedPrecondition("the final report is not agreed: record FINAL_REPORT_AGREED first (RecordMilestone)")
    if D.MILESTONE_KIND_SENT_TO_PANEL_AND_SOS not in p.milestones:
        raise FailedPrecondition("the report was not sent to the Panel and the Secretary of State: record "
                                 "SENT_TO_PANEL_AND_SOS first (RecordMilestone; POST.PRESEND)")
    if not FAMILY_MILESTONES & set(p.milestones):
        raise FailedPrecondition("POST.FAMILY: the family has not seen the report: record FAMILY_SAW_REPORT, or "
                                 "FAMILY_NOT_SHOWN_REPORT with the reason it was not appropriate (RecordMilestone)")
    return review_id
