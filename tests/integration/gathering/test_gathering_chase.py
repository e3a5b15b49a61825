"""ChaseAgency: the business unit chases an awaited return; the chase is recorded
with its agency.chased event, and gathering e-mails the agency's contacts
(partnership configuration) over a real SMTP server, once per chase. Reopening
the gathering publishes information.reopened."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
import yaml
from sqlalchemy import func, select

from rapidreview.gathering import storage
from rapidreview.kernel.events import unpack
from rapidreview.kernel.grpc_errors import field_violations
from rapidreview.v1 import gathering_pb2 as G
from rapidreview.v1 import gathering_pb2_grpc
from tests.integration.delivery.smtp_server import PASSWORD, USER, SmtpServer
from tests.integration.gathering.conftest import EventSubscriber, agency_caller, open_case, outbox_drained, submit
from tests.support.harness import RunningService, eventually

pytestmark = pytest.mark.integration

POLICE = ["safeguarding-reviews@police.example"]


@pytest.fixture
def smtp(tmp_path: Path):
    server = SmtpServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
async def chasing(gathering_env, smtp, tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text(PASSWORD)
    delivery = tmp_path / "delivery.yaml"
    delivery.write_text(yaml.safe_dump({
        "smtp": {"host": "127.0.0.1", "port": smtp.port, "user": USER, "password_file": str(secret), "starttls": True,
                 "ca_file": str(smtp.ca), "from": "Rapid Review <rapid-review@leeds.example>", "timeout_seconds": 5},
        "partnerships": {"leeds": {"recipients": ["rag@leeds.example"]}},
    }))
    partnerships = tmp_path / "partnerships.yaml"
    partnerships.write_text(yaml.safe_dump({"partnerships": {"leeds": {"contacts": {"agencies": {"west-yorkshire-police": POLICE}}}}}))
    env = dict(gathering_env, RR_DELIVERY_CONFIG_FILE=str(delivery), RR_PARTNERSHIP_CONFIG_FILE=str(partnerships))
    service = await RunningService("gathering", env).start()
    async with grpc.aio.insecure_channel(service.address) as channel:
        yield service, gathering_pb2_grpc.GatheringServiceStub(channel)
    await service.stop()


async def chases(service: RunningService) -> list:
    async with service.infra.db.transaction() as s:
        return [dict(r._mapping) for r in await s.execute(select(storage.chases).order_by(storage.chases.c.chased_at))]


async def test_a_chase_is_recorded_published_and_e_mailed_to_the_agency_once(chasing, smtp, bu, creds, intake_events, own_nats):
    service, stub = chasing
    case_id = await open_case(stub, bu, intake_events, agencies=("west-yorkshire-police", "gp-practice"))
    async with EventSubscriber(own_nats.url, "test-chases", ["rr.v1.agency.chased"]) as subscriber:
        chased = await stub.ChaseAgency(G.ChaseAgencyRequest(case_id=case_id, agency_id="west-yorkshire-police"), metadata=bu.metadata())
        assert not chased.replayed and chased.chase.chased_on == "2024-06-20"
        assert chased.chase.delivery_status == G.CHASE_DELIVERY_STATUS_PENDING
        assert chased.request.last_chased_on == "2024-06-20" and chased.request.chase_count == 1

        # The same day again (a double click): the first chase, nothing new recorded or sent.
        again = await stub.ChaseAgency(G.ChaseAgencyRequest(case_id=case_id, agency_id="west-yorkshire-police"), metadata=bu.metadata())
        assert again.replayed and again.chase.chase_id == chased.chase.chase_id and again.request.chase_count == 1

        async def sent():
            rows = await chases(service)
            return rows if rows and rows[0]["delivery_status"] == G.CHASE_DELIVERY_STATUS_SENT else None

        [row] = await eventually(sent, timeout=30, what="the chase e-mailed")
        await eventually(lambda: outbox_drained(service), what="outbox drained")
        events = [e for e in await subscriber.drain() if e.case_id == case_id]
    assert row["recipients"] == 1 and row["chased_by"] and row["sent_at"] is not None
    [mail] = smtp.recorder.received
    assert mail.rcpt_tos == POLICE and mail.tls and mail.authenticated
    assert " ".join(str(mail.message["Subject"]).split()) == (
        f"Rapid Review: your return for case {case_id.replace('-', '')[:8]} is awaited (due 2024-06-21)")
    assert "Child K" not in mail.message.get_body(("plain",)).get_content()
    [event] = events
    payload = unpack(event, G.AgencyChased)
    assert (payload.chase_id, payload.agency.agency_id, payload.chased_on, payload.due, payload.working_days_left) == (
        chased.chase.chase_id, "west-yorkshire-police", "2024-06-20", "2024-06-21", 1)
    status = await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bu.metadata())
    police = next(r for r in status.requests if r.agency.agency_id == "west-yorkshire-police")
    assert (police.last_chased_on, police.chase_count) == ("2024-06-20", 1)


async def test_an_agency_without_contacts_is_kept_as_no_contact(chasing, smtp, bu, intake_events):
    service, stub = chasing
    case_id = await open_case(stub, bu, intake_events, agencies=("gp-practice",))
    await stub.ChaseAgency(G.ChaseAgencyRequest(case_id=case_id, agency_id="gp-practice"), metadata=bu.metadata())

    async def settled():
        rows = await chases(service)
        return rows if rows and rows[0]["delivery_status"] != G.CHASE_DELIVERY_STATUS_PENDING else None

    [row] = await eventually(settled, timeout=30, what="the chase settled")
    assert row["delivery_status"] == G.CHASE_DELIVERY_STATUS_NO_CONTACT and smtp.recorder.received == []


async def _error(call) -> grpc.aio.AioRpcError:  # noqa: ANN001
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    return info.value


async def test_chasing_what_cannot_be_chased_is_refused_and_records_nothing(chasing, bu, creds, intake_events):
    service, stub = chasing
    case_id = await open_case(stub, bu, intake_events, agencies=("west-yorkshire-police", "gp-practice"))
    await submit(stub, creds, case_id, "west-yorkshire-police")
    returned = await _error(stub.ChaseAgency(G.ChaseAgencyRequest(case_id=case_id, agency_id="west-yorkshire-police"),
                                             metadata=bu.metadata()))
    assert returned.code() == grpc.StatusCode.FAILED_PRECONDITION
    unknown = await _error(stub.ChaseAgency(G.ChaseAgencyRequest(case_id=case_id, agency_id="school"), metadata=bu.metadata()))
    assert unknown.code() == grpc.StatusCode.NOT_FOUND
    bad = await _error(stub.ChaseAgency(G.ChaseAgencyRequest(case_id="not-a-case", agency_id="Not An Id"), metadata=bu.metadata()))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {f for f, _ in field_violations(bad)} == {"case_id", "agency_id"}
    agency = await _error(stub.ChaseAgency(G.ChaseAgencyRequest(case_id=case_id, agency_id="gp-practice"),
                                           metadata=agency_caller(creds, "gp-practice").metadata()))
    assert agency.code() == grpc.StatusCode.PERMISSION_DENIED
    await stub.CloseGathering(G.CloseGatheringRequest(case_id=case_id), metadata=bu.metadata())
    closed = await _error(stub.ChaseAgency(G.ChaseAgencyRequest(case_id=case_id, agency_id="gp-practice"), metadata=bu.metadata()))
    assert closed.code() == grpc.StatusCode.FAILED_PRECONDITION
    async with service.infra.db.transaction() as s:
        assert (await s.execute(select(func.count()).select_from(storage.chases))).scalar_one() == 0


async def test_reopening_the_gathering_publishes_information_reopened(chasing, bu, intake_events, own_nats):
    service, stub = chasing
    case_id = await open_case(stub, bu, intake_events, agencies=("gp-practice",))
    async with EventSubscriber(own_nats.url, "test-reopened", ["rr.v1.information.reopened"]) as subscriber:
        await stub.CloseGathering(G.CloseGatheringRequest(case_id=case_id), metadata=bu.metadata())
        await stub.ReopenGathering(G.ReopenGatheringRequest(case_id=case_id, reason="A late return is expected."), metadata=bu.metadata())
        await eventually(lambda: outbox_drained(service), what="outbox drained")
        [event] = [e for e in await subscriber.drain() if e.case_id == case_id]
    payload = unpack(event, G.GatheringReopened)
    assert payload.reopened_on == "2024-06-20" and "late return" not in event.SerializeToString().decode("latin-1")
