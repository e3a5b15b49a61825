"""Fixtures for the partner integration kit: the Python client (from
clients/python, with stubs freshly generated from protos/ so that the tests
always exercise the current contracts; `clients/python/gen-stubs --check`
catches a stale committed copy), intake (and gathering, once it exists)
running in-process, and development tokens per partner role."""

from __future__ import annotations

import atexit
import datetime as dt
import ipaddress
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from rapidreview.kernel.auth import Role
from tests.support.harness import RunningService, dev_credentials, eventually, service_env

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
    """The gathering service next to intake."""
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


# --------------------------------------------------------------------------- mutual TLS


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key, issuer_name: x509.Name, issuer_key, *, ca: bool = False, san: bool = False) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(obj) -> bytes:
    if isinstance(obj, x509.Certificate):
        return obj.public_bytes(serialization.Encoding.PEM)
    return obj.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1, a partner's client certificate, and a stranger's."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("Rapid Review test CA", ca_key, _name("Rapid Review test CA"), ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    client_key = ec.generate_private_key(ec.SECP256R1())
    stranger_key = ec.generate_private_key(ec.SECP256R1())
    files = {
        "ca": _pem(ca), "server.crt": _pem(_cert("intake", server_key, ca.subject, ca_key, san=True)), "server.key": _pem(server_key),
        "client.crt": _pem(_cert("leeds-case-management", client_key, ca.subject, ca_key)), "client.key": _pem(client_key),
        "stranger.crt": _pem(_cert("stranger", stranger_key, _name("stranger"), stranger_key)), "stranger.key": _pem(stranger_key),
    }
    out = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        out[name] = tmp_path / name
    return out


@pytest.fixture
async def intake_mtls(env, pki):
    service = RunningService("intake", dict(env, RR_TLS_CERT_FILE=str(pki["server.crt"]), RR_TLS_KEY_FILE=str(pki["server.key"]),
                                            RR_TLS_CLIENT_CA_FILE=str(pki["ca"])))
    await service.start(wait_ready=False)
    creds = grpc.ssl_channel_credentials(pki["ca"].read_bytes(), pki["client.key"].read_bytes(), pki["client.crt"].read_bytes())
    await eventually(lambda: health_serving(service.address, creds), timeout=30, what="intake SERVING over mutual TLS")
    yield service
    await service.stop()
