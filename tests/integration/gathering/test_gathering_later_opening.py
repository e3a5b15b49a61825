"""A case that needed no rapid review at intake opens its gathering when a later
Panel notification (or an amended notification) makes RR.REQUIRED met; an
amended notification's new agencies are asked too (issue 17)."""

from __future__ import annotations

import uuid

import pytest

from rapidreview.kernel.events import new_event
from rapidreview.v1 import common_pb2, gathering_pb2, intake_pb2
from tests.integration.gathering.conftest import example_incident
from tests.support.harness import eventually

pytestmark = pytest.mark.integration
G = gathering_pb2


async def _status(stub, bu, case_id: str):  # type: ignore[no-untyped-def]
    return await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bu.metadata())


async def _recorded_not_required(stub, bu, intake_events, agencies=("west-yorkshire-police", "gp-practice")) -> intake_pb2.Incident:  # type: ignore[no-untyped-def]
    incident = example_incident(str(uuid.uuid4()), rr_required=False, agencies=agencies)
    await intake_events.notified(incident)

    async def recorded():
        try:
            return (await _status(stub, bu, incident.case_id)).status == G.GATHERING_STATUS_NOT_REQUIRED
        except Exception:  # noqa: BLE001 - NOT_FOUND until the event is handled
            return False

    await eventually(recorded, what="case recorded as not required")
    return incident


def _required(incident: intake_pb2.Incident) -> intake_pb2.Incident:
    out = intake_pb2.Incident()
    out.CopyFrom(incident)
    del out.duties[:]
    out.duties.append(common_pb2.RuleOutcome(rule_id="RR.REQUIRED", outcome=common_pb2.OUTCOME_MET))
    return out


async def test_a_later_panel_notification_opens_the_gathering_of_a_case_not_required_at_intake(stub, bu, intake_events):
    incident = await _recorded_not_required(stub, bu, intake_events)
    payload = intake_pb2.IncidentPanelNotified(
        case_id=incident.case_id, panel_notification=intake_pb2.PanelNotification(reference="PANEL-L", sent_date="2024-06-07"),
        incident=_required(incident))
    await intake_events.publish(new_event("incident.panel_notified", payload, producer="intake", case_id=incident.case_id,
                                          partnership="leeds"))

    async def opened():
        status = await _status(stub, bu, incident.case_id)
        return status if status.status == G.GATHERING_STATUS_OPEN else None

    status = await eventually(opened, what="gathering opened")
    assert [r.agency.agency_id for r in status.requests] == ["west-yorkshire-police", "gp-practice"]
    assert {(r.clock.due, r.due_basis) for r in status.requests} == {("2024-06-21", G.DUE_BASIS_PANEL_NOTIFICATION)}


async def test_an_amended_notification_asks_the_agencies_it_adds(stub, bu, intake_events):
    incident = await _recorded_not_required(stub, bu, intake_events, agencies=("west-yorkshire-police",))
    amended = _required(example_incident(incident.case_id, agencies=("west-yorkshire-police",)))
    await intake_events.publish(new_event("incident.amended", intake_pb2.IncidentAmended(incident=amended, version=2),
                                          producer="intake", case_id=incident.case_id, partnership="leeds"))

    async def opened():
        status = await _status(stub, bu, incident.case_id)
        return status if status.status == G.GATHERING_STATUS_OPEN else None

    assert [r.agency.agency_id for r in (await eventually(opened, what="opened")).requests] == ["west-yorkshire-police"]
    more = _required(example_incident(incident.case_id, agencies=("west-yorkshire-police", "gp-practice")))
    await intake_events.publish(new_event("incident.amended", intake_pb2.IncidentAmended(incident=more, version=3),
                                          producer="intake", case_id=incident.case_id, partnership="leeds"))

    async def two():
        status = await _status(stub, bu, incident.case_id)
        return status if len(status.requests) == 2 else None

    status = await eventually(two, what="the added agency asked")
    assert [r.agency.agency_id for r in status.requests] == ["west-yorkshire-police", "gp-practice"]
