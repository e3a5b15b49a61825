"""Amending a notification (new version, audited, duties re-evaluated, clocks
started and stopped) and recording the local authority's decision on an
agency's referral with its rationale (NOTIFY.AGENCY_REFERRAL)."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import select, text

from rapidreview.intake import storage
from rapidreview.v1 import common_pb2, events_pb2, intake_pb2
from tests.integration.intake.test_duty_clocks import _clocks, _duty, _notify, lac_death_without_abuse
from tests.support.examples import example_notification

pytestmark = pytest.mark.integration
S = intake_pb2
REASON = "The post-mortem found injuries: abuse is now suspected."


async def _amend(stub, la, case_id: str, notification: S.Notification, expected: int = 0) -> S.Incident:  # type: ignore[no-untyped-def]
    return (await stub.AmendNotification(S.AmendNotificationRequest(
        case_id=case_id, notification=notification, reason=REASON, expected_version=expected), metadata=la.metadata())).incident


async def test_an_amendment_that_makes_abuse_suspected_starts_the_panel_duty_and_keeps_the_first_version(intake, intake_stub, la):
    first = lac_death_without_abuse()
    incident = await _notify(intake_stub, la, first, "key-amend-1")
    assert "NOTIFY.DEADLINE" not in _clocks(incident) and incident.notification_version == 1
    amended_facts = S.Notification()
    amended_facts.CopyFrom(first)
    amended_facts.abuse_or_neglect = common_pb2.ABUSE_OR_NEGLECT_SUSPECTED
    amended = await _amend(intake_stub, la, incident.case_id, amended_facts, expected=1)
    assert amended.notification_version == 2
    assert _duty(amended, "NOTIFY.PANEL_IN_AREA") == common_pb2.OUTCOME_MET
    assert _clocks(amended)["NOTIFY.DEADLINE"].due == "2024-06-11"
    [amendment] = amended.amendments
    assert amendment.version == 2 and amendment.reason == REASON and list(amendment.changed_fields) == ["abuse_or_neglect"]
    assert "NOTIFY.PANEL_IN_AREA: NOT_MET -> MET" in amendment.duties_changed
    assert set(amendment.clocks_started) == {"NOTIFY.DEADLINE", "NOTIFY.PARTNERS"}
    old = (await intake_stub.GetIncident(S.GetIncidentRequest(case_id=incident.case_id, notification_version=1),
                                         metadata=la.metadata())).incident
    assert old.notification_version == 1 and old.notification.abuse_or_neglect == common_pb2.ABUSE_OR_NEGLECT_NOT_SUSPECTED
    assert old.notification.child.child_ref == "Child K" and old.notification.harm_description == first.harm_description
    # The event carries the new duties, never the reason.
    event = S.IncidentAmended()
    async with intake.infra.db.transaction() as s:
        data = (await s.execute(select(storage.outbox.c.data).where(storage.outbox.c.event_type == "incident.amended"))).scalar_one()
    events_pb2.EventEnvelope.FromString(data).payload.Unpack(event)
    assert event.version == 2 and list(event.changed_fields) == ["abuse_or_neglect"]
    assert list(event.incident.amendments) == [] and event.incident.notification.harm_description == ""
    # The reason and the replaced notification are encrypted at rest.
    async with intake.infra.db.transaction() as s:
        dump = " ".join(str(v) for row in (await s.execute(text("SELECT * FROM intake.amendments"))).all() for v in row)
    assert "post-mortem" not in dump and "Child K" not in dump


async def test_an_amendment_that_removes_a_duty_stops_its_open_clock(intake, intake_stub, la):
    incident = await _notify(intake_stub, la, example_notification(), "key-amend-2")
    assert "NOTIFY.DEADLINE" in _clocks(incident)
    corrected = example_notification(abuse_or_neglect=common_pb2.ABUSE_OR_NEGLECT_NOT_SUSPECTED)
    amended = await _amend(intake_stub, la, incident.case_id, corrected)
    assert "NOTIFY.DEADLINE" not in _clocks(amended) and "NOTIFY.PARTNERS" not in _clocks(amended)
    assert set(amended.amendments[0].clocks_stopped) == {"NOTIFY.DEADLINE", "NOTIFY.PARTNERS"}


async def test_a_stale_version_a_withdrawn_case_and_another_edition_are_refused_and_store_nothing(intake, intake_stub, la):
    incident = await _notify(intake_stub, la, lac_death_without_abuse(), "key-amend-3")
    changed = lac_death_without_abuse()
    changed.child.age_years = 11
    await _amend(intake_stub, la, incident.case_id, changed, expected=1)
    again = lac_death_without_abuse()
    again.child.age_years = 12
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await _amend(intake_stub, la, incident.case_id, again, expected=1)  # someone else amended first
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    older = lac_death_without_abuse()
    older.la_aware_date, older.incident_date = "2023-12-14", "2023-12-13"  # WT2018, the case is pinned to WT2023
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await _amend(intake_stub, la, incident.case_id, older)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "wt2018" in err.value.details()
    await intake_stub.WithdrawIncident(S.WithdrawIncidentRequest(case_id=incident.case_id, reason="Duplicate."), metadata=la.metadata())
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await _amend(intake_stub, la, incident.case_id, again)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    stored = (await intake_stub.GetIncident(S.GetIncidentRequest(case_id=incident.case_id), metadata=la.metadata())).incident
    assert stored.notification_version == 2 and stored.notification.child.age_years == 11


async def test_an_invalid_amendment_names_the_field_and_stores_nothing(intake, intake_stub, la):
    incident = await _notify(intake_stub, la, example_notification(), "key-amend-4")
    bad = example_notification()
    bad.child.age_years = 40
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await _amend(intake_stub, la, incident.case_id, bad)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "notification.child.age_years" in err.value.details()
    stored = (await intake_stub.GetIncident(S.GetIncidentRequest(case_id=incident.case_id), metadata=la.metadata())).incident
    assert stored.notification_version == 1 and list(stored.amendments) == []


async def test_a_referral_the_local_authority_decides_not_to_notify_is_kept_with_its_rationale(intake, intake_stub, la):
    incident = await _notify(intake_stub, la, example_notification(referred_by_agency="west-yorkshire-police"), "key-referral-1")
    assert _duty(incident, "NOTIFY.AGENCY_REFERRAL") == common_pb2.OUTCOME_MET
    rationale = "The injuries were accidental: the police investigation found no abuse."
    decided = (await intake_stub.RecordReferralDecision(S.RecordReferralDecisionRequest(
        case_id=incident.case_id, decision=S.REFERRAL_DECISION_KIND_NOT_NOTIFY, rationale=rationale, decided_on="2024-06-06"),
        metadata=la.metadata())).incident
    assert decided.status == S.INCIDENT_STATUS_WITHDRAWN
    assert decided.referral_decision.decision == S.REFERRAL_DECISION_KIND_NOT_NOTIFY
    assert decided.referral_decision.rationale == rationale and decided.referral_decision.decided_on == "2024-06-06"
    async with intake.infra.db.transaction() as s:
        types = [r.event_type for r in (await s.execute(select(storage.outbox.c.event_type).order_by(storage.outbox.c.id))).all()]
        dump = " ".join(str(v) for row in (await s.execute(text("SELECT * FROM intake.incidents"))).all() for v in row)
    assert types[-1] == "incident.withdrawn"
    assert "accidental" not in dump
    # Recorded once: a different decision afterwards is refused.
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake_stub.RecordReferralDecision(S.RecordReferralDecisionRequest(
            case_id=incident.case_id, decision=S.REFERRAL_DECISION_KIND_NOTIFY, rationale="Changed our mind.",
            decided_on="2024-06-07"), metadata=la.metadata())
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_referral_decision_needs_a_referral_and_not_notifying_needs_no_panel_notification(intake, intake_stub, la):
    plain = await _notify(intake_stub, la, example_notification(), "key-referral-2")
    request = S.RecordReferralDecisionRequest(case_id=plain.case_id, decision=S.REFERRAL_DECISION_KIND_NOT_NOTIFY,
                                              rationale="Not needed.", decided_on="2024-06-06")
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake_stub.RecordReferralDecision(request, metadata=la.metadata())
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "NOTIFY.AGENCY_REFERRAL" in err.value.details()
    referred = await _notify(intake_stub, la, example_notification(referred_by_agency="gp-practice"), "key-referral-3")
    await intake_stub.RecordPanelNotification(S.RecordPanelNotificationRequest(
        case_id=referred.case_id, reference="PANEL-1", sent_date="2024-06-07"), metadata=la.metadata())
    request.case_id = referred.case_id
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake_stub.RecordReferralDecision(request, metadata=la.metadata())
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    notify = (await intake_stub.RecordReferralDecision(S.RecordReferralDecisionRequest(
        case_id=referred.case_id, decision=S.REFERRAL_DECISION_KIND_NOTIFY, rationale="Serious harm, abuse suspected.",
        decided_on="2024-06-06"), metadata=la.metadata())).incident
    assert notify.status == S.INCIDENT_STATUS_PANEL_NOTIFIED
    assert notify.referral_decision.decision == S.REFERRAL_DECISION_KIND_NOTIFY
