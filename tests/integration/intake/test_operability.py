"""Probes and metrics: a plaintext health-only listener and a Prometheus endpoint."""

from __future__ import annotations

import urllib.request

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from rapidreview.stack.ports import free_port
from rapidreview.v1 import intake_pb2, intake_pb2_grpc
from tests.support.examples import example_notification
from tests.support.harness import RunningService, service_env

pytestmark = pytest.mark.integration


async def test_health_listener_and_metrics_endpoint(fresh_database, nats_server, creds, la):
    health_port, metrics_port = free_port(), free_port()
    service = await RunningService("intake", service_env(
        fresh_database, nats_server.url, creds, RR_HEALTH_LISTEN=f"127.0.0.1:{health_port}",
        RR_METRICS_LISTEN=f"127.0.0.1:{metrics_port}")).start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{health_port}") as channel:
            response = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="rapidreview.v1.IntakeService"))
            assert response.status == health_pb2.HealthCheckResponse.SERVING
            with pytest.raises(grpc.aio.AioRpcError) as err:  # nothing but health on the probe port
                await intake_pb2_grpc.IntakeServiceStub(channel).ListIncidents(intake_pb2.ListIncidentsRequest(), metadata=la.metadata())
            assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED
        async with grpc.aio.insecure_channel(service.address) as channel:
            n = example_notification()
            n.child.child_ref = "CANARY-METRICS-CHILD"
            await intake_pb2_grpc.IntakeServiceStub(channel).NotifyIncident(
                intake_pb2.NotifyIncidentRequest(idempotency_key="key-metrics-1", notification=n), metadata=la.metadata())
        text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
        assert 'rapidreview_rpc_calls_total{code="OK",method="NotifyIncident",service="intake"}' in text
        assert "CANARY-METRICS-CHILD" not in text
    finally:
        await service.stop()
