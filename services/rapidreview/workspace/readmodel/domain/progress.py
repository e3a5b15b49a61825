"""Where a case stands and what comes next, from what the read model has heard.

The stage is derived from facts that only grow (flags set once, the highest
round or version, the latest step of each kind), never from the order the
events arrived in, so events from different services may arrive in any order
and the stage comes out the same. The decision steps follow the decisions
service's rounds (docs/decisions.md): a round is recommendation -> decision ->
Panel submission -> Panel response, and the Panel's challenge opens a new one.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from rapidreview.v1 import decisions_pb2 as D
from rapidreview.workspace.readmodel.domain.notifications import NotificationDue

RECONSIDER = frozenset({D.PANEL_RESPONSE_KIND_CHALLENGES, D.PANEL_RESPONSE_KIND_LOCAL_REVIEW_MORE_APPROPRIATE})


class Stage(enum.StrEnum):
    """The stages of a case on the dashboard, in the order a case passes them."""

    NOTIFIED = "notified"
    GATHERING = "gathering"
    EVALUATING = "evaluating"
    ADVISORY_GROUP = "advisory_group"
    EXECUTIVE = "executive"
    PANEL_SUBMISSION = "panel_submission"
    PANEL_RESPONSE = "panel_response"
    PANEL_RECONSIDERATION = "panel_reconsideration"
    COMMISSIONING = "commissioning"
    REVIEW = "review"
    PUBLISHED = "published"
    COMPLETED = "completed"
    NOT_REQUIRED = "not_required"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_open(self) -> bool:
        """True while the case still needs something done."""
        return self not in CLOSED_STAGES


_LABELS = {
    Stage.NOTIFIED: "Notified: Panel notification to record",
    Stage.GATHERING: "Gathering information from agencies",
    Stage.EVALUATING: "Criteria being evaluated",
    Stage.ADVISORY_GROUP: "With the Review Advisory Group",
    Stage.EXECUTIVE: "With the Executive",
    Stage.PANEL_SUBMISSION: "Decision to send to the Panel",
    Stage.PANEL_RESPONSE: "Awaiting the Panel's response",
    Stage.PANEL_RECONSIDERATION: "Reconsidering after the Panel's response",
    Stage.COMMISSIONING: "Local review to commission",
    Stage.REVIEW: "Local review in progress",
    Stage.PUBLISHED: "Review published",
    Stage.COMPLETED: "Completed: no local review",
    Stage.NOT_REQUIRED: "No rapid review required",
    Stage.WITHDRAWN: "Withdrawn",
}
CLOSED_STAGES = frozenset({Stage.PUBLISHED, Stage.COMPLETED, Stage.NOT_REQUIRED, Stage.WITHDRAWN})


@dataclass(frozen=True)
class CaseFacts:
    """What the stage depends on. Decision steps are identified as the decisions
    service identifies them: a decision by its round, a submission by the
    decision it sends, a response by the submission it answers."""

    withdrawn: bool = False
    rapid_review_required: bool = True
    panel_notified: bool = False
    gathering_open: bool = True
    requests_total: int = 0
    returns_in: int = 0
    collation_version: int = 0  #: highest information.collated version heard of (0: none)
    evaluated_collation_version: int = -1  #: highest collation version an evaluation used (-1: none)
    recommendation_round: int = 0
    decision_round: int = 0
    decision_id: str = ""
    decision_kind: int = 0
    submitted_decision_id: str = ""
    submission_id: str = ""
    responded_submission_id: str = ""
    response_kind: int = 0
    review_commissioned: bool = False
    published: bool = False
    six_month_target: dt.date | None = None
    #: Notification duties whose clock is open (NOTIFY.LAC_DEATH, NOTIFY.CARE_LEAVER_DEATH,
    #: NOTIFY.PARTNERS, RR.LEAD_AREA), most urgent first, with who must still be told.
    notifications_due: tuple[NotificationDue, ...] = ()


def stage(f: CaseFacts) -> Stage:
    """The case's stage."""
    if f.withdrawn:
        return Stage.WITHDRAWN
    if not f.rapid_review_required:
        return Stage.NOT_REQUIRED
    if f.published:
        return Stage.PUBLISHED
    if f.review_commissioned:
        return Stage.REVIEW
    current_round = max(f.recommendation_round, f.decision_round)
    if current_round > 0:
        decided = f.decision_round == current_round
        submitted = decided and f.submitted_decision_id == f.decision_id
        responded = submitted and f.responded_submission_id == f.submission_id
        if not decided:
            return Stage.EXECUTIVE
        if not submitted:
            return Stage.PANEL_SUBMISSION
        if not responded:
            return Stage.PANEL_RESPONSE
        if f.response_kind in RECONSIDER:
            return Stage.PANEL_RECONSIDERATION
        return Stage.COMMISSIONING if f.decision_kind == D.REVIEW_DECISION_CSPR else Stage.COMPLETED
    if not f.panel_notified:
        return Stage.NOTIFIED
    outstanding = f.requests_total - f.returns_in
    if f.collation_version == 0 or (f.gathering_open and (outstanding > 0 or f.requests_total == 0)):
        return Stage.GATHERING
    if f.evaluated_collation_version < f.collation_version:
        return Stage.EVALUATING
    return Stage.ADVISORY_GROUP


def is_open(f: CaseFacts) -> bool:
    """The case still needs something done: its stage is open, or a notification a duty needs
    is still to be sent (a looked-after child's death needs the Secretary of State and Ofsted
    told even when no rapid review is required or the notification was withdrawn)."""
    return stage(f).is_open or bool(f.notifications_due)


def next_step(f: CaseFacts) -> str:
    """The next step, in words for the business unit: the notifications still owed (they run on
    the shortest clocks), then the stage's own step (left out when it is "None: ...")."""
    owed = [n.step for n in f.notifications_due]
    own = _stage_step(f)
    if owed and own.startswith("None:"):
        return ". ".join(owed)
    return ". ".join([*owed, own])


def _stage_step(f: CaseFacts) -> str:
    current = stage(f)
    if current is Stage.GATHERING:
        if f.requests_total == 0:
            return "Open information requests to the agencies involved"
        outstanding = f.requests_total - f.returns_in
        if outstanding > 0 and f.gathering_open:
            plural = "return" if outstanding == 1 else "returns"
            return f"Wait for or chase {outstanding} outstanding {plural} ({f.returns_in} of {f.requests_total} in)"
        return "Close the gathering so that the information is collated"
    if current is Stage.REVIEW and f.six_month_target is not None:
        return f"Complete and publish the local review by {f.six_month_target.isoformat()}"
    if current is Stage.PANEL_RESPONSE and f.decision_kind == D.REVIEW_DECISION_CSPR:
        return "Record the Panel's response, or commission the local review"
    return _NEXT[current]


_NEXT = {
    Stage.NOTIFIED: "Record the Panel notification",
    Stage.EVALUATING: "Wait for the criteria evaluation of the collated information",
    Stage.ADVISORY_GROUP: "Review Advisory Group to recommend on the criteria checklist",
    Stage.EXECUTIVE: "Executive to agree or disagree with the recommendation",
    Stage.PANEL_SUBMISSION: "Send the rapid review and the decision to the Panel",
    Stage.PANEL_RESPONSE: "Record the Panel's response",
    Stage.PANEL_RECONSIDERATION: "Review Advisory Group to reconsider, or commission the review if the decision stands",
    Stage.COMMISSIONING: "Commission the local child safeguarding practice review",
    Stage.REVIEW: "Complete and publish the local review",
    Stage.PUBLISHED: "None: the review is published; monitor the action plan",
    Stage.COMPLETED: "None: no local review was decided; act on the immediate learning",
    Stage.NOT_REQUIRED: "None: no rapid review is required (RR.REQUIRED not met)",
    Stage.WITHDRAWN: "None: the notification was withdrawn",
}
