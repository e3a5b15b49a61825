"""Database access: SQLAlchemy 2 async on PostgreSQL, one schema per service.

`Database` owns the engine and hands out transactions. Tables of a service live in
a MetaData bound to that service's schema; nothing reads another service's
schema. Parameters are hidden from SQLAlchemy's exception messages so that
personal data cannot leak into logs through an error.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import MetaData, String, bindparam, event, func, select, text
from sqlalchemy.sql import Select
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from rapidreview.kernel.direct import Plans
from rapidreview.kernel.logging import get_logger

log = get_logger(__name__)
T = TypeVar("T")

#: What the running task's innermost `Database.transaction()` runs once it has committed (`on_commit`).
_ON_COMMIT: ContextVar[list[Callable[[], None]] | None] = ContextVar("rr_db_on_commit", default=None)


def on_commit(callback: Callable[[], None]) -> bool:
    """Runs `callback` (synchronous, quick, not raising) once the transaction the running task
    is in (its innermost `Database.transaction()`) has committed; never when it rolls back.
    False, and nothing registered, when the task is in no such transaction."""
    pending = _ON_COMMIT.get()
    if pending is None:
        return False
    pending.append(callback)
    return True


def _committed(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception as exc:  # noqa: BLE001 - the transaction has committed: its caller must see success
            log.error("after-commit callback failed", exc_type=type(exc).__name__)



class Transaction:
    """What `Database.transaction()` yields and every storage function takes: a Core
    connection inside one transaction. `execute` takes Core statements and returns a `Result`
    as usual; a statement executed before with one parameter dict runs on the driver directly
    (`kernel.direct`), everything else through SQLAlchemy. Any other attribute is the
    connection's (`connection` is the `AsyncConnection` itself)."""

    __slots__ = ("connection", "_plans")

    def __init__(self, connection: AsyncConnection, plans: Plans) -> None:
        self.connection = connection
        self._plans = plans

    async def execute(self, statement: Any, parameters: Any = None, **kwargs: Any) -> Any:
        if not kwargs and (parameters is None or type(parameters) is dict):
            plan = self._plans.plan(statement, parameters)
            if plan is not None:
                return await self._plans.run(self.connection, plan, parameters)
        return await self.connection.execute(statement, parameters, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)


_SNAPSHOT = text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def advisory_xact_lock(*, shared: bool = False) -> Select:  # type: ignore[type-arg]
    """A statement that takes PostgreSQL's transaction-level advisory lock named by its parameter
    `l_key` (any text, hashed to the lock's 64-bit key), exclusive or `shared`; it is released when
    the transaction ends. Built once by its user and executed with {"l_key": ...}."""
    lock = func.pg_advisory_xact_lock_shared if shared else func.pg_advisory_xact_lock
    return select(lock(func.hashtextextended(bindparam("l_key", type_=String), 0)))


def service_metadata(schema: str) -> MetaData:
    """A MetaData whose tables all live in `schema`."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


class Database:
    """Engine and transactions for one service.

    **Kept connections.** A transaction runs on a Core connection (`AsyncConnection`) that
    the Database keeps between transactions, most recently used first, rather than one
    opened from the engine and closed again for every transaction: opening and closing a
    Core connection (a pool checkout and checkin, their events, three hops into
    SQLAlchemy's greenlet) cost about as much client CPU as the transaction's statement
    itself (docs/performance.md, sixth round). Everything that needs a connection goes
    through `transaction()` or `connection()`: the engine's pool holds no more than
    `pool_size` connections, and the kept ones count against it.

    **No overflow.** The engine's pool opens a connection when load needs it and keeps it,
    up to `pool_size`: a pool that closed every connection beyond a smaller resting size when
    it came back opened it again at the next burst, under steady load several a second, each
    a new PostgreSQL backend, an authentication and every statement prepared again.

    **Pinged after idling.** A kept connection idle for `ping_after_idle` seconds or more is
    pinged when it is taken, and replaced if the server does not answer (a restarted or
    failed-over PostgreSQL); so is one the engine's pool hands out after that long in it.
    SQLAlchemy's `pool_pre_ping` would ping on every checkout: three round trips (BEGIN, an
    empty query, ROLLBACK) before each transaction, about a third of a busy service's
    statements. A connection back in use within `ping_after_idle` is not pinged: if the
    server went away in that moment, the first statement on it fails (an RPC answers
    UNAVAILABLE, an event is retried), SQLAlchemy then replaces every connection of its pool,
    and the Database lets go of every connection it kept.
    """

    def __init__(self, url: str, *, pool_size: int = 20, echo: bool = False, ping_after_idle: float = 2.0) -> None:
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=0,
            pool_recycle=1800,
            hide_parameters=True,
            echo=echo,
        )
        self.max_connections = pool_size  #: connections this Database opens at most, and keeps
        self.ping_after_idle = ping_after_idle
        self.pings = 0  #: idle connections pinged before use (for tests and metrics)
        self._kept: list[tuple[AsyncConnection, float]] = []  # idle, with when each was last used; newest last
        self._slots = asyncio.Semaphore(pool_size)  # connections in use, kept or not
        self.plans = Plans(self.engine.dialect)  #: statements run on the driver directly (kernel.direct)
        event.listen(self.engine.sync_engine, "checkin", self._checked_in)
        event.listen(self.engine.sync_engine, "checkout", self._checking_out)

    @staticmethod
    def _checked_in(dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["rr_checked_in"] = time.monotonic()

    def _checking_out(self, dbapi_connection, record, proxy) -> None:  # type: ignore[no-untyped-def]
        checked_in = record.info.get("rr_checked_in")
        if checked_in is None or time.monotonic() - checked_in < self.ping_after_idle:
            return  # a new connection, or one in use a moment ago
        self.pings += 1
        try:
            dbapi_connection.ping()
        except Exception:  # noqa: BLE001 - any failure: the pool discards it and connects afresh
            raise sa_exc.DisconnectionError("pooled connection did not answer") from None

    async def _take(self) -> AsyncConnection:
        """A kept connection (pinged first when it idled long enough), else a new one."""
        while self._kept:
            conn, last_used = self._kept.pop()
            if time.monotonic() - last_used < self.ping_after_idle:
                return conn
            self.pings += 1
            try:
                raw = await conn.get_raw_connection()
                await raw.driver_connection.fetchval("SELECT 1")  # type: ignore[union-attr]
                return conn
            except Exception:  # noqa: BLE001 - gone: let the engine replace it, and the older ones too
                await self._let_go(conn, invalidate=True)
                await self._let_go_of_kept()
            except BaseException:  # cancelled while pinging: not kept, so give it back, then stop
                await self._let_go(conn, invalidate=True)
                raise
        return await self.engine.connect()

    def _keep(self, conn: AsyncConnection) -> None:
        self._kept.append((conn, time.monotonic()))

    async def _let_go(self, conn: AsyncConnection, *, invalidate: bool = False) -> None:
        """Gives `conn` back to the engine's pool (which discards it when it is broken)."""
        try:
            if invalidate and not conn.invalidated:
                await conn.invalidate()
            await conn.close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail; the pool copes
            log.info("a connection could not be closed cleanly")

    async def _let_go_of_kept(self) -> None:
        kept, self._kept = self._kept, []
        for conn, _ in kept:
            await self._let_go(conn)

    async def _after_failure(self, conn: AsyncConnection) -> None:
        """After a failed use of `conn`: keep it when it is sound and outside any transaction;
        otherwise let go of it, and of every kept one when the server dropped it."""
        if conn.invalidated:
            await self._let_go(conn)
            await self._let_go_of_kept()  # SQLAlchemy replaces its whole pool after a disconnect
        elif conn.closed or conn.in_transaction():
            await self._let_go(conn)
        else:
            self._keep(conn)

    @asynccontextmanager
    async def _held(self) -> AsyncIterator[AsyncConnection]:
        """A connection for the block, kept afterwards when it is sound. At most `pool_size`
        blocks hold one at a time: the others wait here, for a kept connection, not in the
        engine's pool, which never sees the kept ones come back."""
        async with self._slots:
            conn = await self._take()
            try:
                yield conn
            except Exception:
                await self._after_failure(conn)
                raise
            except BaseException:  # cancelled midway: the connection's state is not known
                await self._let_go(conn)
                raise
            self._keep(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """A connection inside one transaction: committed on success, rolled back on error.

        Handlers run SQLAlchemy Core statements (`execute`), so they are given the Core
        connection itself rather than an ORM session over it, whose per-statement work
        (ORM execution options, bind lookup, its own transaction bookkeeping) they never
        used (docs/performance.md measures the difference).

        SQLAlchemy's transaction is begun, committed and rolled back on the driver directly
        (`Plans.begin`, `commit`, `rollback` in `kernel.direct`), without the two hops into
        SQLAlchemy's greenlet its `AsyncConnection.begin()` takes.

        What the block registered with `on_commit` runs once the transaction has committed."""
        callbacks: list[Callable[[], None]] = []
        token = _ON_COMMIT.set(callbacks)
        try:
            async with self._held() as conn:
                transaction = self.plans.begin(conn)
                if transaction is None:  # not an ordinary connection now: SQLAlchemy's own path
                    async with conn.begin():
                        yield Transaction(conn, self.plans)
                else:
                    try:
                        yield Transaction(conn, self.plans)
                    except Exception:
                        await self.plans.rollback(conn, transaction)
                        raise
                    # Cancelled (BaseException): `_held` lets go of the connection, which SQLAlchemy rolls back.
                    await self.plans.commit(conn, transaction)
        finally:
            _ON_COMMIT.reset(token)
        _committed(callbacks)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Transaction]:
        """A read-only transaction whose statements all see the database as it was at the first
        one (REPEATABLE READ). Under the default READ COMMITTED each statement sees what was
        committed when it started, so two reads of rows that another transaction writes together
        (a list and the summary kept of it) can each see a different moment. A snapshot neither
        waits for writers nor makes them wait; a write in it is refused."""
        async with self.transaction() as transaction:
            await transaction.execute(_SNAPSHOT)
            yield transaction

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads outside an explicit transaction (SQLAlchemy begins one on
        the first statement; it is rolled back when the block ends)."""
        async with self._held() as conn:
            yield conn
            if conn.in_transaction():
                await conn.rollback()

    async def retrying(self, work: Callable[[], Awaitable[T]], attempts: int = 3) -> T:
        """Runs `work` (which opens its own transaction) and runs it again, up to `attempts`
        times in all, when PostgreSQL ended its transaction for a concurrent one (deadlock
        detected, serialization failure): that transaction stored nothing, so running it again
        is safe. For work that locks many rows in an order other writers may not share (every
        open case of a partnership); the last failure is raised (the RPC answers ABORTED)."""
        from rapidreview.kernel.grpc_errors import transaction_conflict

        for attempt in range(1, attempts + 1):
            try:
                return await work()
            except Exception as exc:
                if attempt == attempts or not transaction_conflict(exc):
                    raise
                log.info("transaction met a concurrent one; running it again", attempt=attempt, exc_type=type(exc).__name__)
        raise AssertionError("unreachable")

    async def ping(self, timeout: float = 2.0) -> bool:
        """True when the database answers `SELECT 1` within `timeout` seconds."""

        async def _ping() -> None:
            # On the driver's connection: one round trip, where `conn.execute` would add the
            # BEGIN and ROLLBACK of SQLAlchemy's implicit transaction (readiness asks twice a second).
            async with self._held() as conn:
                raw = await conn.get_raw_connection()
                try:
                    await raw.driver_connection.fetchval("SELECT 1")  # type: ignore[union-attr]
                except Exception:
                    await conn.invalidate()  # SQLAlchemy did not see it fail: tell it, so it is not kept
                    raise

        try:
            await asyncio.wait_for(_ping(), timeout)
            return True
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return False

    async def dispose(self, timeout: float = 5.0) -> None:
        """Closes pooled connections; connections to a server that went away
        can hang on a polite close, so give up on politeness after `timeout`."""
        try:
            await asyncio.wait_for(self._let_go_of_kept(), timeout)
        except TimeoutError:
            self._kept = []
        try:
            await asyncio.wait_for(self.engine.dispose(), timeout)
        except TimeoutError:
            await self.engine.dispose(close=False)
