"""Who read which case is logged for auditors; partner callers are rate-limited."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest
from google.protobuf import timestamp_pb2

from rapidreview.kernel.auth import Role
from rapidreview.kernel.grpc_errors import field_violations
from rapidreview.v1 import access_log_pb2, access_log_pb2_grpc, intake_pb2, intake_pb2_grpc
from tests.support.examples import example_notification
from tests.support.harness import Caller, RunningService, eventually, service_env

pytestmark = pytest.mark.integration


async def test_auditor_sees_who_read_the_case_and_others_may_not_read_the_log(intake, intake_stub, la, creds):
    created = (await intake_stub.NotifyIncident(
        intake_pb2.NotifyIncidentRequest(idempotency_key="key-access-01", notification=example_notification()), metadata=la.metadata())).incident
    reader = Caller(creds, Role.RAG_MEMBER)
    await intake_stub.GetIncident(intake_pb2.GetIncidentRequest(case_id=created.case_id), metadata=reader.metadata("req-read-1"))
    auditor = Caller(creds, Role.AUDITOR)
    async with grpc.aio.insecure_channel(intake.address) as channel:
        log_stub = access_log_pb2_grpc.AccessLogServiceStub(channel)

        async def read_entries():
            response = await log_stub.ListAccessLog(access_log_pb2.ListAccessLogRequest(case_id=created.case_id), metadata=auditor.metadata())
            return [e for e in response.entries if e.method.endswith("/GetIncident")]

        entries = await eventually(read_entries, what="GetIncident in the access log")
        assert entries[0].role == "rag_member" and entries[0].code == "OK" and entries[0].request_id == "req-read-1"
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await log_stub.ListAccessLog(access_log_pb2.ListAccessLogRequest(), metadata=reader.metadata())
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_the_access_log_is_filtered_by_the_period_the_auditor_asks_for(intake, intake_stub, la, creds):
    created = (await intake_stub.NotifyIncident(
        intake_pb2.NotifyIncidentRequest(idempotency_key="key-access-02", notification=example_notification()), metadata=la.metadata())).incident
    reader = Caller(creds, Role.EXECUTIVE)
    await intake_stub.GetIncident(intake_pb2.GetIncidentRequest(case_id=created.case_id), metadata=reader.metadata("req-period-0"))
    before = dt.datetime.now(dt.UTC)
    await intake_stub.GetIncident(intake_pb2.GetIncidentRequest(case_id=created.case_id), metadata=reader.metadata("req-period-1"))
    auditor = Caller(creds, Role.AUDITOR)

    def stamp(value: dt.datetime) -> timestamp_pb2.Timestamp:
        out = timestamp_pb2.Timestamp()
        out.FromDatetime(value)
        return out

    async with grpc.aio.insecure_channel(intake.address) as channel:
        log_stub = access_log_pb2_grpc.AccessLogServiceStub(channel)

        async def request_ids(**period) -> list[str]:  # type: ignore[no-untyped-def]
            response = await log_stub.ListAccessLog(access_log_pb2.ListAccessLogRequest(case_id=created.case_id, **period),
                                                    metadata=auditor.metadata())
            return [e.request_id for e in response.entries]

        async def read_since_before():
            return [r for r in await request_ids(since=stamp(before)) if r == "req-period-1"]

        assert await eventually(read_since_before, what="the read in the period") == ["req-period-1"]
        assert await request_ids(until=stamp(before)) == ["req-period-0"]
        later = before + dt.timedelta(hours=1)
        assert await request_ids(since=stamp(later)) == []
        assert "req-period-1" in await request_ids(since=stamp(before), until=stamp(later))
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await request_ids(since=stamp(later), until=stamp(before))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "until" in str(field_violations(err.value))


async def test_partner_caller_over_the_rate_limit_gets_resource_exhausted(fresh_database, nats_server, creds, la):
    service = await RunningService("intake", service_env(fresh_database, nats_server.url, creds,
                                                         RR_RATE_LIMIT_RPS="0.5", RR_RATE_LIMIT_BURST="3")).start()
    try:
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub = intake_pb2_grpc.IntakeServiceStub(channel)
            codes = []
            for _ in range(5):
                try:
                    await stub.ListIncidents(intake_pb2.ListIncidentsRequest(), metadata=la.metadata())
                    codes.append("OK")
                except grpc.aio.AioRpcError as exc:
                    codes.append(exc.code().name)
        assert codes[:3] == ["OK"] * 3 and "RESOURCE_EXHAUSTED" in codes[3:]
    finally:
        await service.stop()
