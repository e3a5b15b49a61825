"""Canary values fed through every path of all four services never reach the log
output (structlog and anything else written to stdout/stderr), event headers,
event payloads (free text; the pseudonymous child reference may travel),
dead letters, error messages and their details, metrics (names, labels and
values, as /metrics would serve them), the access log, or any column stored in
clear."""

from __future__ import annotations

import io
import re
import secrets

import grpc
import nats
import prometheus_client
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from rapidreview.kernel.auth import Role
from rapidreview.kernel.events import DLQ_STREAM, EVENTS_STREAM
from rapidreview.v1 import access_log_pb2, criteria_pb2, gathering_pb2, intake_pb2
from rapidreview.v1 import decisions_pb2 as D
from tests.security.conftest import SERVICES, Stack, security_env, service_logs
from tests.security.pipeline import CaseRun, agency_return, decisions_example, notification_request
from tests.security.requests import CaseIds, all_rpcs, valid_request
from tests.support.harness import eventually

pytestmark = pytest.mark.integration

RUN = secrets.token_hex(3)
#: Every free-text canary starts with this marker, so one search finds them all.
TEXT_MARK = f"FreeTextCanary{RUN}"
#: Identifying details (names, places) get their own marker: a report must not share a word with them.
DETAIL_MARK = f"DetailCanary{RUN}"
CHILD = f"ChildRefCanary{RUN}"
AGENCY_NAME = f"AgencyNameCanary{RUN}"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_counter = iter(range(1, 1_000_000))


def canary_text(field: str, value: str) -> str:
    """A distinct canary for a free-text field (a date-of-birth detail stays a date: it is validated as one)."""
    if _DATE.match(value):
        return value
    if field == "value":
        return f"{DETAIL_MARK}x{next(_counter)}"
    return f"{TEXT_MARK} {field} {next(_counter)}"


class Errors:
    """Every error a call met: its message and its trailing metadata (rich details)."""

    def __init__(self) -> None:
        self.seen: list[grpc.aio.AioRpcError] = []

    async def expect(self, call, *codes: grpc.StatusCode) -> grpc.StatusCode:  # type: ignore[no-untyped-def]
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await call
        self.seen.append(err.value)
        if codes:
            assert err.value.code() in codes, f"{err.value.code().name}: {err.value.details()}"
        return err.value.code()

    def text(self) -> bytes:
        out = b""
        for error in self.seen:
            out += (error.details() or "").encode() + b"\n"
            for key, value in error.trailing_metadata() or ():
                out += key.encode() + b"=" + (value if isinstance(value, bytes) else value.encode()) + b"\n"
        return out


def assert_no_canary(where: str, data: bytes, *, child_allowed: bool = False) -> None:
    found = [c for c in (TEXT_MARK, DETAIL_MARK, CHILD) if c.encode() in data and not (child_allowed and c == CHILD)]
    assert not found, f"{', '.join(found)} found in {where}"


async def read_stream(nats_url: str, stream: str) -> list:  # type: ignore[type-arg]
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        info = await js.stream_info(stream)
        return [await js.get_msg(stream, seq) for seq in range(info.state.first_seq, info.state.last_seq + 1)] if info.state.messages else []
    finally:
        await nc.close()


async def outboxes_drained(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async def drained() -> bool:
            async with engine.connect() as conn:
                pending = [(await conn.execute(text(f"SELECT count(*) FROM {s}.outbox WHERE published_at IS NULL"))).scalar_one()
                           for s in SERVICES]
            return sum(pending) == 0

        await eventually(drained, timeout=30, what="every outbox to be published")
    finally:
        await engine.dispose()


async def stored_in_clear(database_url: str) -> dict[str, bytes]:
    """Every row of every table of the four schemas, as bytes, by table."""
    engine = create_async_engine(database_url)
    out: dict[str, bytes] = {}
    try:
        async with engine.connect() as conn:
            tables = (await conn.execute(text(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema = ANY(:schemas) AND table_type = 'BASE TABLE'"), {"schemas": list(SERVICES)})).scalars().all()
            for table in tables:
                chunks = []
                for row in (await conn.execute(text(f"SELECT * FROM {table}"))).all():
                    for value in row:
                        chunks.append(value if isinstance(value, bytes) else str(value).encode())
                out[table] = b"\x00".join(chunks)
    finally:
        await engine.dispose()
    return out


async def exercise_every_path(stack: Stack, errors: Errors) -> CaseRun:
    """The whole pipeline with canaries in every free-text field, the other commands
    of every service, and requests that fail with canaries in them."""
    run = CaseRun(stack, text_for=canary_text, child_ref=CHILD)
    await run.through_evaluation()
    intake, gathering, criteria, decisions = (stack.stub(s) for s in SERVICES)
    bu, la = stack.md(Role.BUSINESS_UNIT), stack.md(Role.NOTIFYING_LA)

    # -- intake: reads, a clock extension, a second case withdrawn, duplicates, bad input
    await intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=run.case_id), metadata=stack.md(Role.RAG_MEMBER))
    await intake.ListIncidents(intake_pb2.ListIncidentsRequest(), metadata=la)
    await intake.ExtendClock(intake_pb2.ExtendClockRequest(case_id=run.case_id, clock_id="RR.DEADLINE", extended_to="2025-02-28",
                                                           reason=canary_text("reason", "")), metadata=bu)
    second = notification_request(CHILD, canary_text)
    second.notification.agencies[0].name = AGENCY_NAME
    withdrawn = (await intake.NotifyIncident(second, metadata=la)).incident
    await intake.WithdrawIncident(intake_pb2.WithdrawIncidentRequest(case_id=withdrawn.case_id, reason=canary_text("reason", "")), metadata=la)
    # an agency's referral: amended with a reason, then not notified, with a rationale
    referred = notification_request(CHILD, canary_text)
    referred.notification.referred_by_agency = "west-yorkshire-police"
    third = (await intake.NotifyIncident(referred, metadata=la)).incident
    amendment = notification_request(CHILD, canary_text).notification
    amendment.referred_by_agency = "west-yorkshire-police"
    amendment.recovered = False
    await intake.AmendNotification(intake_pb2.AmendNotificationRequest(case_id=third.case_id, notification=amendment,
                                                                       reason=canary_text("reason", "")), metadata=la)
    await intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=third.case_id, notification_version=1), metadata=la)
    await intake.RecordReferralDecision(intake_pb2.RecordReferralDecisionRequest(
        case_id=third.case_id, decision=intake_pb2.REFERRAL_DECISION_KIND_NOT_NOTIFY, rationale=canary_text("rationale", ""),
        decided_on="2024-06-05"), metadata=la)
    bad = notification_request(CHILD * 5, canary_text)
    bad.notification.harm_description = canary_text("harm_description", "") * 300
    bad.notification.incident_date = canary_text("incident_date", "")
    await errors.expect(intake.NotifyIncident(bad, metadata=la), grpc.StatusCode.INVALID_ARGUMENT)
    await errors.expect(intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=CHILD), metadata=la), grpc.StatusCode.INVALID_ARGUMENT)
    await errors.expect(intake.WithdrawIncident(intake_pb2.WithdrawIncidentRequest(
        case_id=run.case_id, reason=canary_text("reason", "") * 200), metadata=la), grpc.StatusCode.INVALID_ARGUMENT)

    # -- gathering: every read, an amendment, close, reopen with a reason, bad returns
    police = stack.md(Role.AGENCY, agency="west-yorkshire-police")
    amended = agency_return("west-yorkshire-police", run.case_id, canary_text)
    await gathering.SubmitAgencyReturn(amended, metadata=police)
    await gathering.GetAgencyReturn(gathering_pb2.GetAgencyReturnRequest(case_id=run.case_id, agency_id="west-yorkshire-police"), metadata=police)
    await gathering.GetCollatedInformation(gathering_pb2.GetCollatedInformationRequest(case_id=run.case_id), metadata=bu)
    await gathering.ListOverdueRequests(gathering_pb2.ListOverdueRequestsRequest(), metadata=bu)
    await gathering.CloseGathering(gathering_pb2.CloseGatheringRequest(case_id=run.case_id), metadata=bu)
    await gathering.ReopenGathering(gathering_pb2.ReopenGatheringRequest(case_id=run.case_id, reason=canary_text("reason", "")), metadata=bu)
    broken = agency_return("gp-practice", run.case_id, canary_text)
    broken.agency_return.chronology[0].date = canary_text("date", "")
    broken.agency_return.chronology[0].summary = canary_text("summary", "") * 300
    await errors.expect(gathering.SubmitAgencyReturn(broken, metadata=stack.md(Role.AGENCY, agency="gp-practice")),
                        grpc.StatusCode.INVALID_ARGUMENT)
    await errors.expect(gathering.SubmitAgencyReturn(agency_return("gp-practice", run.case_id, canary_text), metadata=police),
                        grpc.StatusCode.PERMISSION_DENIED)
    await gathering.CloseGathering(gathering_pb2.CloseGatheringRequest(case_id=run.case_id), metadata=bu)

    # -- criteria: what-if with the child's reference, re-evaluation with a reason, summary, replay
    ids = CaseIds(case_id=run.case_id, evaluation_id=await run.collated_evaluation())
    what_if = valid_request(next(r for r in all_rpcs() if r.name == "EvaluateCase"), ids)
    what_if.facts.child.child_ref = CHILD
    await criteria.EvaluateCase(what_if, metadata=stack.md(Role.RAG_MEMBER))
    await criteria.ReevaluateCase(criteria_pb2.ReevaluateCaseRequest(case_id=run.case_id, reason=canary_text("reason", "")), metadata=bu)
    await criteria.GetChecklist(criteria_pb2.GetChecklistRequest(case_id=run.case_id), metadata=stack.md(Role.EXECUTIVE))
    await criteria.RenderSummary(criteria_pb2.RenderSummaryRequest(case_id=run.case_id, format=criteria_pb2.SUMMARY_FORMAT_MARKDOWN),
                                 metadata=stack.md(Role.RAG_MEMBER))
    await criteria.ExplainCriterion(criteria_pb2.ExplainCriterionRequest(case_id=run.case_id, rule_id="LOCAL.IMPROVEMENTS"), metadata=bu)
    await criteria.ReplayEvaluation(criteria_pb2.ReplayEvaluationRequest(case_id=run.case_id, evaluation_id=ids.evaluation_id),
                                    metadata=stack.md(Role.AUDITOR))
    await criteria.ListEvaluations(criteria_pb2.ListEvaluationsRequest(case_id=run.case_id), metadata=stack.md(Role.AUDITOR))
    await errors.expect(criteria.ReevaluateCase(criteria_pb2.ReevaluateCaseRequest(
        case_id=run.case_id, reason=canary_text("reason", "") * 200, edition_version=canary_text("edition_version", "")), metadata=bu),
        grpc.StatusCode.INVALID_ARGUMENT)
    bad_facts = criteria_pb2.EvaluateCaseRequest()
    bad_facts.CopyFrom(what_if)
    bad_facts.facts.la_aware_date = canary_text("la_aware_date", "")
    await errors.expect(criteria.EvaluateCase(bad_facts, metadata=bu), grpc.StatusCode.INVALID_ARGUMENT)

    # -- decisions: the whole lifecycle with canaries, then refusals that carry them
    await run.decisions_know_evaluation()
    await run.decide()
    await run.review()
    details = decisions_example("identifying-details", D.RecordIdentifyingDetailsRequest, canary_text, case_id=run.case_id).details
    leaking = f"The report names {details[0].value} at {details[2].value}."
    await decisions.CheckAnonymisation(D.CheckAnonymisationRequest(case_id=run.case_id, text=leaking), metadata=bu)
    await errors.expect(decisions.RecordDissemination(decisions_example(
        "dissemination", D.RecordDisseminationRequest, canary_text, case_id=run.case_id, occurred_on=canary_text("occurred_on", "")),
        metadata=bu), grpc.StatusCode.INVALID_ARGUMENT)
    too_long = decisions_example("action", D.AddActionRequest, canary_text, case_id=run.case_id)
    too_long.description = canary_text("description", "") * 300
    await errors.expect(decisions.AddAction(too_long, metadata=bu), grpc.StatusCode.INVALID_ARGUMENT)
    await decisions.GetCase(D.GetCaseRequest(case_id=run.case_id), metadata=stack.md(Role.EXECUTIVE))
    await decisions.GetAuditTrail(D.GetAuditTrailRequest(case_id=run.case_id, page_size=500), metadata=stack.md(Role.AUDITOR))
    await decisions.VerifyAuditTrail(D.VerifyAuditTrailRequest(case_id=run.case_id), metadata=stack.md(Role.AUDITOR))
    return run


@pytest.fixture
def log_output():
    """The services' structured log at DEBUG, in memory."""
    with service_logs(io.StringIO(), "DEBUG") as out:
        yield out


async def test_canaries_never_reach_logs_events_errors_or_clear_columns(own_database, own_nats, creds, capfd, log_output):
    log = log_output
    stack = Stack(creds, own_nats.url, own_database, security_env(own_database, own_nats.url, creds))
    errors = Errors()
    try:
        await stack.start()
        run = await exercise_every_path(stack, errors)
        # A publication that still names someone is refused without quoting them.
        details = decisions_example("identifying-details", D.RecordIdentifyingDetailsRequest, canary_text, case_id=run.case_id).details
        second = CaseRun(stack, text_for=canary_text, child_ref=CHILD)
        await second.through_evaluation()
        await second.decide()
        await errors.expect(stack.stub("decisions").Publish(decisions_example(
            "publish", D.PublishRequest, canary_text, case_id=second.case_id, text=f"About {details[0].value}."),
            metadata=stack.md(Role.BUSINESS_UNIT)))
        access = {}
        for service in SERVICES:
            entries = await stack.access_log(service).ListAccessLog(access_log_pb2.ListAccessLogRequest(page_size=500),
                                                                    metadata=stack.md(Role.AUDITOR))
            access[service] = entries.SerializeToString()
        await outboxes_drained(own_database)
    finally:
        await stack.stop()

    captured = capfd.readouterr()
    output = log.getvalue()
    assert '"rpc": "SubmitAgencyReturn"' in output and '"rpc": "Publish"' in output  # the log did capture the calls
    assert len(errors.seen) == 10  # every refusal above was met and kept
    assert_no_canary("the structured log", output.encode())
    assert AGENCY_NAME not in output
    assert_no_canary("stdout/stderr", (captured.out + captured.err).encode())
    assert_no_canary("error messages and details", errors.text())
    for service, entries in access.items():
        assert_no_canary(f"{service}'s access log", entries)
    exposition = prometheus_client.generate_latest()
    assert b'rapidreview_rpc_calls_total{code="INVALID_ARGUMENT",method="NotifyIncident"' in exposition
    assert_no_canary("the metrics", exposition)

    events = await read_stream(own_nats.url, EVENTS_STREAM)
    assert {m.subject for m in events} >= {"rr.v1.incident.notified", "rr.v1.agency.return_submitted", "rr.v1.information.collated",
                                          "rr.v1.criteria.evaluated", "rr.v1.summary.ready", "rr.v1.decision.recorded"}
    for msg in events:
        headers = "\n".join(f"{k}={v}" for k, v in (msg.headers or {}).items()).encode()
        assert_no_canary(f"the headers of {msg.subject}", headers)
        assert_no_canary(f"the payload of {msg.subject}", msg.data, child_allowed=True)
    # The payload check reads real bytes: the pseudonymous reference does travel with the incident.
    assert any(CHILD.encode() in m.data for m in events if m.subject == "rr.v1.incident.notified")
    for msg in await read_stream(own_nats.url, DLQ_STREAM):
        assert_no_canary(f"the dead letter {msg.subject}", msg.data + str(msg.headers).encode())

    stored = await stored_in_clear(own_database)
    assert sorted(t for t, v in stored.items() if TEXT_MARK.encode() in v or DETAIL_MARK.encode() in v) == [], "free text in clear"
    # The child reference is encrypted at rest; only event payloads waiting in the outbox carry it.
    clear_child = sorted(t for t, v in stored.items() if CHILD.encode() in v)
    assert set(clear_child) <= {f"{s}.outbox" for s in SERVICES}, clear_child
