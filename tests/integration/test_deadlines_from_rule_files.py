"""Every deadline comes from the rule files (rules/README.md: "change a deadline
here, never in code"). A temporary copy of the rules changes every deadline
parameter of WT2023; the four services, started on it, each follow it."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import grpc
import pytest
import yaml

from rapidreview.kernel.auth import Role
from rapidreview.rules import Rulebook
from rapidreview.rules.parameters import RuleParameters
from rapidreview.rules.rulebook import default_rules_dir
from rapidreview.v1 import criteria_pb2, criteria_pb2_grpc, decisions_pb2_grpc, gathering_pb2, gathering_pb2_grpc
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.v1 import intake_pb2 as S
from rapidreview.v1 import intake_pb2_grpc
from tests.integration.decisions import childk
from tests.support.examples import example_notification
from tests.support.harness import Caller, RunningService, dev_credentials, eventually, service_env

pytestmark = pytest.mark.integration

#: The changes, against the editions shipped (in brackets).
CHANGES = {
    "NOTIFY.DEADLINE": {"working_days": 3},                            # (5)
    "NOTIFY.PARTNERS": {"working_days": 4},                            # (5)
    "RR.DEADLINE": {"working_days": 10, "counts_from": "la_aware_date"},  # (15 from the Panel notification)
    "RR.AGENCIES": {"working_days": 6},                                # (10)
    "POST.INFORM": {"working_days": 2},                                # (5)
    "POST.SIX_MONTHS": {"months": 4},                                  # (6)
    "POST.PROGRESS_CHECKS": {"interval_weeks": 3},                     # (4)
    "POST.PRESEND": {"working_days_before": 3},                        # (7)
}


@pytest.fixture(scope="module")
def changed_rules():
    folder = Path(tempfile.mkdtemp(prefix="rr-rules-"))
    shutil.copytree(default_rules_dir(), folder / "rules")
    for rule_id, params in CHANGES.items():
        path = folder / "rules" / "wt2023" / "rules" / f"{rule_id}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["parameters"].update(params)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    yield folder / "rules"
    shutil.rmtree(folder, ignore_errors=True)


def _clock(clocks, clock_id: str):  # type: ignore[no-untyped-def]
    return next(c for c in clocks if c.id == clock_id)


async def test_every_service_follows_the_deadlines_of_a_changed_edition(fresh_database, own_nats, changed_rules, tmp_path):
    creds = dev_credentials(tmp_path / "credentials")
    env = service_env(fresh_database, own_nats.url, creds, RR_TODAY="2025-01-20", RR_CLOCK_WATCH_INTERVAL="3600")
    book = Rulebook.load(changed_rules)
    params = RuleParameters.load(changed_rules)
    services = {
        "intake": RunningService("intake", env, build_kwargs={"rulebook": book}),
        "gathering": RunningService("gathering", env, build_kwargs={"rules": params}),
        "criteria": RunningService("criteria", env, build_kwargs={"rulebook": book}),
        "decisions": RunningService("decisions", env, build_kwargs={"rules": params}),
    }
    for service in services.values():
        await service.start()
    la, bu = Caller(creds, Role.NOTIFYING_LA), Caller(creds, Role.BUSINESS_UNIT)
    channels = {name: grpc.aio.insecure_channel(s.address) for name, s in services.items()}
    try:
        intake = intake_pb2_grpc.IntakeServiceStub(channels["intake"])
        gathering = gathering_pb2_grpc.GatheringServiceStub(channels["gathering"])
        criteria = criteria_pb2_grpc.CriteriaServiceStub(channels["criteria"])
        decisions = decisions_pb2_grpc.DecisionServiceStub(channels["decisions"])

        # Intake: aware Tuesday 2024-06-04.
        incident = (await intake.NotifyIncident(S.NotifyIncidentRequest(
            idempotency_key="key-changed-edition", notification=example_notification()), metadata=la.metadata())).incident
        case_id = incident.case_id
        assert _clock(incident.clocks, "NOTIFY.DEADLINE").due == "2024-06-07"      # 3 working days
        assert _clock(incident.clocks, "NOTIFY.PARTNERS").due == "2024-06-10"      # 4 working days
        rr = _clock(incident.clocks, "RR.DEADLINE")                                 # from awareness, at once
        assert (rr.starts_from, rr.due) == ("2024-06-04", "2024-06-18")            # 10 working days
        await intake.RecordPanelNotification(S.RecordPanelNotificationRequest(
            case_id=case_id, reference="PANEL-K", sent_date="2024-06-07"), metadata=la.metadata())

        # Gathering: returns due 6 working days after the Panel notification.
        async def requests_final():
            try:
                status = await gathering.GetRequestStatus(gathering_pb2.GetRequestStatusRequest(case_id=case_id),
                                                          metadata=bu.metadata())
            except grpc.aio.AioRpcError:
                return None
            ok = status.requests and all(r.due_basis == gathering_pb2.DUE_BASIS_PANEL_NOTIFICATION for r in status.requests)
            return status if ok else None

        status = await eventually(requests_final, timeout=30, what="gathering's requests")
        assert {r.clock.due for r in status.requests} == {"2024-06-17"}

        # Criteria: the checklist's clocks are the same.
        async def checklist():
            try:
                found = (await criteria.GetChecklist(criteria_pb2.GetChecklistRequest(case_id=case_id),
                                                     metadata=bu.metadata())).checklist
            except grpc.aio.AioRpcError:
                return None
            return found if found.trigger == criteria_pb2.EVALUATION_TRIGGER_PANEL_NOTIFIED else None

        found = await eventually(checklist, timeout=30, what="the checklist after the Panel notification")
        assert _clock(found.clocks, "NOTIFY.DEADLINE").due == "2024-06-07"
        assert (_clock(found.clocks, "RR.DEADLINE").starts_from, _clock(found.clocks, "RR.DEADLINE").due) == (
            "2024-06-04", "2024-06-18")

        # Decisions: RR.DEADLINE from intake, POST.* from the changed files.
        async def evaluation():
            try:
                case = (await decisions.GetCase(D.GetCaseRequest(case_id=case_id), metadata=bu.metadata())).case
            except grpc.aio.AioRpcError:
                return None
            return case.evaluations[-1].evaluation_id if case.evaluations else None

        evaluation_id = await eventually(evaluation, timeout=30, what="decisions to know an evaluation")
        rag, executive = Caller(creds, Role.RAG_MEMBER), Caller(creds, Role.EXECUTIVE)
        rec = (await decisions.RecordRecommendation(childk.recommendation(case_id, evaluation_id),
                                                    metadata=rag.metadata())).recommendation
        decided = (await decisions.RecordDecision(childk.example(
            "decision", D.RecordDecisionRequest, case_id=case_id, recommendation_id=rec.recommendation_id),
            metadata=executive.metadata())).decision                                   # Wednesday 2024-06-26
        submitted = (await decisions.RecordPanelSubmission(childk.example(
            "panel-submission", D.RecordPanelSubmissionRequest, case_id=case_id, decision_id=decided.decision_id),
            metadata=bu.metadata()))
        assert submitted.submission.rapid_review_due == "2024-06-18" and submitted.submission.late
        assert _clock(submitted.case.clocks, "POST.INFORM").due == "2024-06-28"    # 2 working days
        await decisions.RecordPanelResponse(childk.example(
            "panel-response", D.RecordPanelResponseRequest, case_id=case_id, submission_id=submitted.submission.submission_id),
            metadata=bu.metadata())
        commissioned = await decisions.CommissionReview(childk.example(
            "commission", D.CommissionReviewRequest, case_id=case_id, progress_check_weeks=0), metadata=bu.metadata())
        assert _clock(commissioned.case.clocks, "POST.SIX_MONTHS").due == "2024-10-26"  # 4 months
        # Every 3 weeks from the decision: 2024-07-17, then 2024-08-07, the first after commissioning (2024-07-22).
        assert _clock(commissioned.case.clocks, "POST.PROGRESS_CHECKS").due == "2024-08-07"
        for name in ("final-report-agreed", "family-saw-report", "sent-to-panel-and-sos"):  # sent Wednesday 2024-12-11
            milestone = await decisions.RecordMilestone(childk.example(f"milestone-{name}", D.RecordMilestoneRequest,
                                                                       case_id=case_id), metadata=bu.metadata())
        assert milestone.case.review.earliest_publication_date == "2024-12-16"      # 3 working days
        published = await decisions.Publish(childk.example("publish", D.PublishRequest, case_id=case_id,
                                                           published_on="2024-12-16", text=childk.report_text()),
                                            metadata=bu.metadata())
        assert published.case.stage == D.CASE_STAGE_PUBLISHED

        # Intake closes RR.DEADLINE on the submission date, as decisions judged it.
        async def closed():
            found = (await intake.GetIncident(S.GetIncidentRequest(case_id=case_id), metadata=la.metadata())).incident
            clock = _clock(found.clocks, "RR.DEADLINE")
            return clock if clock.completed_on else None

        rr_closed = await eventually(closed, timeout=30, what="intake to close RR.DEADLINE")
        assert (rr_closed.completed_on, rr_closed.late) == ("2024-06-27", True)
    finally:
        for channel in channels.values():
            await channel.close()
        for service in services.values():
            await service.stop()
