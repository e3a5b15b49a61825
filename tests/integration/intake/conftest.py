from __future__ import annotations

import datetime as dt
from pathlib import Path

import grpc
import pytest

from rapidreview.kernel.auth import Role
from rapidreview.v1 import common_pb2, intake_pb2, intake_pb2_grpc
from tests.support.examples import example_notification  # noqa: F401 - re-exported for tests
from tests.support.harness import Caller, RunningService, dev_credentials, service_env

TODAY = "2024-06-10"


@pytest.fixture(scope="module")
def creds(tmp_path_factory: pytest.TempPathFactory):
    return dev_credentials(Path(tmp_path_factory.mktemp("creds")))


@pytest.fixture
async def intake(fresh_database, nats_server, creds):
    service = await RunningService("intake", service_env(fresh_database, nats_server.url, creds, RR_TODAY=TODAY)).start()
    yield service
    await service.stop()


@pytest.fixture
def la(creds) -> Caller:
    return Caller(creds, Role.NOTIFYING_LA)


@pytest.fixture
async def intake_stub(intake):
    async with grpc.aio.insecure_channel(intake.address) as channel:
        yield intake_pb2_grpc.IntakeServiceStub(channel)
