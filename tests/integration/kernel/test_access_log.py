"""The access log on a real PostgreSQL: one entry the database would refuse never
holds up the others (issue 14 §2: a token `sub` of 300 characters, or with a NUL,
made every later flush fail, so no later call by anyone was recorded)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import MetaData, select, text

from rapidreview.kernel import access_log as access_log_module
from rapidreview.kernel.access_log import REPLACEMENT, AccessLog, AccessLogServicer, access_log_table
from rapidreview.kernel.auth import Grant, Principal, Role, Scope, reset_current_grant, set_current_grant
from rapidreview.kernel.db import Database
from rapidreview.v1.access_log_pb2 import ListAccessLogRequest
from tests.support.harness import eventually

pytestmark = pytest.mark.integration

CASE = "6f1c1f8e-0a3c-4b9e-9a43-3f2c5b0f6d1e"


class Request:
    case_id = CASE


async def _log(database_url: str, schema: str) -> AccessLog:
    md = MetaData(schema=schema)
    table = access_log_table(md)
    db = Database(database_url)
    async with db.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        await conn.run_sync(md.create_all)
    return AccessLog(db, table, service="intake")


async def _rows(log: AccessLog) -> list:  # type: ignore[type-arg]
    async with log.db.transaction() as s:
        return (await s.execute(select(log.table).order_by(log.table.c.id))).all()


def _principal(subject: str, partnership: str = "leeds") -> Principal:
    return Principal(subject=subject, role=Role.BUSINESS_UNIT, partnership=partnership)


async def test_an_entry_with_values_postgresql_refuses_is_stored_replaced_and_flagged_and_later_calls_are_logged(fresh_database):
    log = await _log(fresh_database, "k_access_log")
    try:
        log.record("/rapidreview.v1.IntakeService/GetIncident", _principal("x" * 300), Request(), "OK", "r1")
        log.record("/rapidreview.v1.IntakeService/GetIncident", _principal("a\x00b", "lee\x00ds"), Request(), "OK", "r2")
        log.record("/rapidreview.v1.IntakeService/GetIncident", _principal("bu-system"), Request(), "OK", "r3")
        await log.flush()
        log.record("/rapidreview.v1.IntakeService/ListIncidents", _principal("auditor-system"), None, "OK", "r4")
        await log.flush()
        rows = await _rows(log)
        assert [r.request_id for r in rows] == ["r1", "r2", "r3", "r4"]
        assert rows[0].subject == "x" * 200 and rows[0].values_replaced
        assert (rows[1].subject, rows[1].partnership, rows[1].values_replaced) == (f"a{REPLACEMENT}b", f"lee{REPLACEMENT}ds", True)
        assert not rows[2].values_replaced and not rows[3].values_replaced
        assert log._pending == []
    finally:
        await log.db.dispose()


async def test_a_batch_the_database_refuses_is_written_entry_by_entry_so_one_bad_entry_never_blocks_the_rest(fresh_database, monkeypatch):
    """The second line: should a value the database refuses get past `storable`, the
    batch is written one entry at a time, and the refused entry with its caller values
    replaced — as the old code did, every entry would otherwise wait behind it forever."""
    log = await _log(fresh_database, "k_access_log_batch")
    monkeypatch.setattr(access_log_module, "storable", lambda value, length: (value, False))
    try:
        log.record("/rapidreview.v1.IntakeService/GetIncident", _principal("before"), Request(), "OK", "r1")
        log.record("/rapidreview.v1.IntakeService/GetIncident", _principal("nul\x00in-sub"), Request(), "OK", "r2")
        log.record("/rapidreview.v1.IntakeService/GetIncident", _principal("after"), Request(), "OK", "r3")
        await log.flush()
        log.record("/rapidreview.v1.IntakeService/ListIncidents", _principal("later"), None, "OK", "r4")
        await log.flush()
        rows = await _rows(log)
        assert [(r.subject, r.values_replaced) for r in rows] == [
            ("before", False), (REPLACEMENT, True), ("after", False), ("later", False)]
        assert rows[1].method == "/rapidreview.v1.IntakeService/GetIncident" and rows[1].code == "OK"
        assert log._pending == []
    finally:
        await log.db.dispose()


async def test_entries_wait_while_the_database_is_away_and_are_written_when_it_returns(fresh_database):
    log = await _log(fresh_database, "k_access_log_away")
    good = log.db
    log.db = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")  # nothing listens there
    try:
        log.record("/rapidreview.v1.IntakeService/GetIncident", _principal("bu-system"), Request(), "OK", "r1")
        await log.flush()
        assert len(log._pending) == 1  # kept, not given up
        await log.db.dispose()
        log.db = good
        await log.flush()
        assert [r.request_id for r in await _rows(log)] == ["r1"]
    finally:
        await good.dispose()


async def test_a_flush_writes_its_entries_in_one_statement_in_the_order_they_were_recorded(fresh_database):
    """A flush of many entries is one INSERT, not one per entry (the driver's executemany
    would send each as a statement of its own)."""
    from tests.support.statements import StatementCounter

    log = await _log(fresh_database, "k_access_log_one_statement")
    try:
        for n in range(25):
            log.record("/rapidreview.v1.IntakeService/GetIncident", _principal(f"caller-{n}"), Request(), "OK", f"r{n}")
        with StatementCounter(log.db) as counter:
            await log.flush()
        inserts = [s for s in counter.executed if s.lstrip().upper().startswith("INSERT")]
        assert len(inserts) == 1, len(inserts)
        assert counter.uncacheable == []
        assert [r.subject for r in await _rows(log)] == [f"caller-{n}" for n in range(25)]
    finally:
        await log.db.dispose()


class _CommitHeld:
    """A replica's Database whose transactions wait, after their statements, for `release`
    before they commit (`written` is set then)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.written, self.release = asyncio.Event(), asyncio.Event()

    @contextlib.asynccontextmanager
    async def transaction(self):  # type: ignore[no-untyped-def]
        async with self.db.transaction() as session:
            yield session
            self.written.set()
            await self.release.wait()

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.db, name)


async def _listed(log: AccessLog, page_size: int) -> list[str]:
    """Every request id ListAccessLog gives an auditor of leeds, page after page (newest first)."""
    servicer = AccessLogServicer(log)
    auditor = Grant(Principal(subject="auditor", role=Role.AUDITOR, partnership="leeds"), Scope.OWN_PARTNERSHIP)
    token, out = "", []
    while True:
        grant = set_current_grant(auditor)
        try:
            page = await servicer.ListAccessLog(ListAccessLogRequest(page_size=page_size, page_token=token), None)  # type: ignore[arg-type]
        finally:
            reset_current_grant(grant)
        out += [e.request_id for e in page.entries]
        if not page.next_page_token:
            return out
        token = page.next_page_token


async def test_a_flush_that_took_lower_ids_and_commits_late_is_not_paged_past(fresh_database):
    """Three replicas flush: the first commits, the second takes its ids and is slow to commit,
    the third flushes meanwhile. An auditor paging through the log meanwhile must not pass ids
    the slow flush will commit later: the third waits for it, so the log only ever grows at the
    top. Before, the third committed first and a reader paged past the second's ids, whose
    entries that reader never saw."""
    first = await _log(fresh_database, "k_access_log_order")
    held = _CommitHeld(Database(fresh_database))
    second = AccessLog(held, first.table, service="intake")  # type: ignore[arg-type]
    third = AccessLog(Database(fresh_database), first.table, service="intake")
    try:
        for log, name in ((first, "a"), (second, "b"), (third, "c")):
            for n in range(3):
                log.record("/rapidreview.v1.IntakeService/GetIncident", _principal(f"{name}{n}"), Request(), "OK", f"{name}{n}")
        await first.flush()
        slow = asyncio.create_task(second.flush())
        await asyncio.wait_for(held.written.wait(), 10)
        meanwhile = asyncio.create_task(third.flush())

        async def flushed_or_waiting() -> bool:
            if meanwhile.done():
                return True
            async with first.db.transaction() as s:
                return bool((await s.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")))
                            .scalar_one())

        await eventually(flushed_or_waiting, what="the third flush to commit or to wait for the second")
        seen = await _listed(first, page_size=2)  # an auditor reads the log while the second has not committed
        held.release.set()
        await asyncio.gather(slow, meanwhile)
        everything = await _listed(first, page_size=100)
        assert sorted(everything) == ["a0", "a1", "a2", "b0", "b1", "b2", "c0", "c1", "c2"]
        # What the auditor had not seen yet is all above what it had: a new read from the top finds it.
        assert everything[len(everything) - len(seen):] == seen
    finally:
        held.release.set()
        for db in (first.db, held.db, third.db):
            await db.dispose()
