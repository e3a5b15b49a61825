"""Fixtures for the partner integration kit: the Python client (from
clients/python, with stubs freshly generated from protos/ so that the tests
always exercise the current contracts; `clients/python/gen-stubs --check`
catches a stale committed copy), intake (and gathering, once it exists)
running in-process, and development tokens per partner role."""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import grpc
import pytest

from rapidreview.kernel.auth import Role
from tests.support.harness import RunningService, dev_credentials, service_env

ROOT = Path(__file__).resolve().parents[3]
CLIENT_SRC = ROOT / "clients" / "python" / "src"
TODAY = "2024-06-10"


def _fresh_client_package() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="rr-client-"))
    atexit.register(shutil.rmtree, folder, True)
    shutil.copytree(CLIENT_SRC / "rapidreview_client", folder / "rapidreview_client", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [str(ROOT / "clients" / "python" / "gen-stubs")],
        env={**os.environ, "RR_CLIENT_STUBS_DEST": str(folder / "rapidreview_client"), "PYTHON": sys.executable},
        check=True, timeout=180, stdout=subprocess.DEVNULL,
    )
    return folder


#: Where `rapidreview_client` is imported from (tests and the subprocesses they start).
CLIENT_PATH = _fresh_client_package()
sys.path.insert(0, str(CLIENT_PATH))


def gathering_available() -> bool:
    try:
        return importlib.util.find_spec("rapidreview.gathering.bootstrap") is not None
    except ImportError:
        return False


@pytest.fixture(scope="module")
def creds(tmp_path_factory: pytest.TempPathFactory):
    return dev_credentials(Path(tmp_path_factory.mktemp("creds")))


@pytest.fixture
def env(fresh_database, nats_server, creds) -> dict[str, str]:
    return service_env(fresh_database, nats_server.url, creds, RR_TODAY=TODAY)


@pytest.fixture
async def intake(env):
    service = await RunningService("intake", env).start()
    yield service
    await service.stop()


@pytest.fixture
async def gathering(env, intake):
    """The gathering service next to intake (skipped until the service exists)."""
    if not gathering_available():
        pytest.skip("the gathering service is not built yet (rapidreview.gathering.bootstrap)")
    service = await RunningService("gathering", env).start()
    yield service
    await service.stop()


@pytest.fixture
def la_token(creds) -> str:
    return creds.token(Role.NOTIFYING_LA)


@pytest.fixture
def business_unit_token(creds) -> str:
    return creds.token(Role.BUSINESS_UNIT)


@pytest.fixture
def police_token(creds) -> str:
    return creds.token(Role.AGENCY, agency="west-yorkshire-police")


@pytest.fixture
def gp_token(creds) -> str:
    return creds.token(Role.AGENCY, agency="gp-practice")


async def health_serving(address: str, credentials: grpc.ChannelCredentials | None = None) -> bool:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    channel = grpc.aio.secure_channel(address, credentials) if credentials else grpc.aio.insecure_channel(address)
    async with channel:
        try:
            response = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
        except grpc.aio.AioRpcError:
            return False
        return response.status == health_pb2.HealthCheckResponse.SERVING
