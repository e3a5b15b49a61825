"""Intake end to end through gRPC on a real PostgreSQL and NATS JetStream."""

from __future__ import annotations

import uuid

import grpc
import pytest
from sqlalchemy import func, select

from rapidreview.intake import storage
from rapidreview.kernel.auth import Role
from rapidreview.kernel.grpc_errors import field_violations
from rapidreview.v1 import common_pb2, intake_pb2
from tests.support.examples import example_notification
from tests.support.harness import Caller

pytestmark = pytest.mark.integration


async def _counts(intake) -> tuple[int, int, int]:
    async with intake.infra.db.transaction() as s:
        incidents = (await s.execute(select(func.count()).select_from(storage.incidents))).scalar_one()
        # Deadline events come from the clock watcher on its own schedule, not from the command.
        outbox = (await s.execute(select(func.count()).select_from(storage.outbox)
                                  .where(storage.outbox.c.event_type.not_like("deadline.%")))).scalar_one()
        keys = (await s.execute(select(func.count()).select_from(storage.idempotency))).scalar_one()
    return incidents, outbox, keys


def _duty(incident, rule_id):
    return next(d for d in incident.duties if d.rule_id == rule_id)


def _clock(incident, clock_id):
    return next(c for c in incident.clocks if c.id == clock_id)


async def test_notify_records_duties_edition_and_notification_clock(intake_stub, la):
    response = await intake_stub.NotifyIncident(
        intake_pb2.NotifyIncidentRequest(idempotency_key="key-child-k-0001", notification=example_notification()), metadata=la.metadata())
    incident = response.incident
    assert incident.edition == common_pb2.EDITION_WT2023
    assert incident.status == intake_pb2.INCIDENT_STATUS_NOTIFIED
    assert _duty(incident, "DEF.SERIOUS_CASE").outcome == common_pb2.OUTCOME_MET
    assert _duty(incident, "NOTIFY.PANEL_IN_AREA").outcome == common_pb2.OUTCOME_MET
    assert _duty(incident, "NOTIFY.PANEL_OUTSIDE_ENGLAND").outcome != common_pb2.OUTCOME_MET
    assert _duty(incident, "RR.REQUIRED").outcome == common_pb2.OUTCOME_MET
    notify = _clock(incident, "NOTIFY.DEADLINE")
    assert notify.due == "2024-06-11"
    assert notify.working_days_left == 1  # today is 2024-06-10
    assert not response.replayed


async def test_an_adult_is_never_a_serious_case_so_no_rapid_review_or_lead_area_is_recorded(intake_stub, la):
    # Issue 17: an 18-year-old care leaver who died with abuse known gave a Panel duty and a rapid review.
    notification = example_notification(nature=common_pb2.NATURE_DEATH, recovered=False,
                                        abuse_or_neglect=common_pb2.ABUSE_OR_NEGLECT_KNOWN, incident_la="Leeds City Council")
    del notification.harm_domains[:]
    notification.child.CopyFrom(intake_pb2.ChildDetails(child_ref="Young person C", age_years=18, care_leaver=True))
    incident = (await intake_stub.NotifyIncident(
        intake_pb2.NotifyIncidentRequest(idempotency_key="key-adult-0001", notification=notification),
        metadata=la.metadata())).incident
    serious = _duty(incident, "DEF.SERIOUS_CASE")
    assert serious.outcome == common_pb2.OUTCOME_NOT_MET and "not a child" in serious.rationale
    assert _duty(incident, "NOTIFY.PANEL_IN_AREA").outcome == common_pb2.OUTCOME_NOT_MET
    # RR.REQUIRED is what gathering opens its information requests on.
    assert _duty(incident, "RR.REQUIRED").outcome == common_pb2.OUTCOME_NOT_MET
    assert _duty(incident, "RR.LEAD_AREA").outcome == common_pb2.OUTCOME_NOT_APPLICABLE
    assert _duty(incident, "NOTIFY.CARE_LEAVER_DEATH").outcome == common_pb2.OUTCOME_MET


async def test_the_lead_partnership_is_named_on_the_case(intake_stub, la):
    incident = (await intake_stub.NotifyIncident(
        intake_pb2.NotifyIncidentRequest(idempotency_key="key-lead-0001", notification=example_notification(home_la="Bradford")),
        metadata=la.metadata())).incident
    lead = _duty(incident, "RR.LEAD_AREA")
    assert lead.outcome == common_pb2.OUTCOME_MET
    assert "partners of Leeds (E08000035)" in lead.rationale and "Bradford (E08000032)" in lead.rationale


async def test_panel_notification_starts_rapid_review_clock(intake_stub, la):
    created = (await intake_stub.NotifyIncident(
        intake_pb2.NotifyIncidentRequest(idempotency_key="key-child-k-0002", notification=example_notification()), metadata=la.metadata())).incident
    updated = (await intake_stub.RecordPanelNotification(
        intake_pb2.RecordPanelNotificationRequest(case_id=created.case_id, reference="PANEL-123", sent_date="2024-06-07"),
        metadata=la.metadata())).incident
    assert updated.status == intake_pb2.INCIDENT_STATUS_PANEL_NOTIFIED
    assert not updated.panel_notification.late
    assert _clock(updated, "NOTIFY.DEADLINE").completed_on == "2024-06-07"
    assert _clock(updated, "RR.DEADLINE").due == "2024-06-28"


async def test_same_key_same_body_replays_and_different_body_is_already_exists(intake_stub, la, intake):
    request = intake_pb2.NotifyIncidentRequest(idempotency_key="key-idem-0001", notification=example_notification())
    first = await intake_stub.NotifyIncident(request, metadata=la.metadata())
    second = await intake_stub.NotifyIncident(request, metadata=la.metadata())
    assert second.replayed and second.incident.case_id == first.incident.case_id
    before = await _counts(intake)
    changed = intake_pb2.NotifyIncidentRequest(idempotency_key="key-idem-0001", notification=example_notification(home_la="Bradford"))
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake_stub.NotifyIncident(changed, metadata=la.metadata())
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert await _counts(intake) == before


async def test_same_child_and_date_under_another_key_is_flagged_not_merged(intake_stub, la):
    first = (await intake_stub.NotifyIncident(
        intake_pb2.NotifyIncidentRequest(idempotency_key="key-dup-00001", notification=example_notification()), metadata=la.metadata())).incident
    second = (await intake_stub.NotifyIncident(
        intake_pb2.NotifyIncidentRequest(idempotency_key="key-dup-00002", notification=example_notification()), metadata=la.metadata())).incident
    assert second.case_id != first.case_id
    assert list(second.possible_duplicate_of) == [first.case_id]
    again = (await intake_stub.GetIncident(intake_pb2.GetIncidentRequest(case_id=first.case_id), metadata=la.metadata())).incident
    assert list(again.possible_duplicate_of) == [second.case_id]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"notifying_la": ""}, "notification.notifying_la"),
        ({"incident_date": "2024-13-01"}, "notification.incident_date"),
        ({"la_aware_date": "2024-06-01"}, "notification.la_aware_date"),  # before the incident
        ({"incident_date": "2030-01-01", "la_aware_date": "2030-01-02"}, "notification.incident_date"),  # future
        ({"nature": 99}, "notification.nature"),
        ({"setting": 0}, "notification.setting"),
        ({"harm_description": "x" * 4001}, "notification.harm_description"),
    ],
)
async def test_bad_notification_is_invalid_argument_naming_the_field_and_stores_nothing(intake_stub, la, intake, overrides, field):
    before = await _counts(intake)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake_stub.NotifyIncident(
            intake_pb2.NotifyIncidentRequest(idempotency_key=f"key-bad-{uuid.uuid4().hex[:8]}", notification=example_notification(**overrides)),
            metadata=la.metadata())
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in [f for f, _ in field_violations(err.value)]
    assert await _counts(intake) == before


async def test_withdraw_then_panel_notification_is_failed_precondition(intake_stub, la):
    created = (await intake_stub.NotifyIncident(
        intake_pb2.NotifyIncidentRequest(idempotency_key="key-withdraw-1", notification=example_notification()), metadata=la.metadata())).incident
    withdrawn = (await intake_stub.WithdrawIncident(
        intake_pb2.WithdrawIncidentRequest(case_id=created.case_id, reason="Not a serious case after strategy discussion."),
        metadata=la.metadata())).incident
    assert withdrawn.status == intake_pb2.INCIDENT_STATUS_WITHDRAWN
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake_stub.RecordPanelNotification(
            intake_pb2.RecordPanelNotificationRequest(case_id=created.case_id, reference="P-1", sent_date="2024-06-07"), metadata=la.metadata())
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_other_partnership_and_wrong_role_are_permission_denied(intake_stub, la, creds):
    created = (await intake_stub.NotifyIncident(
        intake_pb2.NotifyIncidentRequest(idempotency_key="key-perm-0001", notification=example_notification()), metadata=la.metadata())).incident
    bradford = Caller(creds, Role.BUSINESS_UNIT, partnership="bradford")
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake_stub.GetIncident(intake_pb2.GetIncidentRequest(case_id=created.case_id), metadata=bradford.metadata())
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    agency = Caller(creds, Role.AGENCY, agency="west-yorkshire-police")
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake_stub.GetIncident(intake_pb2.GetIncidentRequest(case_id=created.case_id), metadata=agency.metadata())
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_missing_token_is_unauthenticated(intake_stub):
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake_stub.ListIncidents(intake_pb2.ListIncidentsRequest())
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_list_paginates_and_filters_overdue(intake_stub, la):
    for i in range(3):
        await intake_stub.NotifyIncident(intake_pb2.NotifyIncidentRequest(
            idempotency_key=f"key-list-{i:05d}", notification=example_notification(la_aware_date="2024-05-20", incident_date="2024-05-19")),
            metadata=la.metadata())
    page1 = await intake_stub.ListIncidents(intake_pb2.ListIncidentsRequest(page_size=2, overdue_only=True), metadata=la.metadata())
    assert len(page1.incidents) == 2 and page1.next_page_token
    page2 = await intake_stub.ListIncidents(intake_pb2.ListIncidentsRequest(page_size=2, overdue_only=True, page_token=page1.next_page_token),
                                            metadata=la.metadata())
    ids = {i.case_id for i in page1.incidents} | {i.case_id for i in page2.incidents}
    assert len(ids) == 3
    assert all(any(c.overdue for c in i.clocks) for i in [*page1.incidents, *page2.incidents])


async def test_garbage_request_bytes_are_invalid_argument(intake, la):
    async with grpc.aio.insecure_channel(intake.address) as channel:
        call = channel.unary_unary("/rapidreview.v1.IntakeService/GetIncident")
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await call(b"\xff\xff\xff\x07garbage", metadata=la.metadata())
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_panel_notification_recorded_while_the_incident_is_read_is_not_half_in_it(intake_stub, la, monkeypatch):
    """GetIncident reads the incident, then its clocks and notifications sent: a Panel notification
    committed between the two must not show a case not yet notified with its clocks already moved."""
    created = (await intake_stub.NotifyIncident(
        intake_pb2.NotifyIncidentRequest(idempotency_key="key-snapshot-0001", notification=example_notification()),
        metadata=la.metadata())).incident
    get = intake_pb2.GetIncidentRequest(case_id=created.case_id)
    before = await intake_stub.GetIncident(get, metadata=la.metadata())
    read_parts = storage.IncidentRepository.parts
    started: list[bool] = []

    async def parts_after_a_panel_notification(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not started:  # the incident is read; the Panel notification is recorded and committed
            started.append(True)  # (RecordPanelNotification reads the parts too: once is enough)
            await intake_stub.RecordPanelNotification(intake_pb2.RecordPanelNotificationRequest(
                case_id=created.case_id, reference="PANEL-SNAP", sent_date="2024-06-07"), metadata=la.metadata())
        return await read_parts(self, *args, **kwargs)

    monkeypatch.setattr(storage.IncidentRepository, "parts", parts_after_a_panel_notification)
    during = await intake_stub.GetIncident(get, metadata=la.metadata())
    monkeypatch.undo()
    assert started
    # The incident as it stood when the read began: not notified to the Panel, its clocks as they were.
    assert during == before, ([(c.id, c.completed_on, c.due) for c in during.incident.clocks],
                              [(c.id, c.completed_on, c.due) for c in before.incident.clocks])
    after = (await intake_stub.GetIncident(get, metadata=la.metadata())).incident
    assert after.status == intake_pb2.INCIDENT_STATUS_PANEL_NOTIFIED
    assert _clock(after, "NOTIFY.DEADLINE").completed_on == "2024-06-07"
