"""`Database.snapshot()`, on a real server: every statement of a snapshot sees the database as it
was at the first one, where an ordinary transaction's next statement sees what others committed
meanwhile; a write in a snapshot is refused and stores nothing; and the connection it ran on
serves the next ordinary transaction at the ordinary isolation level."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, func, select, text
from sqlalchemy.exc import DBAPIError

from rapidreview.kernel.db import Database

pytestmark = pytest.mark.integration

_md = MetaData()
ROWS = Table("snapshot_rows", _md, Column("id", Integer, primary_key=True))
# Built once and run with a parameter dict, as the services' statements are: after its first run it
# goes to the driver directly (kernel.direct), so both paths are read under the snapshot.
COUNT_FROM = select(func.count()).select_from(ROWS).where(ROWS.c.id >= bindparam("least"))


@pytest.fixture
async def db(fresh_database):  # type: ignore[no-untyped-def]
    """A Database with one table of one row."""
    database = Database(fresh_database)
    async with database.transaction() as session:
        await session.execute(text("CREATE TABLE snapshot_rows (id int PRIMARY KEY)"))
        await session.execute(text("INSERT INTO snapshot_rows VALUES (1)"))
    yield database
    await database.dispose()


async def _insert(db: Database, row_id: int) -> None:
    async with db.transaction() as session:
        await session.execute(text("INSERT INTO snapshot_rows VALUES (:id)"), {"id": row_id})


async def _count(session) -> int:  # type: ignore[no-untyped-def]
    return (await session.execute(COUNT_FROM, {"least": 0})).scalar_one()


async def test_every_statement_of_a_snapshot_sees_the_first_ones_moment_not_what_commits_meanwhile(db):
    async with db.snapshot() as snap:
        assert await _count(snap) == 1
        await _insert(db, 2)  # committed by another transaction between the two reads
        assert await _count(snap) == 1
        assert (await snap.execute(text("SELECT count(*) FROM snapshot_rows"))).scalar_one() == 1
    async with db.transaction() as ordinary:
        assert await _count(ordinary) == 2
        await _insert(db, 3)
        assert await _count(ordinary) == 3  # READ COMMITTED: the next statement sees the new row


async def test_a_write_in_a_snapshot_is_refused_and_stores_nothing(db):
    with pytest.raises(DBAPIError, match="read-only transaction"):
        async with db.snapshot() as snap:
            await snap.execute(text("INSERT INTO snapshot_rows VALUES (9)"))
    async with db.transaction() as session:
        assert await _count(session) == 1


async def test_the_connection_a_snapshot_ran_on_serves_the_next_transaction_at_read_committed_and_writable(db):
    async with db.snapshot() as snap:
        assert (await snap.execute(text("SHOW transaction_isolation"))).scalar_one() == "repeatable read"
        backend = (await snap.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    async with db.transaction() as session:
        assert (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one() == backend  # the same, kept connection
        assert (await session.execute(text("SHOW transaction_isolation"))).scalar_one() == "read committed"
        assert (await session.execute(text("SHOW transaction_read_only"))).scalar_one() == "off"
        await session.execute(text("INSERT INTO snapshot_rows VALUES (2)"))
