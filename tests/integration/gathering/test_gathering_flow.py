"""The full path on real NATS and PostgreSQL: incident.notified -> requests opened ->
returns (with an amendment) -> information.collated, received exactly once by a
subscriber although the service is restarted twice in the middle."""

from __future__ import annotations

import uuid

import grpc
import pytest

from rapidreview.kernel.events import unpack
from rapidreview.v1 import gathering_pb2
from tests.integration.gathering.conftest import (
    AGENCY_IDS, EventSubscriber, example_incident, outbox_drained, submit,
)
from tests.support.harness import RunningService, eventually

pytestmark = pytest.mark.integration
G = gathering_pb2


async def _status(stub, bu, case_id):
    return await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bu.metadata())


async def test_notified_to_collated_exactly_once_across_restarts(gathering_env, own_nats, creds, bu, intake_events):
    service = await RunningService("gathering", gathering_env).start()
    async with EventSubscriber(own_nats.url, "test-criteria", ["rr.v1.information.collated", "rr.v1.agency.>"]) as criteria:
        # Intake publishes while gathering is down: the durable consumer catches up after the restart.
        await service.stop()
        case_id = str(uuid.uuid4())
        notified = await intake_events.notified(example_incident(case_id))
        await intake_events.panel_notified(case_id, "2024-06-07")
        await service.start()
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub = gathering_pb2_grpc_stub(channel)

            async def opened():
                try:
                    status = await _status(stub, bu, case_id)
                except grpc.aio.AioRpcError:
                    return None
                return status if all(r.due_basis == G.DUE_BASIS_PANEL_NOTIFICATION for r in status.requests) else None

            status = await eventually(opened, what="requests opened with Panel due dates")
            assert [r.agency.agency_id for r in status.requests] == list(AGENCY_IDS)
            assert {r.clock.due for r in status.requests} == {"2024-06-21"}
            assert all(r.status == G.REQUEST_STATUS_AWAITING for r in status.requests)

            for agency_id in ("west-yorkshire-police", "leeds-childrens-social-work", "acute-hospital-trust", "health-visiting",
                              "sibling-nursery", "housing-association"):
                await submit(stub, creds, case_id, agency_id)
            amended = await submit(stub, creds, case_id, "west-yorkshire-police",
                                   mutate=lambda r: r.learning[0].themes.append("escalation"))
            assert amended.version.version == 2 and not amended.collated

        # Restart in the middle, a few days later (the GP's return, the last, will be late), and
        # intake republishing the same notification (same event id) changes nothing.
        await service.stop()
        service.env["RR_TODAY"] = "2024-06-25"
        await intake_events.publish(notified)
        await service.start()
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub = gathering_pb2_grpc_stub(channel)
            last = await submit(stub, creds, case_id, "gp-practice")
            assert last.collated and last.version.late
            status = await _status(stub, bu, case_id)
            assert status.status == G.GATHERING_STATUS_OPEN and status.completeness.missing == 0

            await eventually(lambda: outbox_drained(service), what="outbox drained")
            received = [e for e in await criteria.drain() if e.case_id == case_id]
        await service.stop()

    by_type: dict[str, list] = {}
    for envelope in received:
        by_type.setdefault(envelope.event_type, []).append(envelope)
    assert len(by_type["agency.request_opened"]) == len(AGENCY_IDS)
    assert len(by_type["agency.return_submitted"]) == len(AGENCY_IDS) + 1  # one amendment
    assert len(by_type["information.collated"]) == 1
    assert len({e.event_id for e in received}) == len(received)

    collated = unpack(by_type["information.collated"][0], G.InformationCollated)
    assert collated.collation_version == 1 and collated.trigger == G.COLLATION_TRIGGER_ALL_RETURNED
    assert not collated.partial and not collated.missing_agencies
    agencies = {a.agency.agency_id: a for a in collated.agencies}
    assert agencies["west-yorkshire-police"].version == 2
    assert "escalation" in agencies["west-yorkshire-police"].learning[0].themes
    assert agencies["gp-practice"].late and agencies["gp-practice"].returned_on == "2024-06-25"
    assert agencies["housing-association"].involvement == G.INVOLVEMENT_NOT_INVOLVED
    assert collated.completeness.late == 1
    assert by_type["agency.request_opened"][0].causation_id == notified.event_id


def gathering_pb2_grpc_stub(channel):
    from rapidreview.v1 import gathering_pb2_grpc

    return gathering_pb2_grpc.GatheringServiceStub(channel)
