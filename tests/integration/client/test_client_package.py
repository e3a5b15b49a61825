"""clients/python is a package of its own: it declares only gRPC and protobuf
dependencies, never imports the server, installs into a fresh virtual
environment and makes an authenticated call from there."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.integration.client.conftest import CLIENT_PATH, ROOT

pytestmark = pytest.mark.integration

CLIENT = ROOT / "clients" / "python"

# Runs in a subprocess: any import of the server package (or its heavy dependencies) fails.
NO_SERVER = """
import sys
BLOCKED = ("rapidreview", "durable_rules", "sqlalchemy", "nats", "alembic", "asyncpg", "structlog")
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} must not be needed by the client")
        return None
sys.meta_path.insert(0, Block())
"""

CALL = """
import os
from rapidreview_client import RapidReviewClient
from rapidreview_client.v1 import intake_pb2
with RapidReviewClient.from_env() as client:
    listed = client.intake.list_incidents(intake_pb2.ListIncidentsRequest(page_size=5))
print("incidents:", len(listed.incidents))
"""


def test_client_declares_only_grpc_and_protobuf_dependencies():
    project = tomllib.loads((CLIENT / "pyproject.toml").read_text())["project"]
    names = {dep.split(">")[0].split("=")[0].split("<")[0].strip() for dep in project["dependencies"]}
    assert project["name"] == "rapidreview-client"
    assert names == {"grpcio", "protobuf", "googleapis-common-protos"}


async def test_client_makes_an_authenticated_call_without_the_server_package(intake, la_token):
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(CLIENT_PATH), "RR_INTAKE_ADDR": intake.address, "RR_TOKEN": la_token}
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", NO_SERVER + CALL, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert out.decode().strip() == "incidents: 0"


@pytest.fixture(scope="module")
def isolated_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only `pip install clients/python` (from the package index)."""
    venv = tmp_path_factory.mktemp("client-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    source = tmp_path_factory.mktemp("client-src") / "python"  # build from a copy: no build/ or egg-info in the work tree
    shutil.copytree(CLIENT, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(source)],
                   check=True, timeout=600, stdout=subprocess.DEVNULL)
    return python


async def test_client_installs_on_its_own_and_the_la_example_notifies_from_there(isolated_client, intake, la_token):
    listed = subprocess.run([str(isolated_client), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True, check=True, timeout=60)
    installed = {line.split("==")[0].lower() for line in listed.stdout.splitlines()}
    assert "rapidreview-client" in installed
    assert not installed & {"rapidreview", "durable-rules", "sqlalchemy", "nats-py"}
    env = {"PATH": os.environ.get("PATH", ""), "RR_INTAKE_ADDR": intake.address, "RR_TOKEN": la_token}
    process = await asyncio.create_subprocess_exec(str(isolated_client), str(CLIENT / "examples" / "la_notify.py"), env=env,
                                                   cwd=str(CLIENT / "examples"),
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert "recorded" in out.decode()
