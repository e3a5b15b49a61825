"""A generated two-year history of one partnership (fictional), pushed through
the four services' APIs as a partnership would record it, for the yearly
figures. Every date is chosen so the expected figures can be worked out by
hand from the table below (tests/integration/decisions/test_yearly_figures.py
does). A rapid review's decision and its Panel submission fall on the same day,
so RR.DEADLINE closes on that day whether intake closes it on the decision or
on the submission.

Working days (England): 2022 bank holidays 2 and 3 June, 19 September, 26 and 27
December; 2023: 7 and 10 April, 1, 8 and 29 May, 28 August, 25 and 26 December;
2024: 1 January, 29 March and 1 April.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc

from rapidreview.kernel.auth import Role
from rapidreview.stack.credentials import DevCredentials
from rapidreview.v1 import common_pb2 as C
from rapidreview.v1 import criteria_pb2, criteria_pb2_grpc, gathering_pb2, gathering_pb2_grpc, intake_pb2, intake_pb2_grpc
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.v1 import decisions_pb2_grpc
from tests.integration.decisions import childk
from tests.support.examples import example_notification
from tests.support.harness import Caller, eventually
from tests.unit.gathering.returns import example_returns

POLICE = "west-yorkshire-police"


@dataclass(frozen=True)
class Publication:
    final_agreed: str
    family_saw: str
    sent_to_panel: str
    published_on: str
    extension_to: str = ""


@dataclass(frozen=True)
class Case:
    """One incident of the history and what the partnership recorded about it."""

    name: str
    aware: str
    nature: int
    age: int | None  # None: unborn
    setting: int
    panel_sent: str = ""
    withdrawn: bool = False
    themes: tuple[str, ...] = ()
    decided: str = ""  # decision and Panel submission, the same day
    recommendation: int = D.REVIEW_DECISION_UNSPECIFIED
    reason: int = D.DECISION_REASON_UNSPECIFIED
    commissioned: str = ""
    publication: Publication | None = None
    actions: tuple[tuple[str, str, str, int, str], ...] = ()  # (agency, agreed on, due, final status, closed on)


HISTORY = (
    # Financial year 2022-23.
    Case("P1", aware="2022-11-07", nature=C.NATURE_SERIOUS_HARM, age=2, setting=C.SETTING_FAMILY_HOME, panel_sent="2022-11-09",
         themes=("neglect",), decided="2022-11-25", recommendation=D.REVIEW_DECISION_CSPR, commissioned="2023-01-09",
         publication=Publication("2023-06-01", "2023-06-05", "2023-06-07", "2023-06-30", extension_to="2023-07-31"),
         actions=(("housing-association", "2022-11-25", "2023-02-28", D.ACTION_STATUS_CANCELLED, "2023-03-10"),)),
    # Financial year 2023-24.
    Case("C1", aware="2023-06-05", nature=C.NATURE_DEATH, age=0, setting=C.SETTING_FAMILY_HOME, panel_sent="2023-06-08",
         themes=("domestic abuse", "information sharing"), decided="2023-06-27", recommendation=D.REVIEW_DECISION_CSPR,
         commissioned="2023-07-10", publication=Publication("2023-11-20", "2023-11-24", "2023-11-27", "2023-12-15"),
         actions=((POLICE, "2023-06-27", "2023-09-30", D.ACTION_STATUS_COMPLETED, "2023-09-20"),
                  ("gp-practice", "2023-06-27", "2024-01-31", D.ACTION_STATUS_OPEN, ""))),
    Case("C2", aware="2023-09-12", nature=C.NATURE_SERIOUS_HARM, age=7, setting=C.SETTING_SCHOOL, panel_sent="2023-09-21",
         themes=("information sharing", "neglect"), decided="2023-10-16", recommendation=D.REVIEW_DECISION_NO_CSPR,
         reason=D.DECISION_REASON_LEARNING_ALREADY_IDENTIFIED),
    Case("C5", aware="2023-11-06", nature=C.NATURE_SERIOUS_HARM, age=12, setting=C.SETTING_FAMILY_HOME, panel_sent="2023-11-08",
         withdrawn=True),
    Case("C3", aware="2024-01-08", nature=C.NATURE_SERIOUS_HARM, age=16, setting=C.SETTING_OTHER, panel_sent="2024-01-10",
         themes=("child criminal exploitation", "information sharing"), decided="2024-01-30",
         recommendation=D.REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW),
    Case("C4", aware="2024-03-14", nature=C.NATURE_SERIOUS_HARM, age=None, setting=C.SETTING_FAMILY_HOME, panel_sent="2024-03-19"),
    Case("C6", aware="2024-03-18", nature=C.NATURE_SERIOUS_HARM, age=10, setting=C.SETTING_FAMILY_HOME),
)


@dataclass
class Stubs:
    intake: intake_pb2_grpc.IntakeServiceStub
    gathering: gathering_pb2_grpc.GatheringServiceStub
    criteria: criteria_pb2_grpc.CriteriaServiceStub
    decisions: decisions_pb2_grpc.DecisionServiceStub
    creds: DevCredentials
    case_ids: dict[str, str] = field(default_factory=dict)

    def md(self, role: Role, agency: str = "") -> tuple[tuple[str, str], ...]:
        return Caller(self.creds, role, agency=agency).metadata()


def _notification(case: Case) -> intake_pb2.Notification:
    n = example_notification()
    n.child.CopyFrom(intake_pb2.ChildDetails(child_ref=f"Child {case.name}", unborn=case.age is None))
    if case.age is not None:
        n.child.age_years = case.age
    n.nature, n.setting = case.nature, case.setting
    n.incident_date = n.la_aware_date = case.aware
    del n.agencies[:]
    n.agencies.append(C.Agency(agency_id=POLICE, name="West Yorkshire Police", kind=C.AGENCY_KIND_POLICE,
                               area="West Yorkshire", area_type=C.AREA_TYPE_POLICE_AREA))
    return n


def _police_return(themes: tuple[str, ...]) -> gathering_pb2.AgencyReturn:
    r = example_returns()[POLICE]
    del r.learning[:]
    r.learning.append(gathering_pb2.Learning(description="Learning recorded for the yearly figures.", themes=list(themes)))
    return r


async def record(s: Stubs, case: Case) -> str:
    """Pushes one case of the history through the services; returns its case id."""
    la, bu = s.md(Role.NOTIFYING_LA), s.md(Role.BUSINESS_UNIT)
    incident = (await s.intake.NotifyIncident(intake_pb2.NotifyIncidentRequest(
        idempotency_key=f"history-{case.name}-0001", notification=_notification(case)), metadata=la)).incident
    case_id = incident.case_id
    s.case_ids[case.name] = case_id
    if case.panel_sent:
        await s.intake.RecordPanelNotification(intake_pb2.RecordPanelNotificationRequest(
            case_id=case_id, reference=f"PANEL-{case.name}", sent_date=case.panel_sent), metadata=la)
    if case.withdrawn:
        await s.intake.WithdrawIncident(intake_pb2.WithdrawIncidentRequest(case_id=case_id, reason="Not a serious incident."),
                                        metadata=la)
        return case_id
    if case.themes:
        async def opened():  # type: ignore[no-untyped-def]
            try:
                status = await s.gathering.GetRequestStatus(gathering_pb2.GetRequestStatusRequest(case_id=case_id), metadata=bu)
            except grpc.aio.AioRpcError:
                return False
            return bool(status.requests)

        await eventually(opened, what=f"{case.name}: the information request")
        await s.gathering.SubmitAgencyReturn(gathering_pb2.SubmitAgencyReturnRequest(
            case_id=case_id, agency_return=_police_return(case.themes)), metadata=s.md(Role.AGENCY, agency=POLICE))

        async def themed():  # type: ignore[no-untyped-def]
            found = await s.criteria.ListCaseThemes(criteria_pb2.ListCaseThemesRequest(case_ids=[case_id]), metadata=bu)
            return bool(found.cases) and set(case.themes) <= set(found.cases[0].themes)

        await eventually(themed, what=f"{case.name}: its learning themes evaluated")
    if not case.decided:
        return case_id
    await _decide(s, case, case_id)
    return case_id


async def _decide(s: Stubs, case: Case, case_id: str) -> None:
    bu = s.md(Role.BUSINESS_UNIT)

    async def latest_evaluation() -> str:
        try:
            state = (await s.decisions.GetCase(D.GetCaseRequest(case_id=case_id), metadata=bu)).case
        except grpc.aio.AioRpcError:
            return ""
        return state.evaluations[-1].evaluation_id if state.evaluations else ""

    evaluation_id = await eventually(latest_evaluation, what=f"{case.name}: an evaluation known to decisions")
    rec = (await s.decisions.RecordRecommendation(childk.recommendation(
        case_id, evaluation_id, recommendation=case.recommendation, meeting_date=case.decided, immediate_learning=[]),
        metadata=s.md(Role.RAG_MEMBER))).recommendation
    decision = childk.example("decision", D.RecordDecisionRequest, case_id=case_id, recommendation_id=rec.recommendation_id,
                              decision=case.recommendation, decided_on=case.decided, reason=case.reason, communications=[
                                  D.DecisionCommunication(recipient=D.DECISION_RECIPIENT_FAMILY,
                                                          status=D.COMMUNICATION_STATUS_PLANNED, note="To be told.")])
    dec = (await s.decisions.RecordDecision(decision, metadata=s.md(Role.EXECUTIVE))).decision
    await s.decisions.RecordPanelSubmission(D.RecordPanelSubmissionRequest(
        case_id=case_id, decision_id=dec.decision_id, sent_date=case.decided), metadata=bu)
    if case.commissioned:
        await s.decisions.CommissionReview(childk.example("commission", D.CommissionReviewRequest, case_id=case_id,
                                                          commissioned_on=case.commissioned), metadata=bu)
    if case.publication is not None:
        p = case.publication
        if p.extension_to:
            await s.decisions.RecordExtension(childk.example("extension", D.RecordExtensionRequest, case_id=case_id,
                                                             reason=D.EXTENSION_REASON_INQUEST, extended_to=p.extension_to),
                                              metadata=bu)
        for kind, day in ((D.MILESTONE_KIND_FINAL_REPORT_AGREED, p.final_agreed), (D.MILESTONE_KIND_FAMILY_SAW_REPORT, p.family_saw),
                          (D.MILESTONE_KIND_SENT_TO_PANEL_AND_SOS, p.sent_to_panel)):
            await s.decisions.RecordMilestone(D.RecordMilestoneRequest(case_id=case_id, kind=kind, occurred_on=day), metadata=bu)
        await s.decisions.Publish(childk.example("publish", D.PublishRequest, case_id=case_id, published_on=p.published_on,
                                                 text="The review of Child Q found learning about information sharing."),
                                  metadata=bu)
    for agency, agreed, due, status, closed in case.actions:
        action = (await s.decisions.AddAction(D.AddActionRequest(
            case_id=case_id, description="Act on the learning.", owner_agency_id=agency, due_date=due, agreed_on=agreed),
            metadata=bu)).action
        if status != D.ACTION_STATUS_OPEN:
            await s.decisions.UpdateAction(D.UpdateActionRequest(case_id=case_id, action_id=action.action_id, status=status,
                                                                 evidence="Done or no longer needed.", closed_on=closed),
                                           metadata=bu)
