"""Bad events on every subject every service consumes: garbage bytes, an unknown schema
version, a payload of the wrong type, an unknown event type, and an event about a case
nobody knows (or, for the events that create a case or concern a whole partnership, one
that can never be processed). Each consuming durable must put each of them on the
dead-letter stream (RR_DEAD_LETTERS, `rr.dlq.<service>.<consumer>`) with a reason, exactly
once, and go on processing the valid events published after them: ten cases pushed
through the whole pipeline (with a Panel submission and response, and a partnership's new
learning themes), reconciled like the fault suite.

The subjects are read from the durable consumers themselves, so a consumer that starts
listening to a new subject fails this test until the subject has bad events of its own.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass

import nats
import pytest
from google.protobuf import message as pb_message

from rapidreview.kernel.events import new_event, subject_for
from rapidreview.v1 import common_pb2, criteria_pb2, decisions_pb2, events_pb2, gathering_pb2, intake_pb2
from tests.reliability import profile
from tests.reliability.pipeline import PANEL_SENT, PARTNERSHIP, PipelineDriver, decisions_example, plan_cases
from tests.reliability.reconcile import consumer_states, reconcile_stack, wait_quiescent
from tests.reliability.stack import SERVICE_ENV, embedded_stack

pytestmark = pytest.mark.integration

DECIDED_ON = "2024-06-26"
PRODUCERS = {"incident": "intake", "information": "gathering", "agency": "gathering", "criteria": "criteria", "decision": "decisions", "review": "decisions"}


def _unknown_case(event_type: str) -> tuple[pb_message.Message, str]:
    """A well-formed payload that can never be processed, and the case id its envelope carries."""
    case_id = str(uuid.uuid4())
    if event_type == "incident.notified":  # creates a case: one without a case id or partnership
        return intake_pb2.IncidentNotified(incident=intake_pb2.Incident(status=intake_pb2.INCIDENT_STATUS_NOTIFIED)), ""
    if event_type == "incident.panel_notified":
        return intake_pb2.IncidentPanelNotified(
            case_id=case_id, panel_notification=intake_pb2.PanelNotification(reference="PANEL-X", sent_date=PANEL_SENT),
            rapid_review_clock=common_pb2.Clock(id="RR.DEADLINE", starts_from=PANEL_SENT, due="2024-06-28")), case_id
    if event_type == "incident.withdrawn":
        return intake_pb2.IncidentWithdrawn(case_id=case_id), case_id
    if event_type == "information.collated":
        return gathering_pb2.InformationCollated(case_id=case_id, partnership=PARTNERSHIP, collation_version=1), case_id
    if event_type == "agency.chased":  # a chase gathering never recorded
        return gathering_pb2.AgencyChased(case_id=case_id, agency=common_pb2.Agency(agency_id="police", name="Police"), chase_id=str(uuid.uuid4()),
                                          chased_on=PANEL_SENT, due="2024-06-21"), case_id
    if event_type == "criteria.evaluated":
        return criteria_pb2.CriteriaEvaluated(checklist=criteria_pb2.Checklist(evaluation_id=str(uuid.uuid4()), case_id=case_id)), case_id
    if event_type == "decision.recorded":
        return decisions_pb2.DecisionRecorded(case_id=case_id, decided_on=DECIDED_ON), case_id
    if event_type == "decision.panel_responded":
        return decisions_pb2.PanelResponseRecorded(case_id=case_id, kind=decisions_pb2.PANEL_RESPONSE_KIND_AGREES), case_id
    if event_type == "incident.amended":
        return intake_pb2.IncidentAmended(incident=intake_pb2.Incident(
            case_id=case_id, partnership=PARTNERSHIP, notification=intake_pb2.Notification(la_aware_date="2024-06-04")),
            version=2), case_id
    if event_type == "incident.notification_sent":
        return intake_pb2.IncidentNotificationSent(case_id=case_id, notification=intake_pb2.NotificationSent(
            duty="NOTIFY.PARTNERS", recipient=intake_pb2.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS, sent_date="2024-06-06")), case_id
    if event_type == "incident.partners_informed":
        return intake_pb2.IncidentPartnersInformed(case_id=case_id, informed_date="2024-06-06"), case_id
    if event_type == "incident.clock_extended":
        return intake_pb2.IncidentClockExtended(case_id=case_id, clock=common_pb2.Clock(
            id="RR.DEADLINE", starts_from=PANEL_SENT, due="2024-06-28", effective_due="2024-07-05")), case_id
    if event_type == "decision.panel_submitted":
        return decisions_pb2.PanelSubmissionRecorded(case_id=case_id, sent_date="2024-06-27"), case_id
    if event_type == "agency.request_opened":
        return gathering_pb2.AgencyRequestOpened(request=gathering_pb2.InformationRequest(
            case_id=case_id, agency=common_pb2.Agency(agency_id="west-yorkshire-police", name="West Yorkshire Police"))), case_id
    if event_type == "review.themes_published":  # concerns a partnership: themes missing
        return decisions_pb2.ReviewThemesPublished(partnership=PARTNERSHIP, review_id="review-without-themes", year=2024), ""
    raise AssertionError(f"consumed subject rr.v1.{event_type} has no bad events yet: add a builder here")


@dataclass
class BadEvent:
    kind: str
    subject: str
    data: bytes
    event_id: str  # "" for garbage

    def reason_ok(self, reason: str, event_type: str) -> bool:
        expected = {
            "garbage": ("undecodable", "without event id"),
            "unknown_version": ("unknown schema version 99",),
            "wrong_payload": ("payload is not",),
            "unknown_type": (f"unknown event type {event_type.split('.')[0]}.exploded",),
        }.get(self.kind)
        return bool(reason.strip()) and (expected is None or any(text in reason for text in expected))


def bad_events(event_type: str) -> list[BadEvent]:
    producer = PRODUCERS[event_type.split(".")[0]]
    subject = subject_for(event_type, producer)
    payload, case_id = _unknown_case(event_type)
    out = [BadEvent("garbage", subject, b"\x00\xff\x13not an event envelope " + uuid.uuid4().bytes, "")]
    future = new_event(event_type, payload, producer=producer, case_id=case_id or str(uuid.uuid4()), partnership=PARTNERSHIP,
                       schema_version=99)
    out.append(BadEvent("unknown_version", subject, future.SerializeToString(), future.event_id))
    wrong = new_event(event_type, events_pb2.DeadlineDueSoon(clock_id="RR.DEADLINE", due="2024-06-28"), producer=producer,
                      case_id=str(uuid.uuid4()), partnership=PARTNERSHIP)
    out.append(BadEvent("wrong_payload", subject, wrong.SerializeToString(), wrong.event_id))
    unknown_type = new_event(f"{event_type.split('.')[0]}.exploded", payload, producer=producer, case_id=str(uuid.uuid4()),
                             partnership=PARTNERSHIP)
    out.append(BadEvent("unknown_type", subject, unknown_type.SerializeToString(), unknown_type.event_id))
    never = new_event(event_type, payload, producer=producer, case_id=case_id, partnership=PARTNERSHIP)
    out.append(BadEvent("unknown_case", subject, never.SerializeToString(), never.event_id))
    return out


@pytest.mark.timeout(profile.current().timeout)
async def test_bad_events_on_every_consumed_subject_are_dead_lettered_and_valid_events_still_flow():
    started = time.monotonic()
    async with embedded_stack() as stack:
        consumers = await consumer_states(stack.nats_connect_options())
        subjects: dict[str, list[str]] = {}  # subject -> durables consuming it
        for name, info in consumers.items():
            for subject in info.config.filter_subjects or [info.config.filter_subject]:
                subjects.setdefault(subject, []).append(name)
        assert {"rr.v1.incident.notified", "rr.v1.criteria.evaluated", "rr.v1.decision.recorded"} <= set(subjects), subjects

        published: list[BadEvent] = []
        nc = await nats.connect(**stack.nats_connect_options(), connect_timeout=5)  # the operators' admin user
        try:
            js = nc.jetstream(timeout=10)
            for subject in sorted(subjects):
                event_type = subject.removeprefix("rr.v1.")
                for bad in bad_events(event_type):
                    await js.publish(bad.subject, bad.data, headers={"Nats-Msg-Id": bad.event_id or f"garbage-{uuid.uuid4()}"})
                    published.append(bad)

            # Valid events after the bad ones: whole cases through every service ...
            plans = plan_cases(10)
            async with PipelineDriver(stack, plans) as driver:
                await driver.run()
                first = next(p for p in plans if p.decide)
                submission = decisions_example("panel-submission", decisions_pb2.RecordPanelSubmissionRequest, case_id=first.case_id,
                                               decision_id=first.decision_id, idempotency_key=f"{first.key}-sub")
                response = await driver.api.call("decisions", "RecordPanelSubmission", submission, driver.callers.bu)
                answer = decisions_example("panel-response", decisions_pb2.RecordPanelResponseRequest, case_id=first.case_id,
                                           submission_id=response.submission.submission_id, responded_on=SERVICE_ENV["RR_TODAY"],
                                           idempotency_key=f"{first.key}-resp")
                await driver.api.call("decisions", "RecordPanelResponse", answer, driver.callers.bu)
                await driver.watcher.wait_for(
                    first.case_id, lambda s: any(t == criteria_pb2.EVALUATION_TRIGGER_PANEL_RESPONSE for _e, t, _v in s.evaluations),
                    120, "criteria to re-evaluate on decision.panel_responded")
            # ... and a partnership's new learning themes (published as decisions would).
            themes = new_event("review.themes_published", decisions_pb2.ReviewThemesPublished(
                partnership=PARTNERSHIP, review_id="cspr-2023-child-m", year=2023, themes=["information-sharing"]),
                producer="decisions", partnership=PARTNERSHIP)
            await js.publish(subject_for(themes.event_type, "decisions"), themes.SerializeToString(), headers={"Nats-Msg-Id": themes.event_id})
        finally:
            await nc.close()

        await wait_quiescent(stack)
        foreign = len({b.event_id for b in published if b.event_id}) + 1
        findings, dead = await reconcile_stack(stack, plans, decided_on=DECIDED_ON, foreign_events=foreign, expect_dead_letters=True)
        stores_inbox = await _inbox_ids(stack, "criteria")
        assert themes.event_id in stores_inbox, "criteria never processed the valid review.themes_published after the bad ones"

        # Exactly one dead letter per bad event per consuming durable, on its subject, with a reason.
        letters = [(m.subject, events_pb2.DeadLetter.FromString(m.data)) for m in dead]
        by_key: Counter[tuple[str, bytes]] = Counter((letter.consumer, letter.original_data) for _s, letter in letters)
        problems = []
        expected = 0
        for bad in published:
            event_type = bad.subject.removeprefix("rr.v1.")
            for durable in subjects[bad.subject]:
                expected += 1
                service = durable.split("-", 1)[0]
                mine = [(s, letter) for s, letter in letters if letter.consumer == durable and letter.original_data == bad.data]
                if len(mine) != 1:
                    problems.append(f"{durable} / {bad.subject} / {bad.kind}: {len(mine)} dead letters")
                    continue
                subject, letter = mine[0]
                if subject != f"rr.dlq.{service}.{durable}":
                    problems.append(f"{durable} / {bad.kind}: dead letter on {subject}")
                if not bad.reason_ok(letter.reason, event_type):
                    problems.append(f"{durable} / {bad.subject} / {bad.kind}: reason {letter.reason!r}")
                if letter.original_subject != bad.subject or letter.event_id != bad.event_id:
                    problems.append(f"{durable} / {bad.kind}: letter names {letter.original_subject} {letter.event_id!r}")
                if bad.kind == "unknown_case" and letter.reason == "unknown case" and letter.deliveries != int(SERVICE_ENV["RR_CONSUMER_MAX_DELIVER"]):
                    problems.append(f"{durable} / {bad.subject}: gave up after {letter.deliveries} deliveries")
        extra = len(letters) - expected
        if extra:
            problems.append(f"{extra} dead letters more than the bad events published (a valid event was dead-lettered?)")
        assert all(n == 1 for n in by_key.values()), [k for k, n in by_key.items() if n > 1][:5]
        profile.record("bad_events", {
            **findings.summary(),
            "subjects": len(subjects),
            "durables": len(consumers),
            "bad_events_published": len(published),
            "dead_letters_expected": expected,
            "dead_letters": len(letters),
            "reasons": dict(Counter(letter.reason.split(":")[0][:60] for _s, letter in letters)),
            "total_s": round(time.monotonic() - started, 1),
        })
        assert not problems, "\n".join(problems[:40])
        findings.assert_clean()


async def _inbox_ids(stack, schema: str) -> set[str]:  # type: ignore[no-untyped-def]
    import asyncpg

    conn = await asyncpg.connect(stack.postgres.url("rapidreview", driver="postgresql"),
                                 server_settings={"default_transaction_read_only": "on"})
    try:
        return {r["event_id"] for r in await conn.fetch(f'SELECT event_id FROM "{schema}".inbox')}
    finally:
        await conn.close()
