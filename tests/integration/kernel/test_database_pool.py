"""The services' connection pool on a real PostgreSQL: an idle pooled connection is
checked before use and replaced when the server dropped it; a connection in steady
use is not pinged before every transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from rapidreview.kernel.db import Database
from rapidreview.kernel.grpc_errors import database_unavailable

pytestmark = pytest.mark.integration


async def drop_every_connection(url: str) -> int:
    """What a PostgreSQL restart or failover does to a pool: its server ends every session."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return len((await conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))).all())
    finally:
        await engine.dispose()


async def one_transaction(db: Database) -> int:
    async with db.transaction() as session:
        return (await session.execute(text("SELECT 1"))).scalar_one()


async def test_a_connection_in_steady_use_is_not_pinged_before_each_transaction(fresh_database):
    db = Database(fresh_database, ping_after_idle=3600)
    try:
        for _ in range(20):
            assert await one_transaction(db) == 1
        assert db.pings == 0
    finally:
        await db.dispose()


async def test_an_idle_connection_the_server_dropped_is_replaced_before_the_transaction_uses_it(fresh_database):
    db = Database(fresh_database, ping_after_idle=0)
    try:
        assert await one_transaction(db) == 1
        assert await drop_every_connection(fresh_database) >= 1
        assert await one_transaction(db) == 1  # pinged, found dead, replaced: the caller never knew
        assert db.pings >= 1
    finally:
        await db.dispose()


async def test_a_connection_dropped_while_in_steady_use_fails_once_then_the_whole_pool_is_replaced(fresh_database):
    db = Database(fresh_database, ping_after_idle=3600)
    try:
        assert await one_transaction(db) == 1
        await drop_every_connection(fresh_database)
        with pytest.raises(sa_exc.DBAPIError) as failure:
            await one_transaction(db)
        assert failure.value.connection_invalidated
        assert database_unavailable(failure.value)  # an RPC answers UNAVAILABLE; a consumer retries the event
        assert await one_transaction(db) == 1
        assert db.pings == 0
    finally:
        await db.dispose()


async def test_readiness_ping_answers_true_on_a_live_server_and_false_on_none(fresh_database):
    import socket

    db = Database(fresh_database)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    nowhere = Database(f"postgresql+asyncpg://rr:rr@127.0.0.1:{port}/rr")
    try:
        assert await db.ping() is True
        assert await db.ping() is True  # the connection went back to the pool usable
        assert await one_transaction(db) == 1
        assert await nowhere.ping(timeout=2.0) is False
    finally:
        await db.dispose()
        await nowhere.dispose()


async def test_connections_opened_for_a_burst_are_kept_for_the_next_one_not_reopened(fresh_database):
    """Under load a service runs more transactions at once than a small pool keeps; a pool
    that closes each extra connection when it comes back opens it again for the next burst
    (a new PostgreSQL backend, authentication, every statement prepared again)."""
    import asyncio

    from sqlalchemy import event

    db = Database(fresh_database)  # the services' pool
    most = db.max_connections
    opened = 0

    def connected(dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        nonlocal opened
        opened += 1

    event.listen(db.engine.sync_engine, "connect", connected)
    release = asyncio.Event()

    async def held_transaction() -> None:
        async with db.transaction() as session:
            await session.execute(text("SELECT 1"))
            await release.wait()

    async def burst() -> None:
        release.clear()
        tasks = [asyncio.create_task(held_transaction()) for _ in range(most)]
        async with asyncio.timeout(10):
            while db.engine.pool.checkedout() < most:  # type: ignore[attr-defined]
                await asyncio.sleep(0.01)
        release.set()
        await asyncio.gather(*tasks)

    try:
        await burst()
        assert opened == most
        await burst()
        assert opened == most, "the second burst opened connections again"
    finally:
        await db.dispose()


def count_checkouts(db: Database) -> list[int]:
    from sqlalchemy import event

    checkouts = [0]

    def checked_out(dbapi_connection, record, proxy) -> None:  # type: ignore[no-untyped-def]
        checkouts[0] += 1

    event.listen(db.engine.sync_engine, "checkout", checked_out)
    return checkouts


async def test_transactions_one_after_another_run_on_one_kept_connection_not_a_checkout_each(fresh_database):
    db = Database(fresh_database, ping_after_idle=3600)
    checkouts = count_checkouts(db)
    try:
        for _ in range(20):
            assert await one_transaction(db) == 1
        assert checkouts[0] == 1
    finally:
        await db.dispose()


async def test_a_transaction_that_failed_is_rolled_back_and_its_connection_serves_the_next(fresh_database):
    db = Database(fresh_database, ping_after_idle=3600)
    checkouts = count_checkouts(db)
    try:
        async with db.transaction() as session:
            await session.execute(text("CREATE TABLE kept_probe (n int)"))
        with pytest.raises(ValueError):
            async with db.transaction() as session:
                await session.execute(text("INSERT INTO kept_probe VALUES (1)"))
                raise ValueError("the handler refused")
        with pytest.raises(sa_exc.IntegrityError):
            async with db.transaction() as session:
                await session.execute(text("INSERT INTO kept_probe VALUES (2), (2)"))
                await session.execute(text("ALTER TABLE kept_probe ADD CONSTRAINT one_each UNIQUE (n)"))
        async with db.transaction() as session:
            assert (await session.execute(text("SELECT count(*) FROM kept_probe"))).scalar_one() == 0
        assert checkouts[0] == 1
    finally:
        await db.dispose()


async def test_a_transaction_cancelled_midway_stores_nothing_and_leaves_no_connection_in_a_transaction(fresh_database):
    import asyncio

    db = Database(fresh_database, ping_after_idle=3600)
    try:
        async with db.transaction() as session:
            await session.execute(text("CREATE TABLE cancel_probe (n int)"))
        started = asyncio.Event()

        async def slow() -> None:
            async with db.transaction() as session:
                await session.execute(text("INSERT INTO cancel_probe VALUES (1)"))
                started.set()
                await session.execute(text("SELECT pg_sleep(30)"))

        task = asyncio.create_task(slow())
        async with asyncio.timeout(10):
            await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with asyncio.timeout(10):
            async with db.transaction() as session:
                assert (await session.execute(text("SELECT count(*) FROM cancel_probe"))).scalar_one() == 0
                assert (await session.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state = 'idle in transaction'"))).scalar_one() == 0
    finally:
        await db.dispose()


async def test_a_kept_connection_whose_idle_ping_is_cancelled_goes_back_to_the_pool_not_left_checked_out(fresh_database):
    """A kept connection idle long enough is pinged before use; a caller cancelled during that
    ping (a deadline, a shutdown) must not leave it checked out of the engine's pool for good."""
    import asyncio
    import os
    import signal

    from tests.support.harness import eventually

    db = Database(fresh_database, pool_size=2, ping_after_idle=0)  # every kept connection is pinged
    try:
        async with db.transaction() as session:
            backend = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert db.engine.pool.checkedout() == 1  # kept: still out of the engine's pool
        os.kill(backend, signal.SIGSTOP)  # that session stops answering: the ping waits
        try:
            task = asyncio.create_task(one_transaction(db))

            async def pinging() -> bool:
                return db.pings >= 1

            await eventually(pinging, timeout=10, what="the kept connection's ping to start")
            await asyncio.sleep(0)  # the task is now waiting for the answer
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            os.kill(backend, signal.SIGCONT)
        assert db.engine.pool.checkedout() == 0  # given back (and discarded), not held for ever
        assert not db._kept
        assert await one_transaction(db) == 1  # and the next transaction gets a connection
    finally:
        await db.dispose()


async def test_more_transactions_at_once_than_connections_wait_their_turn_and_all_complete(fresh_database):
    """The kept connections go back to the Database, not to the engine's pool: a transaction
    waiting for a connection must be given a kept one, not wait on the pool until it times out."""
    import asyncio

    db = Database(fresh_database, pool_size=3)
    checkouts = count_checkouts(db)

    async def brief(n: int) -> int:
        async with db.transaction() as session:
            await asyncio.sleep(0.01)  # held a moment, so that the others queue behind it
            return (await session.execute(text("SELECT CAST(:n AS integer)"), {"n": n})).scalar_one()

    try:
        async with asyncio.timeout(10):
            assert await asyncio.gather(*(brief(n) for n in range(30))) == list(range(30))
        assert checkouts[0] == 3
    finally:
        await db.dispose()


async def test_the_embedded_server_accepts_every_connection_the_stack_and_its_replicas_may_keep(fresh_database):
    """Connections are kept once opened (up to `max_connections` a process): four services and
    the workspace, two replicas each as the scale-out benchmark runs them, must all fit."""
    db = Database(fresh_database)
    try:
        async with db.transaction() as session:
            limit = int((await session.execute(text("SHOW max_connections"))).scalar_one())
        assert limit >= 5 * 2 * db.max_connections
    finally:
        await db.dispose()


async def test_each_transaction_on_a_kept_connection_is_a_new_transaction_object(fresh_database):
    """Decisions and criteria keep what a transaction has locked keyed by SQLAlchemy's
    transaction object: on a kept connection the next transaction must not find it."""
    import gc
    from weakref import WeakKeyDictionary

    db = Database(fresh_database, ping_after_idle=3600)
    held: WeakKeyDictionary = WeakKeyDictionary()  # type: ignore[type-arg]
    try:
        async with db.transaction() as session:
            held[session.sync_connection.get_transaction()] = "row as the first transaction locked it"
            first = session.sync_connection
        gc.collect()
        async with db.transaction() as session:
            assert session.sync_connection is first  # the same kept connection
            assert session.sync_connection.get_transaction() not in held
        assert len(held) == 0  # the first transaction's entry went with it
    finally:
        await db.dispose()
