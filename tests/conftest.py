"""Root fixtures: real nats-server and PostgreSQL processes, started on first use.

Session-scoped servers are shared by every test in the run; a test that stops, kills or
restarts a server starts its own instead (see tests/integration/test_stack_processes.py).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from rapidreview.stack import NatsServer, PostgresServer
from tests.support.harness import private_nats


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    """A running nats-server with JetStream for the whole session; connect to `.url`."""
    server = NatsServer(tmp_path_factory.mktemp("nats"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_nats() -> Iterator[NatsServer]:
    """A nats-server of this test's own: for a test that stops or restarts it, or whose streams
    must hold only its own messages (the session's server is shared)."""
    with private_nats() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A running PostgreSQL for the whole session, with database "rapidreview" created;
    `.url()` is its postgresql+asyncpg URL."""
    # Not under pytest's basetemp: as root the server runs as another user and needs to
    # traverse the parents, and pytest resets its base folder to 0700 at every session start.
    data_dir = Path(tempfile.mkdtemp(prefix="rr-test-pg-"))
    server = PostgresServer(data_dir)
    try:
        server.start()
        server.create_database("rapidreview")
        yield server
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def fresh_database(postgres_server: PostgresServer) -> Iterator[str]:
    """The postgresql+asyncpg URL of a new, empty database, dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    postgres_server.create_database(name)
    yield postgres_server.url(name)
    postgres_server.drop_database(name)
