"""The access log on a real PostgreSQL: one entry the database would refuse never
holds up the others (issue 14 §2: a token `sub` of 300 characters, or with a NUL,
made every later flush fail, so no later call by anyone was recorded)."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData, select, text

from rapidreview.kernel import access_log as access_log_module
from rapidreview.kernel.access_log import REPLACEMENT, AccessLog, access_log_table
from rapidreview.kernel.auth import Principal, Role
from rapidreview.kernel.db import Database

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
