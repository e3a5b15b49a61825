"""The embedded stack's process launchers: real nats-server and PostgreSQL processes.

Tests that stop, kill or restart a server start their own; the session servers stay untouched.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import nats
import nats.errors
import pytest
from nats.js import JetStreamContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from rapidreview.stack import (
    NatsCluster,
    NatsServer,
    PostgresServer,
    free_ports,
    wait_for_port,
)
from rapidreview.stack.ports import port_is_open

pytestmark = pytest.mark.integration


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


async def _publish_until_acked(
    js: JetStreamContext, subject: str, payload: bytes, msg_id: str, timeout: float
) -> int:
    """Publishes until JetStream acknowledges (bounded); the message id makes retries safe."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            ack = await js.publish(subject, payload, timeout=2, headers={"Nats-Msg-Id": msg_id})
            return ack.seq
        except nats.errors.Error:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL of this test's own, free to be killed."""
    data_dir = Path(tempfile.mkdtemp(prefix="rr-test-pg-"))
    server = PostgresServer(data_dir)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


# --- ports -----------------------------------------------------------------------------------


def test_free_ports_are_distinct_and_bindable() -> None:
    ports = free_ports(5)
    assert len(set(ports)) == 5
    assert not any(port_is_open("127.0.0.1", port) for port in ports)


def test_wait_for_port_gives_up_after_its_timeout() -> None:
    (port,) = free_ports(1)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        wait_for_port("127.0.0.1", port, timeout=0.3)
    assert time.monotonic() - started < 2


# --- NATS ------------------------------------------------------------------------------------


async def test_nats_server_stores_and_returns_a_jetstream_message(nats_server: NatsServer) -> None:
    stream = _unique("STACK")
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await js.add_stream(name=stream, subjects=[f"{stream}.>"])
        ack = await js.publish(f"{stream}.created", b"hello")
        stored = await js.get_msg(stream, ack.seq)
        assert stored.data == b"hello"
        assert ack.stream == stream
    finally:
        await nc.close()


async def test_nats_restart_keeps_url_and_jetstream_messages(tmp_path: Path) -> None:
    server = NatsServer(tmp_path / "nats")
    server.start()
    try:
        url = server.url
        nc = await nats.connect(url)
        js = nc.jetstream()
        await js.add_stream(name="KEPT", subjects=["kept.>"])
        seq = (await js.publish("kept.one", b"before restart")).seq
        await nc.close()

        server.restart()

        assert server.url == url
        nc = await nats.connect(url)
        try:
            stored = await nc.jetstream().get_msg("KEPT", seq)
            assert stored.data == b"before restart"
        finally:
            await nc.close()
    finally:
        server.stop()
    assert not server.is_running
    assert not port_is_open("127.0.0.1", server.port)


async def test_nats_kill_then_start_recovers_acknowledged_messages(tmp_path: Path) -> None:
    server = NatsServer(tmp_path / "nats")
    server.start()
    try:
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await js.add_stream(name="CRASH", subjects=["crash.>"])
        seq = (await js.publish("crash.one", b"acked")).seq
        await nc.close()

        server.kill()
        assert not server.is_running
        server.start()

        nc = await nats.connect(server.url)
        try:
            assert (await nc.jetstream().get_msg("CRASH", seq)).data == b"acked"
        finally:
            await nc.close()
    finally:
        server.stop()


async def test_nats_cluster_of_three_keeps_accepting_when_the_stream_leader_stops(
    tmp_path: Path,
) -> None:
    cluster = NatsCluster(tmp_path / "cluster", size=3)
    cluster.start()
    nc = None
    try:
        names = [node.server_name for node in cluster.nodes]
        assert cluster.meta_leader() in names
        assert cluster.urls == ",".join(node.url for node in cluster.nodes)

        nc = await nats.connect(servers=cluster.url_list)
        js = nc.jetstream()
        await js.add_stream(name="REPLICATED", subjects=["replicated.>"], num_replicas=3)
        await _publish_until_acked(js, "replicated.a", b"first", "msg-1", timeout=30)
        info = await js.stream_info("REPLICATED")
        assert info.cluster is not None and len(info.cluster.replicas or []) == 2
        leader = names.index(info.cluster.leader)

        cluster.stop_node(leader)

        await _publish_until_acked(js, "replicated.b", b"second", "msg-2", timeout=30)
        info = await js.stream_info("REPLICATED")
        assert info.state.messages == 2
        assert info.cluster.leader != names[leader]

        cluster.start_node(leader)
        assert cluster.nodes[leader].is_running
        assert cluster.meta_leader() in names
    finally:
        if nc is not None:
            await nc.close()
        cluster.stop()
    assert not any(node.is_running for node in cluster.nodes)


# --- PostgreSQL ------------------------------------------------------------------------------


async def test_postgres_accepts_asyncpg_connection_to_rapidreview_database(
    postgres_server: PostgresServer,
) -> None:
    conn = await asyncpg.connect(postgres_server.url(driver="postgresql"))
    try:
        assert await conn.fetchval("select current_database()") == "rapidreview"
        assert await conn.fetchval("show server_encoding") == "UTF8"
    finally:
        await conn.close()


async def test_fresh_database_is_empty_and_usable_through_sqlalchemy(fresh_database: str) -> None:
    assert fresh_database.startswith("postgresql+asyncpg://")
    engine = create_async_engine(fresh_database)
    try:
        async with engine.begin() as conn:
            tables = await conn.scalar(
                text("select count(*) from information_schema.tables where table_schema = 'public'")
            )
            assert tables == 0
            await conn.execute(text("create table note (body text)"))
            await conn.execute(text("insert into note values ('Zoë')"))
            assert await conn.scalar(text("select upper(body) from note")) == "ZOË"
    finally:
        await engine.dispose()


def test_create_database_is_idempotent_and_drop_removes_it(postgres_server: PostgresServer) -> None:
    name = _unique("idem_")
    postgres_server.create_database(name)
    postgres_server.create_database(name)
    exists = f"select count(*) from pg_database where datname = '{name}'"
    assert postgres_server.psql(exists).strip() == "1"
    postgres_server.drop_database(name)
    assert postgres_server.psql(exists).strip() == "0"


def test_create_database_rejects_names_that_need_escaping(postgres_server: PostgresServer) -> None:
    with pytest.raises(ValueError):
        postgres_server.create_database('x"; drop database rapidreview; --')


async def test_postgres_kill_then_start_recovers_committed_rows(
    own_postgres: PostgresServer,
) -> None:
    url = own_postgres.url("postgres", driver="postgresql")
    conn = await asyncpg.connect(url)
    await conn.execute("create table decision (id int primary key)")
    await conn.execute("insert into decision values (7)")
    await conn.close()

    own_postgres.kill()
    assert not own_postgres.is_running
    own_postgres.start()

    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetchval("select id from decision") == 7
    finally:
        await conn.close()
    assert "automatic recovery in progress" in own_postgres.log_path.read_text()


async def test_postgres_restart_keeps_url_and_data(own_postgres: PostgresServer) -> None:
    url = own_postgres.url("postgres", driver="postgresql")
    own_postgres.psql("create table kept (x int); insert into kept values (1)")

    own_postgres.restart()

    assert own_postgres.url("postgres", driver="postgresql") == url
    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetchval("select x from kept") == 1
    finally:
        await conn.close()


def test_postgres_started_again_when_its_process_dies_by_a_signal_before_it_says_anything(
        own_postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A child killed between fork and exec (seen as SIGBUS or SIGSEGV when the parent has gRPC
    threads) is not a server that cannot start: start() spawns it again."""
    own_postgres.stop()
    real_spawn, spawned = own_postgres._spawn, []

    def spawn(run_as):  # type: ignore[no-untyped-def]
        spawned.append(run_as)
        if len(spawned) == 1:
            own_postgres._proc = subprocess.Popen(["sh", "-c", "kill -BUS $$"])
            own_postgres._proc.wait()
        else:
            real_spawn(run_as)

    monkeypatch.setattr(own_postgres, "_spawn", spawn)
    own_postgres.start()
    assert len(spawned) == 2
    assert own_postgres.is_running


def test_postgres_stop_frees_its_port(own_postgres: PostgresServer) -> None:
    own_postgres.stop()
    assert not own_postgres.is_running
    assert not port_is_open("127.0.0.1", own_postgres.port)


# --- PostgreSQL password -----------------------------------------------------------------------


async def _connect_refused_without_password(server: PostgresServer) -> str:
    """The error a passwordless connection to `server` gets, over TCP and over its unix socket."""
    with pytest.raises(asyncpg.InvalidPasswordError) as tcp:
        await asyncpg.connect(host="127.0.0.1", port=server.port, user="postgres", database="postgres", password="")
    with pytest.raises((asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError)):
        await asyncpg.connect(host=str(server.socket_dir), port=server.port, user="postgres", database="postgres")
    return str(tcp.value)


async def _works_with_the_password(server: PostgresServer) -> None:
    conn = await asyncpg.connect(server.url("postgres", driver="postgresql"))
    try:
        assert await conn.fetchval("select 1") == 1
    finally:
        await conn.close()


async def test_postgres_with_a_password_refuses_passwordless_connections() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="rr-test-pg-"))
    server = PostgresServer(data_dir, password="rr" + uuid.uuid4().hex)
    try:
        server.start()
        assert "password authentication failed" in await _connect_refused_without_password(server)
        await _works_with_the_password(server)
        server.create_database("rapidreview")  # psql passes the password too
        assert server.psql("select current_user").strip() == "postgres"
        assert server.password not in server.display_url() and ":***@" in server.display_url()
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


async def test_a_cluster_made_without_a_password_gets_one_on_its_next_start() -> None:
    """Data folders from before passwords (trust) are closed on the first start with one."""
    data_dir = Path(tempfile.mkdtemp(prefix="rr-test-pg-"))
    trusting = PostgresServer(data_dir)
    secured = PostgresServer(data_dir, trusting.port, password="rr" + uuid.uuid4().hex)
    try:
        trusting.start()
        trusting.psql("create table kept (x int); insert into kept values (1)")
        trusting.stop()
        secured.start()
        await _connect_refused_without_password(secured)
        assert secured.psql("select x from kept").strip() == "1"
        secured.restart()  # and it stays closed
        await _connect_refused_without_password(secured)
        await _works_with_the_password(secured)
    finally:
        trusting.stop()
        secured.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def test_postgres_refuses_a_password_that_would_need_quoting() -> None:
    with pytest.raises(ValueError):
        PostgresServer(Path(tempfile.gettempdir()) / "never-created", password="x' OR '1'='1")


def test_the_embedded_stack_gives_postgres_the_generated_password_kept_with_its_credentials(tmp_path: Path) -> None:
    from rapidreview.stack.supervisor import EmbeddedStack

    stack = EmbeddedStack(tmp_path / "rr-data", services=[])
    password = stack.credentials.postgres_password
    assert len(password) >= 32 and stack.postgres.password == password
    assert (stack.credentials.postgres_password_file.stat().st_mode & 0o777) == 0o600
    assert f"postgres:{password}@" in stack.database_url
    assert EmbeddedStack(tmp_path / "rr-data", services=[]).credentials.postgres_password == password  # kept, not regenerated
