"""Gathering's API end to end through gRPC on a real PostgreSQL and NATS JetStream."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import text

from rapidreview.kernel.auth import Role
from rapidreview.kernel.grpc_errors import field_violations
from rapidreview.v1 import common_pb2, gathering_pb2, intake_pb2
from tests.integration.gathering.conftest import (
    AGENCY_IDS, agency_caller, example_return, open_case, stored_counts, submit,
)
from tests.support.harness import Caller, eventually, handled

pytestmark = pytest.mark.integration
G = gathering_pb2


async def _rpc_error(call) -> grpc.aio.AioRpcError:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    return err.value


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: setattr(r.chronology[0], "date", "2024-07-30"), "agency_return.chronology[0].date"),
        (lambda r: setattr(r.chronology[0], "date", "1970-01-01"), "agency_return.chronology[0].date"),
        (lambda r: setattr(r.chronology[1], "summary", "x" * 4001), "agency_return.chronology[1].summary"),
        (lambda r: setattr(r, "involvement", 0), "agency_return.involvement"),
        (lambda r: setattr(r.chronology[0], "practitioner_role", "Mr Smith"), "agency_return.chronology[0].practitioner_role"),
    ],
)
async def test_bad_return_is_invalid_argument_naming_the_field_and_stores_nothing(stub, bu, creds, gathering, intake_events, mutate, field):
    case_id = await open_case(stub, bu, intake_events)
    before = await stored_counts(gathering)
    err = await _rpc_error(submit(stub, creds, case_id, "west-yorkshire-police", mutate))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in [f for f, _ in field_violations(err)]
    assert await stored_counts(gathering) == before


async def test_return_for_an_agency_not_on_the_case_is_not_found_and_stores_nothing(stub, bu, gathering, intake_events):
    case_id = await open_case(stub, bu, intake_events, agencies=("west-yorkshire-police",))
    before = await stored_counts(gathering)
    request = example_return("gp-late", case_id)
    err = await _rpc_error(stub.SubmitAgencyReturn(request, metadata=bu.metadata()))
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert await stored_counts(gathering) == before


async def test_unknown_case_is_not_found(stub, bu):
    err = await _rpc_error(stub.GetRequestStatus(G.GetRequestStatusRequest(case_id="6f1c9b3e-8d2a-4c1e-9f55-2b7d3a1e0c44"),
                                                 metadata=bu.metadata()))
    assert err.code() == grpc.StatusCode.NOT_FOUND
    err = await _rpc_error(stub.GetRequestStatus(G.GetRequestStatusRequest(case_id="not-a-uuid"), metadata=bu.metadata()))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and field_violations(err)[0][0] == "case_id"


async def test_an_agency_cannot_submit_or_read_another_agencys_return(stub, bu, creds, gathering, intake_events):
    case_id = await open_case(stub, bu, intake_events)
    await submit(stub, creds, case_id, "gp-practice")
    police = agency_caller(creds, "west-yorkshire-police")
    before = await stored_counts(gathering)
    err = await _rpc_error(stub.SubmitAgencyReturn(example_return("gp-late", case_id), metadata=police.metadata()))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    assert await stored_counts(gathering) == before
    err = await _rpc_error(stub.GetAgencyReturn(G.GetAgencyReturnRequest(case_id=case_id, agency_id="gp-practice"), metadata=police.metadata()))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    err = await _rpc_error(stub.GetCollatedInformation(G.GetCollatedInformationRequest(case_id=case_id), metadata=police.metadata()))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_an_agency_sees_only_its_own_request(stub, bu, creds, intake_events):
    case_id = await open_case(stub, bu, intake_events)
    status = await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id),
                                         metadata=agency_caller(creds, "gp-practice").metadata())
    assert [r.agency.agency_id for r in status.requests] == ["gp-practice"]
    assert status.completeness.requested == 1
    outsider = agency_caller(creds, "leeds-school")
    err = await _rpc_error(stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=outsider.metadata()))
    assert err.code() == grpc.StatusCode.NOT_FOUND


async def test_business_unit_and_advisory_group_read_everything_and_nobody_else_reads_anything(stub, bu, creds, intake_events):
    case_id = await open_case(stub, bu, intake_events)
    await submit(stub, creds, case_id, "west-yorkshire-police")
    rag = Caller(creds, Role.RAG_MEMBER)
    status = await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=rag.metadata())
    assert len(status.requests) == len(AGENCY_IDS)
    got = await stub.GetAgencyReturn(G.GetAgencyReturnRequest(case_id=case_id, agency_id="west-yorkshire-police"), metadata=rag.metadata())
    assert got.version.agency_return.chronology[0].summary.startswith("Call from a neighbour")
    for role in (Role.NOTIFYING_LA, Role.EXECUTIVE, Role.AUDITOR):
        err = await _rpc_error(stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=Caller(creds, role).metadata()))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    bradford = Caller(creds, Role.BUSINESS_UNIT, partnership="bradford")
    err = await _rpc_error(stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bradford.metadata()))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_resubmission_is_a_new_version_and_every_version_stays_readable(stub, bu, creds, gathering, intake_events):
    case_id = await open_case(stub, bu, intake_events)
    first = await submit(stub, creds, case_id, "west-yorkshire-police")
    second = await submit(stub, creds, case_id, "west-yorkshire-police", mutate=lambda r: r.chronology.pop())
    assert (first.version.version, second.version.version) == (1, 2)
    assert second.request.return_ref == "return:west-yorkshire-police:v2"
    before = await stored_counts(gathering)
    again = await submit(stub, creds, case_id, "west-yorkshire-police", mutate=lambda r: r.chronology.pop())
    assert again.replayed and again.version.version == 2
    assert await stored_counts(gathering) == before
    police = agency_caller(creds, "west-yorkshire-police")
    latest = await stub.GetAgencyReturn(G.GetAgencyReturnRequest(case_id=case_id, agency_id="west-yorkshire-police"), metadata=police.metadata())
    assert [v.version for v in latest.versions] == [1, 2]
    assert len(latest.version.agency_return.chronology) == 2
    original = await stub.GetAgencyReturn(G.GetAgencyReturnRequest(case_id=case_id, agency_id="west-yorkshire-police", version=1),
                                          metadata=police.metadata())
    assert len(original.version.agency_return.chronology) == 3
    collated = (await stub.GetCollatedInformation(G.GetCollatedInformationRequest(case_id=case_id), metadata=bu.metadata())).collated
    assert next(a for a in collated.agencies if a.agency.agency_id == "west-yorkshire-police").version == 2


async def test_submitting_after_close_is_failed_precondition_until_the_business_unit_reopens(stub, bu, creds, gathering, intake_events):
    case_id = await open_case(stub, bu, intake_events)
    await submit(stub, creds, case_id, "west-yorkshire-police")
    closed = (await stub.CloseGathering(G.CloseGatheringRequest(case_id=case_id), metadata=bu.metadata())).collated
    assert closed.partial and closed.collation_version == 1
    assert [a.agency_id for a in closed.missing_agencies] == [a for a in AGENCY_IDS if a != "west-yorkshire-police"]
    before = await stored_counts(gathering)
    err = await _rpc_error(submit(stub, creds, case_id, "gp-practice"))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert (await stored_counts(gathering))[:3] == before[:3]
    err = await _rpc_error(stub.CloseGathering(G.CloseGatheringRequest(case_id=case_id), metadata=bu.metadata()))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    status = await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bu.metadata())
    assert {r.status for r in status.requests[1:]} == {G.REQUEST_STATUS_NOT_RETURNED}

    err = await _rpc_error(stub.ReopenGathering(G.ReopenGatheringRequest(case_id=case_id), metadata=bu.metadata()))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT  # a reason is required
    reopened = (await stub.ReopenGathering(G.ReopenGatheringRequest(case_id=case_id, reason="GP return received by e-mail."),
                                           metadata=bu.metadata())).status
    assert reopened.status == G.GATHERING_STATUS_OPEN
    await submit(stub, creds, case_id, "gp-practice")
    again = (await stub.CloseGathering(G.CloseGatheringRequest(case_id=case_id), metadata=bu.metadata())).collated
    assert again.collation_version == 2 and again.completeness.returned == 2


async def test_returns_and_reasons_are_encrypted_at_rest(stub, bu, creds, gathering, intake_events):
    canary = "CANARY-SUMMARY-d41c seen at 7 Canary Row"
    case_id = await open_case(stub, bu, intake_events)

    def plant(r):  # type: ignore[no-untyped-def]
        r.chronology[0].summary = canary
        r.concerns[0].description = canary

    await submit(stub, creds, case_id, "west-yorkshire-police", plant)
    await stub.CloseGathering(G.CloseGatheringRequest(case_id=case_id), metadata=bu.metadata())
    await stub.ReopenGathering(G.ReopenGatheringRequest(case_id=case_id, reason=canary), metadata=bu.metadata())
    async with gathering.infra.db.transaction() as s:
        tables = (await s.execute(text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'gathering'"))).scalars().all()
        dumped = []
        for table in tables:
            dumped += (await s.execute(text(f'SELECT t::text FROM gathering."{table}" t'))).scalars().all()
    assert {"returns", "reopenings", "outbox"} <= set(tables)
    assert not [row for row in dumped if "CANARY" in row or "Canary Row" in row]
    got = await stub.GetAgencyReturn(G.GetAgencyReturnRequest(case_id=case_id, agency_id="west-yorkshire-police"), metadata=bu.metadata())
    assert got.version.agency_return.chronology[0].summary == canary


async def test_add_agency_opens_one_request_and_is_idempotent(stub, bu, creds, intake_events):
    case_id = await open_case(stub, bu, intake_events, agencies=("west-yorkshire-police",))
    school = common_pb2.Agency(agency_id="leeds-school", name="Primary school", kind=common_pb2.AGENCY_KIND_EDUCATION,
                               area="Leeds", area_type=common_pb2.AREA_TYPE_LOCAL_AUTHORITY)
    added = await stub.AddAgency(G.AddAgencyRequest(case_id=case_id, agency=school), metadata=bu.metadata())
    assert added.opened and added.request.source == G.REQUEST_SOURCE_ADDED
    assert added.request.clock.due == "2024-06-21" and added.request.status == G.REQUEST_STATUS_AWAITING
    again = await stub.AddAgency(G.AddAgencyRequest(case_id=case_id, agency=school), metadata=bu.metadata())
    assert not again.opened
    probation = common_pb2.Agency(agency_id="probation", name="Probation service", kind=common_pb2.AGENCY_KIND_PROBATION)
    opened = await stub.OpenRequests(G.OpenRequestsRequest(case_id=case_id, agencies=[school, probation]), metadata=bu.metadata())
    assert list(opened.opened_agency_ids) == ["probation"]
    assert [r.agency.agency_id for r in opened.requests] == ["west-yorkshire-police", "leeds-school", "probation"]
    err = await _rpc_error(stub.AddAgency(G.AddAgencyRequest(case_id=case_id, agency=school), metadata=agency_caller(creds, "leeds-school").metadata()))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    bad = common_pb2.Agency(agency_id="Bad Id", name="", kind=0)
    err = await _rpc_error(stub.AddAgency(G.AddAgencyRequest(case_id=case_id, agency=bad), metadata=bu.metadata()))
    assert {f for f, _ in field_violations(err)} == {"agency.agency_id", "agency.name", "agency.kind"}


async def test_no_requests_when_no_rapid_review_is_required(stub, bu, intake_events):
    case_id = await open_case(stub, bu, intake_events, rr_required=False)
    status = await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bu.metadata())
    assert status.status == G.GATHERING_STATUS_NOT_REQUIRED and not status.requests
    school = common_pb2.Agency(agency_id="leeds-school", name="School", kind=common_pb2.AGENCY_KIND_EDUCATION)
    err = await _rpc_error(stub.AddAgency(G.AddAgencyRequest(case_id=case_id, agency=school), metadata=bu.metadata()))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_withdrawn_incident_closes_the_gathering_for_good(stub, bu, creds, intake_events):
    case_id = await open_case(stub, bu, intake_events)
    await intake_events.withdrawn(case_id)

    async def withdrawn():
        status = await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bu.metadata())
        return status.status == G.GATHERING_STATUS_WITHDRAWN

    await eventually(withdrawn, what="gathering withdrawn")
    err = await _rpc_error(submit(stub, creds, case_id, "west-yorkshire-police"))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    err = await _rpc_error(stub.ReopenGathering(G.ReopenGatheringRequest(case_id=case_id, reason="Reopen"), metadata=bu.metadata()))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_due_dates_count_from_awareness_until_the_panel_notification_arrives(stub, bu, intake_events):
    case_id = await open_case(stub, bu, intake_events, sent_date="")
    status = await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bu.metadata())
    assert {(r.clock.due, r.due_basis) for r in status.requests} == {("2024-06-18", G.DUE_BASIS_AWARENESS)}
    await intake_events.panel_notified(case_id, "2024-06-07")

    async def moved():
        status = await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bu.metadata())
        return {(r.clock.due, r.due_basis) for r in status.requests} == {("2024-06-21", G.DUE_BASIS_PANEL_NOTIFICATION)}

    await eventually(moved, what="due dates recomputed from the Panel notification")


async def test_collated_information_merges_what_has_come_in_and_lists_what_is_missing(stub, bu, creds, intake_events):
    case_id = await open_case(stub, bu, intake_events)
    for agency_id in ("west-yorkshire-police", "leeds-childrens-social-work", "acute-hospital-trust"):
        await submit(stub, creds, case_id, agency_id)
    rag = Caller(creds, Role.RAG_MEMBER)
    collated = (await stub.GetCollatedInformation(G.GetCollatedInformationRequest(case_id=case_id), metadata=rag.metadata())).collated
    assert collated.partial and collated.status == G.GATHERING_STATUS_OPEN and collated.collation_version == 0
    assert {a.agency_id for a in collated.missing_agencies} == {"gp-practice", "health-visiting", "sibling-nursery", "housing-association"}
    day = next(d for d in collated.chronology if d.date == "2024-06-04")
    assert list(day.agency_ids) == ["west-yorkshire-police", "leeds-childrens-social-work", "acute-hospital-trust"]
    assert collated.learning_by_theme[0].theme == "information sharing"
    assert len(collated.learning_by_theme[0].agency_ids) == 3


async def test_overdue_requests_are_listed_and_each_gets_one_overdue_event(gathering_env, own_nats, creds, bu, intake_events):
    from rapidreview.gathering.watchers import RequestClockWatcher
    from rapidreview.kernel.events import unpack
    from rapidreview.v1 import events_pb2
    from tests.integration.gathering.conftest import EventSubscriber, outbox_drained
    from tests.support.harness import RunningService

    gathering_env["RR_TODAY"] = "2024-06-25"  # returns were due 2024-06-21
    service = await RunningService("gathering", gathering_env).start()
    try:
        async with grpc.aio.insecure_channel(service.address) as channel, \
                EventSubscriber(own_nats.url, "test-reminders", ["rr.v1.deadline.>"]) as reminders:
            from rapidreview.v1 import gathering_pb2_grpc

            stub = gathering_pb2_grpc.GatheringServiceStub(channel)
            case_id = await open_case(stub, bu, intake_events, agencies=("west-yorkshire-police", "gp-practice", "health-visiting"))
            await submit(stub, creds, case_id, "west-yorkshire-police")
            overdue = await stub.ListOverdueRequests(G.ListOverdueRequestsRequest(page_size=1), metadata=bu.metadata())
            page2 = await stub.ListOverdueRequests(G.ListOverdueRequestsRequest(page_size=1, page_token=overdue.next_page_token),
                                                   metadata=bu.metadata())
            listed = [r.agency.agency_id for r in [*overdue.requests, *page2.requests]]
            assert sorted(listed) == ["gp-practice", "health-visiting"] and not page2.next_page_token
            assert all(r.clock.overdue and r.clock.working_days_left == -2 for r in [*overdue.requests, *page2.requests])
            own = await stub.ListOverdueRequests(G.ListOverdueRequestsRequest(), metadata=agency_caller(creds, "gp-practice").metadata())
            assert [r.agency.agency_id for r in own.requests] == ["gp-practice"]

            async def flagged():
                async with service.infra.db.transaction() as s:
                    rows = set((await s.execute(text(
                        "SELECT agency_id FROM gathering.requests WHERE overdue_emitted AND due = '2024-06-21'"))).scalars())
                return {"gp-practice", "health-visiting"} <= rows and await outbox_drained(service)

            await eventually(flagged, what="overdue events written and published")
            assert await RequestClockWatcher(service.infra).check_once() == 0  # nothing more to say
            events = [e for e in await reminders.drain() if e.case_id == case_id]
        assert {e.event_type for e in events} == {"deadline.overdue"}
        # One event per request and due date: a provisional due date (from awareness,
        # before the Panel notification arrived) may have had its own.
        sent = [(p.clock_id, p.subject_ref, p.due) for p in (unpack(e, events_pb2.DeadlineOverdue) for e in events)]
        assert len(sent) == len(set(sent))
        final = sorted(x for x in sent if x[2] == "2024-06-21" and x[1] != "west-yorkshire-police")
        assert final == [("RR.AGENCIES", "gp-practice", "2024-06-21"), ("RR.AGENCIES", "health-visiting", "2024-06-21")]
    finally:
        await service.stop()


async def test_a_partnership_setting_gives_more_working_days_for_returns(gathering_env, bu, intake_events, tmp_path):
    from rapidreview.v1 import gathering_pb2_grpc
    from tests.support.harness import RunningService

    config = tmp_path / "partnerships.yaml"
    config.write_text("partnerships:\n  leeds:\n    gathering:\n      return_working_days: 12\n")
    gathering_env["RR_PARTNERSHIP_CONFIG_FILE"] = str(config)
    service = await RunningService("gathering", gathering_env).start()
    try:
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub = gathering_pb2_grpc.GatheringServiceStub(channel)
            case_id = await open_case(stub, bu, intake_events, agencies=("gp-practice",))
            status = await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bu.metadata())
            assert [r.clock.due for r in status.requests] == ["2024-06-25"]
    finally:
        await service.stop()


async def test_every_return_in_publishes_the_collation_and_an_amendment_publishes_the_next(stub, bu, creds, gathering, intake_events):
    case_id = await open_case(stub, bu, intake_events, agencies=("west-yorkshire-police", "gp-practice"))
    first = await submit(stub, creds, case_id, "west-yorkshire-police")
    assert not first.collated
    last = await submit(stub, creds, case_id, "gp-practice")
    assert last.collated
    amended = await submit(stub, creds, case_id, "gp-practice", mutate=lambda r: r.chronology.pop())
    assert amended.collated and amended.version.version == 2
    collated = (await stub.GetCollatedInformation(G.GetCollatedInformationRequest(case_id=case_id), metadata=bu.metadata())).collated
    assert collated.status == G.GATHERING_STATUS_OPEN and collated.collation_version == 2 and not collated.partial
    async with gathering.infra.db.transaction() as s:
        rows = (await s.execute(text("SELECT version, trigger FROM gathering.collations ORDER BY version"))).all()
        events = (await s.execute(text("SELECT count(*) FROM gathering.outbox WHERE event_type = 'information.collated'"))).scalar_one()
    assert [tuple(r) for r in rows] == [(1, G.COLLATION_TRIGGER_ALL_RETURNED), (2, G.COLLATION_TRIGGER_RETURN_AMENDED)]
    assert events == 2


async def test_the_merged_chronology_can_be_read_page_by_page(stub, bu, creds, intake_events):
    case_id = await open_case(stub, bu, intake_events)
    for agency_id in ("west-yorkshire-police", "leeds-childrens-social-work", "acute-hospital-trust", "gp-practice"):
        await submit(stub, creds, case_id, agency_id)
    whole = (await stub.GetCollatedInformation(G.GetCollatedInformationRequest(case_id=case_id), metadata=bu.metadata()))
    assert not whole.next_chronology_page_token
    dates, token, pages = [], "", 0
    while True:
        response = await stub.GetCollatedInformation(
            G.GetCollatedInformationRequest(case_id=case_id, chronology_page_size=4, chronology_page_token=token), metadata=bu.metadata())
        dates += [d.date for d in response.collated.chronology]
        assert len(response.collated.agencies) == len(AGENCY_IDS)  # the rest of the picture comes with every page
        pages += 1
        token = response.next_chronology_page_token
        if not token:
            break
    assert dates == [d.date for d in whole.collated.chronology] and pages > 2
    err = await _rpc_error(stub.GetCollatedInformation(
        G.GetCollatedInformationRequest(case_id=case_id, chronology_page_size=5001, chronology_page_token="???"), metadata=bu.metadata()))
    assert {f for f, _ in field_violations(err)} == {"chronology_page_size", "chronology_page_token"}


async def test_after_a_key_rotation_returns_stay_readable_and_move_to_the_new_key(gathering_env, creds, bu, intake_events, tmp_path):
    import shutil

    from rapidreview.kernel.crypto import KeyRing
    from rapidreview.v1 import gathering_pb2_grpc
    from tests.support.harness import RunningService

    keys = tmp_path / "keys.json"
    shutil.copy(creds.encryption_keys, keys)
    gathering_env["RR_ENCRYPTION_KEYS_FILE"] = str(keys)
    service = await RunningService("gathering", gathering_env).start()
    try:
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub = gathering_pb2_grpc.GatheringServiceStub(channel)
            case_id = await open_case(stub, bu, intake_events, agencies=("west-yorkshire-police", "gp-practice"))
            await submit(stub, creds, case_id, "west-yorkshire-police")
        await service.stop()
        ring = KeyRing.from_file(keys)
        old = ring.current
        ring.rotated("k-rotated").save(keys)
        await service.start()

        async def moved():
            async with service.infra.db.transaction() as s:
                tokens = (await s.execute(text("SELECT body_enc FROM gathering.returns"))).scalars().all()
            return tokens and all(t.startswith("v1:k-rotated:") for t in tokens)

        await eventually(moved, what="returns re-encrypted under the new key")
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub = gathering_pb2_grpc.GatheringServiceStub(channel)
            got = await stub.GetAgencyReturn(G.GetAgencyReturnRequest(case_id=case_id, agency_id="west-yorkshire-police"),
                                             metadata=bu.metadata())
        assert got.version.agency_return.chronology[0].summary.startswith("Call from a neighbour")
        assert old != "k-rotated"
    finally:
        await service.stop()


async def test_a_return_committed_while_the_collation_is_read_does_not_make_it_contradict_itself(
        stub, bu, creds, gathering, intake_events, monkeypatch):
    """GetCollatedInformation reads the case's requests, then the returns' bodies: a return
    committed between the two must not appear as findings of an agency still counted as missing."""
    from rapidreview.gathering import storage

    case_id = await open_case(stub, bu, intake_events)
    await submit(stub, creds, case_id, "west-yorkshire-police")
    read_bodies = storage.GatheringRepository.latest_bodies
    submitted: list[int] = []

    async def bodies_after_a_return(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not submitted:  # the requests are read; the GP's return is submitted and committed
            submitted.append((await submit(stub, creds, case_id, "gp-practice")).version.version)
        return await read_bodies(self, *args, **kwargs)

    monkeypatch.setattr(storage.GatheringRepository, "latest_bodies", bodies_after_a_return)
    collated = (await stub.GetCollatedInformation(G.GetCollatedInformationRequest(case_id=case_id), metadata=bu.metadata())).collated
    monkeypatch.undo()
    assert submitted == [1]
    # The collation as it stood when its first read was made: the GP missing, and nothing of its return.
    assert "gp-practice" in [a.agency_id for a in collated.missing_agencies]
    assert (collated.completeness.returned, collated.completeness.missing) == (1, len(collated.agencies) - 1)
    gp = next(a for a in collated.agencies if a.agency.agency_id == "gp-practice")
    assert gp.version == 0 and not gp.involvement_summary
    # The next read sees the GP's return, whole.
    again = (await stub.GetCollatedInformation(G.GetCollatedInformationRequest(case_id=case_id), metadata=bu.metadata())).collated
    assert "gp-practice" not in [a.agency_id for a in again.missing_agencies]
    assert again.completeness.returned == 2
    assert next(a for a in again.agencies if a.agency.agency_id == "gp-practice").version == 1


async def test_an_older_amendment_delivered_after_a_newer_one_changes_nothing(stub, bu, intake_events, gathering):
    """incident.amended events can arrive out of order (a publication sent again, a delivery
    retried, a dead letter replayed): the due dates stay counted from the newest awareness date."""
    from rapidreview.kernel.events import new_event
    from tests.integration.gathering.conftest import example_incident

    case_id = await open_case(stub, bu, intake_events, sent_date="")  # aware 4 June: due 18 June

    def amended(aware: str, version: int):  # type: ignore[no-untyped-def]
        incident = example_incident(case_id)
        incident.notification.la_aware_date = aware
        return new_event("incident.amended", intake_pb2.IncidentAmended(incident=incident, version=version),
                         producer="intake", case_id=case_id, partnership="leeds")

    async def dues() -> set[tuple[str, int]]:
        status = await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bu.metadata())
        return {(r.clock.due, r.due_basis) for r in status.requests}

    await intake_events.publish(amended("2024-06-05", 3))

    async def moved():  # type: ignore[no-untyped-def]
        return await dues() == {("2024-06-19", G.DUE_BASIS_AWARENESS)}

    await eventually(moved, what="due dates counted from the amended awareness date")
    late = amended("2024-06-03", 2)  # version 2 said 3 June
    await intake_events.publish(late)
    await handled(gathering, late.event_id)
    assert await dues() == {("2024-06-19", G.DUE_BASIS_AWARENESS)}
