"""A call made while PostgreSQL is away is answered UNAVAILABLE, the status partners' clients
retry (with the same idempotency key), and stores nothing; once the database is back the
same call succeeds once.

The bug this guards against: the interceptor answered INTERNAL ("a bug; quote the request
id"), which the partner client library rightly does not retry, so a database restart
surfaced to partners as failures of the product.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import grpc
import pytest

from rapidreview.kernel.auth import Role
from rapidreview.stack import NatsServer, PostgresServer
from rapidreview.v1 import intake_pb2_grpc
from tests.reliability.pipeline import metadata, notification_request, plan_cases
from tests.reliability.stack import TODAY
from tests.support.harness import RunningService, dev_credentials, service_env

pytestmark = pytest.mark.integration


@pytest.fixture
def own_servers():
    folder = Path(tempfile.mkdtemp(prefix="rr-rel-rpc-outage-"))
    pg, ns = PostgresServer(folder / "pg"), NatsServer(folder / "nats")
    pg.start()
    pg.create_database("rapidreview")
    ns.start()
    yield pg, ns, folder
    ns.stop()
    pg.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.timeout(300)
async def test_a_call_while_the_database_is_away_is_unavailable_and_retrying_it_later_stores_it_once(own_servers):
    pg, ns, folder = own_servers
    creds = dev_credentials(folder / "creds")
    service = await RunningService("intake", service_env(pg.url(), ns.url, creds, RR_TODAY=TODAY)).start()
    token = creds.token(Role.NOTIFYING_LA)
    plan = plan_cases(1)[0]
    try:
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub = intake_pb2_grpc.IntakeServiceStub(channel)
            pg.kill()
            with pytest.raises(grpc.aio.AioRpcError) as failed:
                await stub.NotifyIncident(notification_request(plan), metadata=metadata(token), timeout=20)
            assert failed.value.code() == grpc.StatusCode.UNAVAILABLE, failed.value.code()
            pg.start()
            deadline = time.monotonic() + 60
            while True:  # the client's retry, with the same idempotency key
                try:
                    first = await stub.NotifyIncident(notification_request(plan), metadata=metadata(token), timeout=20)
                    break
                except grpc.aio.AioRpcError as exc:
                    assert exc.code() == grpc.StatusCode.UNAVAILABLE and time.monotonic() < deadline, exc.code()
            again = await stub.NotifyIncident(notification_request(plan), metadata=metadata(token), timeout=20)
            assert not first.replayed and again.replayed and again.incident.case_id == first.incident.case_id
    finally:
        await service.stop()
