"""Transactions PostgreSQL ends for a concurrent one (a deadlock it detected and broke), on a
real server: `Database.retrying` runs such work again, so an RPC that locks many rows (criteria's
ImportEarlierReviews locks every open case of a partnership) does not fail because a group of
events held some of them in another order; what is not a conflict is not run again; a conflict
that outlasts the attempts reaches the caller as ABORTED, not INTERNAL."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from sqlalchemy import text

from rapidreview.kernel.db import Database
from rapidreview.kernel.grpc_errors import aborted_status, transaction_conflict

pytestmark = pytest.mark.integration


async def _table(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE IF NOT EXISTS conflict_rows (id int PRIMARY KEY, n int NOT NULL)"))
        await session.execute(text("TRUNCATE conflict_rows"))
        await session.execute(text("INSERT INTO conflict_rows VALUES (1, 0), (2, 0)"))


async def _rows(db: Database) -> dict[int, int]:
    async with db.transaction() as session:
        return dict((await session.execute(text("SELECT id, n FROM conflict_rows"))).all())


async def test_work_that_meets_a_deadlock_runs_again_and_its_effect_is_stored_once(fresh_database):
    db = Database(fresh_database)
    try:
        await _table(db)
        first_locked, second_locked = asyncio.Event(), asyncio.Event()
        runs = 0

        async def locks_1_then_2() -> str:
            nonlocal runs
            runs += 1
            async with db.transaction() as session:
                await session.execute(text("UPDATE conflict_rows SET n = n + 1 WHERE id = 1"))
                first_locked.set()
                if runs == 1:
                    await asyncio.wait_for(second_locked.wait(), 10)
                await session.execute(text("UPDATE conflict_rows SET n = n + 1 WHERE id = 2"))
            return "done"

        async def locks_2_then_1() -> None:
            async with db.transaction() as session:
                await asyncio.wait_for(first_locked.wait(), 10)
                await session.execute(text("UPDATE conflict_rows SET n = n + 10 WHERE id = 2"))
                second_locked.set()
                await session.execute(text("UPDATE conflict_rows SET n = n + 10 WHERE id = 1"))

        retried, other = await asyncio.gather(db.retrying(locks_1_then_2), locks_2_then_1(), return_exceptions=True)
        # PostgreSQL broke the deadlock by failing one of the two; whichever it was, the retried
        # work ended done, and every effect that committed is there exactly once.
        assert retried == "done"
        rows = await _rows(db)
        if isinstance(other, BaseException):
            # The other failed: the retried work's effect alone, once. It ran once when the other
            # was PostgreSQL's only victim, twice when both backends' deadlock checks failed their
            # own transaction (seen on a loaded machine: each check found the cycle).
            assert transaction_conflict(other) and runs in (1, 2) and rows == {1: 1, 2: 1}
        else:
            assert runs == 2 and rows == {1: 11, 2: 11}
    finally:
        await db.dispose()


async def test_a_failure_that_is_not_a_conflict_is_not_run_again(fresh_database):
    db = Database(fresh_database)
    try:
        await _table(db)
        runs = 0

        async def duplicate_key() -> None:
            nonlocal runs
            runs += 1
            async with db.transaction() as session:
                await session.execute(text("UPDATE conflict_rows SET n = 5 WHERE id = 1"))
                await session.execute(text("INSERT INTO conflict_rows VALUES (2, 0)"))

        with pytest.raises(Exception) as failure:
            await db.retrying(duplicate_key)
        assert runs == 1 and not transaction_conflict(failure.value)
        assert await _rows(db) == {1: 0, 2: 0}  # rolled back
    finally:
        await db.dispose()


async def test_a_conflict_every_time_is_raised_after_the_attempts(fresh_database):
    db = Database(fresh_database)
    try:
        runs = 0

        async def always_a_deadlock() -> None:
            nonlocal runs
            runs += 1
            async with db.transaction() as session:
                await session.execute(text("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40P01'; END $$"))

        with pytest.raises(Exception) as failure:
            await db.retrying(always_a_deadlock, attempts=3)
        assert runs == 3 and transaction_conflict(failure.value)
        status = aborted_status("req-1")
        assert status.code is grpc.StatusCode.ABORTED and "retry" in status.details and "req-1" in status.details
    finally:
        await db.dispose()


async def test_an_rpc_whose_transaction_conflicts_to_the_end_answers_aborted_not_internal(fresh_database):
    """The API interceptor answers a transaction conflict that outlasted the handler's attempts
    with ABORTED (retry: nothing was stored), not INTERNAL (a bug)."""
    from rapidreview.kernel.auth import Principal, Role, Scope
    from rapidreview.kernel.server import ApiInterceptor

    db = Database(fresh_database)
    method = "/rapidreview.test.Conflict/Work"

    async def handler(request: bytes, context) -> bytes:  # type: ignore[no-untyped-def]
        async def deadlock() -> None:
            async with db.transaction() as session:
                await session.execute(text("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40P01'; END $$"))
        await db.retrying(deadlock, attempts=2)
        return request

    principal = Principal(subject="bu", role=Role.BUSINESS_UNIT, partnership="leeds")
    interceptor = ApiInterceptor(lambda metadata, context: principal, {method: {Role.BUSINESS_UNIT: Scope.OWN_PARTNERSHIP}})
    server = grpc.aio.server(interceptors=[interceptor])
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
        "rapidreview.test.Conflict", {"Work": grpc.unary_unary_rpc_method_handler(handler)})])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            with pytest.raises(grpc.aio.AioRpcError) as failure:
                await channel.unary_unary(method)(b"x", timeout=10)
        assert failure.value.code() is grpc.StatusCode.ABORTED
        assert "retry" in (failure.value.details() or "") and "40P01" not in (failure.value.details() or "")
    finally:
        await server.stop(None)
        await db.dispose()
