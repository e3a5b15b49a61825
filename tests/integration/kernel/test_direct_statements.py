"""Statements run on the driver directly (`kernel.direct`), on a real PostgreSQL: a statement
built once and executed again runs on asyncpg inside the transaction SQLAlchemy began, and
answers, fails and is counted exactly as SQLAlchemy's own execution of it would."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Enum,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    bindparam,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import create_async_engine

from rapidreview.kernel.db import Database
from rapidreview.kernel.grpc_errors import transaction_conflict
from tests.support.statements import StatementCounter

pytestmark = pytest.mark.integration


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Reversed(TypeDecorator):  # type: ignore[type-arg]
    """Processes on the way in and out, as the services' encrypted columns do."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        return None if value is None else value[::-1]

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        return None if value is None else value[::-1]


metadata = MetaData()
things = Table(
    "things", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Uuid, nullable=False, unique=True),
    Column("name", Reversed, nullable=False),
    Column("body", JSONB, nullable=False),
    Column("colour", Enum(Colour, name="colour"), nullable=False),
    Column("amount", Numeric(10, 2), nullable=False),
    Column("flag", Boolean, nullable=False),
    Column("tags", ARRAY(String), nullable=False),
    Column("blob", LargeBinary, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
with_default = Table("with_default", metadata, Column("key", Uuid, primary_key=True, default=uuid.uuid4),
                     Column("n", Integer))

# Built once, as the services' hot statements are.
INSERT = insert(things).values(**{name: bindparam(f"b_{name}") for name in
                                  ("key", "name", "body", "colour", "amount", "flag", "tags", "blob")}).returning(things)
BY_KEY = select(things).where(things.c.key == bindparam("key"))
BY_COLOUR = select(things.c.name, things.c.amount).where(things.c.colour == bindparam("colour")).order_by(things.c.id)
RENAME = update(things).where(things.c.colour == bindparam("b_colour")).values(name=bindparam("new_name"))
COUNT = select(func.count()).select_from(things)
TRANSACTION_ID = select(func.txid_current())
SLEEP = text("SELECT pg_sleep(:seconds)")
ADD_DEFAULTED = insert(with_default).values(n=bindparam("n"))


def a_thing(n: int, colour: Colour = Colour.RED) -> dict[str, object]:
    """The INSERT's parameters for a row (bind names are the columns' with "b_" before them)."""
    return {"b_key": uuid.uuid4(), "b_name": f"name {n}", "b_body": {"n": n, "list": [1, "two"], "nested": {"x": None}},
            "b_colour": colour, "b_amount": Decimal("12.34") + n, "b_flag": n % 2 == 0, "b_tags": ["a", f"t{n}"],
            "b_blob": bytes([n % 256]) * 5}


def row_values(n: int) -> dict[str, object]:
    return {key[2:]: value for key, value in a_thing(n).items()}


@pytest.fixture
async def db(fresh_database):  # type: ignore[no-untyped-def]
    database = Database(fresh_database, ping_after_idle=3600)
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield database
    finally:
        await database.dispose()


async def both_ways(db: Database, statement, parameters=None):  # type: ignore[no-untyped-def]
    """(SQLAlchemy's result rows, the direct result rows) of the same statement, in one transaction."""
    async with db.transaction() as tx:
        through_sqlalchemy = (await tx.connection.execute(statement, parameters)).all()
        direct_before = db.plans.direct
        await tx.execute(statement, parameters)  # first sight: SQLAlchemy
        direct = (await tx.execute(statement, parameters)).all()
        assert db.plans.direct == direct_before + 1, "the second execution ran on the driver"
    return through_sqlalchemy, direct


async def test_a_statement_executed_again_runs_on_the_driver_and_answers_as_sqlalchemy_does(db):
    async with db.transaction() as tx:
        for n in range(3):
            await tx.execute(INSERT, a_thing(n, Colour.RED if n < 2 else Colour.BLUE))
    assert db.plans.direct == 2  # the INSERT's second and third executions
    key = a_thing(9)["b_key"]
    async with db.transaction() as tx:
        inserted = (await tx.execute(INSERT, {**a_thing(9), "b_key": key})).one()
    assert db.plans.direct == 3
    assert inserted.name == "name 9" and inserted.colour is Colour.RED
    assert inserted.body == {"n": 9, "list": [1, "two"], "nested": {"x": None}}
    assert inserted.amount == Decimal("21.34") and inserted.tags == ["a", "t9"] and inserted.blob == b"\x09" * 5
    assert isinstance(inserted.at, dt.datetime) and inserted.at.tzinfo is not None

    sa_rows, direct_rows = await both_ways(db, BY_KEY, {"key": key})
    assert direct_rows == sa_rows and len(direct_rows) == 1
    row = direct_rows[0]
    assert row.key == key and isinstance(row.key, uuid.UUID) and type(row.key) is type(sa_rows[0].key)
    assert row._mapping[things.c.name] == "name 9" and row._mapping["colour"] is Colour.RED
    assert [type(value) for value in row] == [type(value) for value in sa_rows[0]]

    sa_rows, direct_rows = await both_ways(db, BY_COLOUR, {"colour": Colour.RED})
    assert direct_rows == sa_rows == [("name 0", Decimal("12.34")), ("name 1", Decimal("13.34")), ("name 9", Decimal("21.34"))]

    async with db.transaction() as tx:
        assert (await tx.execute(COUNT)).scalar_one() == 4
        assert (await tx.execute(COUNT)).scalar_one() == 4
        mapping = (await tx.execute(BY_KEY, {"key": key})).mappings().one()
        assert mapping["name"] == "name 9" and set(mapping.keys()) == {c.name for c in things.c}
        assert (await tx.execute(BY_KEY, {"key": key})).scalars().all() == [inserted.id]
        await tx.execute(RENAME, {"b_colour": Colour.BLUE, "new_name": "x"})
        renamed = await tx.execute(RENAME, {"b_colour": Colour.RED, "new_name": "renamed"})
        assert renamed.rowcount == 3
        assert (await tx.connection.execute(select(things.c.name).where(things.c.colour == Colour.RED))).scalars().all() \
            == ["renamed"] * 3  # stored through the type's bind processor, read back through SQLAlchemy


async def test_a_statement_built_per_call_lists_of_parameters_and_python_defaults_stay_with_sqlalchemy(db):
    async with db.transaction() as tx:
        for n in range(3):
            await tx.execute(select(things).where(things.c.id == n))  # a new object every time
        await tx.execute(INSERT, a_thing(1))
        await tx.execute(insert(things), [row_values(n) for n in (2, 3)])
        await tx.execute(insert(things), [row_values(n) for n in (4, 5)])
        for n in range(3):
            await tx.execute(ADD_DEFAULTED, {"n": n})  # a key made in Python for each row
        assert db.plans.direct == 0
        keys = (await tx.execute(select(with_default.c.key))).scalars().all()
    assert len(set(keys)) == 3 and all(isinstance(key, uuid.UUID) for key in keys)


async def test_planned_statements_run_in_the_transaction_sqlalchemy_began_and_roll_back_with_it(db):
    async with db.transaction() as tx:
        await tx.execute(TRANSACTION_ID)
    async with db.transaction() as tx:  # the driver's BEGIN comes from the planned statement
        first = (await tx.execute(TRANSACTION_ID)).scalar_one()
        await tx.execute(INSERT, a_thing(1))
        await tx.execute(INSERT, a_thing(2))
        assert (await tx.execute(TRANSACTION_ID)).scalar_one() == first
        assert (await tx.connection.execute(text("SELECT txid_current()"))).scalar_one() == first
    assert db.plans.direct >= 3

    class Refused(Exception):
        pass

    with pytest.raises(Refused):
        async with db.transaction() as tx:
            await tx.execute(INSERT, a_thing(3))  # the transaction's first statement, on the driver
            raise Refused
    async with db.transaction() as tx:
        assert (await tx.connection.execute(select(func.count()).select_from(things))).scalar_one() == 2
        assert (await tx.execute(TRANSACTION_ID)).scalar_one() != first


async def test_a_failing_planned_statement_raises_as_sqlalchemy_does_with_its_parameters_hidden(db):
    thing = a_thing(1)
    thing["b_name"] = "personal detail 0123"
    async with db.transaction() as tx:
        await tx.execute(INSERT, thing)
    with pytest.raises(sa_exc.IntegrityError) as raised:
        async with db.transaction() as tx:
            await tx.execute(INSERT, {**a_thing(2), "b_name": "personal detail 0123", "b_key": thing["b_key"]})
    assert db.plans.direct == 1, "the duplicate ran on the driver"
    assert getattr(raised.value.orig, "sqlstate", None) == "23505"
    assert "personal detail" not in str(raised.value) and "[SQL parameters hidden" in str(raised.value)
    assert raised.value.statement.startswith("INSERT INTO things")
    # the connection is sound and kept: the next transaction uses it
    async with db.transaction() as tx:
        assert (await tx.execute(COUNT)).scalar_one() == 1


async def test_a_deadlock_on_a_planned_statement_is_recognised_as_a_transaction_conflict(db):
    async with db.transaction() as tx:
        await tx.execute(INSERT, a_thing(1, Colour.RED))
        await tx.execute(INSERT, a_thing(2, Colour.BLUE))
    lock = update(things).where(things.c.colour == bindparam("b_colour")).values(flag=True)
    async with db.transaction() as tx:  # planned from here on
        await tx.execute(lock, {"b_colour": Colour.RED})
        await tx.execute(lock, {"b_colour": Colour.RED})
    first_locked = [asyncio.Event(), asyncio.Event()]

    async def locker(mine: Colour, theirs: Colour, index: int) -> None:
        async with db.transaction() as tx:
            await tx.execute(lock, {"b_colour": mine})
            first_locked[index].set()
            await first_locked[1 - index].wait()
            await tx.execute(lock, {"b_colour": theirs})

    outcomes = await asyncio.gather(locker(Colour.RED, Colour.BLUE, 0), locker(Colour.BLUE, Colour.RED, 1),
                                    return_exceptions=True)
    failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert len(failures) == 1 and isinstance(failures[0], sa_exc.DBAPIError)
    assert transaction_conflict(failures[0])


async def test_a_connection_the_server_dropped_fails_a_planned_statement_once_then_is_replaced(db, fresh_database):
    async with db.transaction() as tx:
        await tx.execute(COUNT)
        await tx.execute(COUNT)
    engine = create_async_engine(fresh_database)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    finally:
        await engine.dispose()
    with pytest.raises(sa_exc.DBAPIError) as raised:
        async with db.transaction() as tx:
            await tx.execute(COUNT)
    assert raised.value.connection_invalidated
    async with db.transaction() as tx:  # a new connection
        assert (await tx.execute(COUNT)).scalar_one() == 0


async def test_a_planned_statement_cancelled_midway_leaves_no_connection_in_a_transaction(db):
    async with db.transaction() as tx:
        await tx.execute(SLEEP, {"seconds": 0})
        await tx.execute(SLEEP, {"seconds": 0})

    async def sleeper() -> None:
        async with db.transaction() as tx:
            await tx.execute(SLEEP, {"seconds": 30})

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(sleeper(), 0.5)
    for n in range(5):  # every connection the Database hands out afterwards is outside a transaction
        async with db.transaction() as tx:
            await tx.execute(INSERT, a_thing(n))
            assert (await tx.execute(TRANSACTION_ID)).scalar_one() == (await tx.execute(TRANSACTION_ID)).scalar_one()
    async with db.transaction() as tx:
        assert (await tx.execute(COUNT)).scalar_one() == 5


async def test_statement_counters_see_planned_statements(db):
    with StatementCounter(db) as counter:
        async with db.transaction() as tx:
            for _ in range(3):
                await tx.execute(COUNT)
    assert db.plans.direct == 2
    assert len(counter.statements) == 3 and counter.statements[2] == counter.statements[0]


BARE_INSERT = with_default.insert()  # its columns come from the parameters, as SQLAlchemy compiles it
BARE_UPDATE = with_default.update().where(with_default.c.key == bindparam("b_key"))


async def test_an_insert_or_update_is_planned_for_the_columns_each_execution_names(db):
    keys = [uuid.uuid4() for _ in range(4)]
    async with db.transaction() as tx:
        for key in keys[:2]:
            await tx.execute(BARE_INSERT, {"key": key, "n": 7})
        for key in keys[2:]:
            await tx.execute(BARE_INSERT, {"key": key})  # n left out: NULL, not the last plan's 7
        assert db.plans.direct == 2  # each set of columns: SQLAlchemy first, then the driver
        inserted = dict((await tx.execute(select(with_default.c.key, with_default.c.n))).all())
        assert inserted == {keys[0]: 7, keys[1]: 7, keys[2]: None, keys[3]: None}
        await tx.execute(BARE_UPDATE, {"b_key": keys[0], "n": 1})
        await tx.execute(BARE_UPDATE, {"b_key": keys[1], "n": 2})
        await tx.execute(BARE_UPDATE, {"b_key": keys[2], "key": keys[2], "n": 3})
        await tx.execute(BARE_UPDATE, {"b_key": keys[3], "key": keys[3], "n": 4})
        assert db.plans.direct == 4
        stored = dict((await tx.execute(select(with_default.c.key, with_default.c.n))).all())
    assert stored == {keys[0]: 1, keys[1]: 2, keys[2]: 3, keys[3]: 4}


deferred = Table("deferred", metadata, Column("n", Integer),
                 UniqueConstraint("n", name="uq_deferred_n", deferrable=True, initially="DEFERRED"))
ADD_DEFERRED = insert(deferred).values(n=bindparam("n"))
BACKEND = select(func.pg_backend_pid())


class TransactionEvents:
    """SQLAlchemy's begin, commit and rollback events of an engine, counted."""

    def __init__(self, db: Database) -> None:
        self.seen: list[str] = []
        self.engine = db.engine.sync_engine

    def __enter__(self) -> TransactionEvents:
        for name in ("begin", "commit", "rollback"):
            event.listen(self.engine, name, self._listener(name))
        return self

    def _listener(self, name: str):  # type: ignore[no-untyped-def]
        def seen(conn) -> None:  # type: ignore[no-untyped-def]
            self.seen.append(name)
        setattr(self, f"_{name}", seen)
        return seen

    def __exit__(self, *exc: object) -> None:
        for name in ("begin", "commit", "rollback"):
            event.remove(self.engine, name, getattr(self, f"_{name}"))


async def terminate(url: str, pid: int) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await engine.dispose()


async def test_a_transaction_is_begun_and_ended_on_the_driver_with_sqlalchemy_s_bookkeeping_and_events(db, fresh_database):
    class Refused(Exception):
        pass

    with TransactionEvents(db) as events:
        async with db.transaction() as tx:
            transaction = tx.sync_connection.get_transaction()
            assert transaction is not None and transaction.is_active and tx.in_transaction()
            await tx.execute(INSERT, a_thing(1))  # SQLAlchemy (first sight)
            await tx.execute(INSERT, a_thing(2))  # the driver
            await tx.connection.execute(insert(things).values(**row_values(3)))  # built here: SQLAlchemy
        assert events.seen == ["begin", "commit"]
        assert not transaction.is_active and tx.sync_connection.get_transaction() is None
        assert not tx.in_transaction()
        with pytest.raises(Refused):
            async with db.transaction() as tx:
                await tx.execute(INSERT, a_thing(4))
                raise Refused
        assert events.seen == ["begin", "commit", "begin", "rollback"]
        async with db.transaction() as tx:  # nothing run: nothing for the driver to end
            pass
        assert events.seen[-2:] == ["begin", "commit"]
    outside = create_async_engine(fresh_database)  # committed for everyone else, the rolled back row nowhere
    try:
        async with outside.connect() as conn:
            assert (await conn.execute(select(func.count()).select_from(things))).scalar_one() == 3
    finally:
        await outside.dispose()


async def test_a_commit_the_server_refuses_raises_as_sqlalchemy_does_and_keeps_the_connection(db):
    async with db.transaction() as tx:
        await tx.execute(ADD_DEFERRED, {"n": 0})
        kept = tx.sync_connection
    with pytest.raises(sa_exc.IntegrityError) as raised:
        async with db.transaction() as tx:
            await tx.execute(ADD_DEFERRED, {"n": 1})  # on the driver
            await tx.execute(ADD_DEFERRED, {"n": 1})  # the unique check waits for COMMIT
    assert getattr(raised.value.orig, "sqlstate", None) == "23505"
    assert raised.value.statement is None  # as SQLAlchemy reports a failed COMMIT
    async with db.transaction() as tx:
        assert tx.sync_connection is kept and not raised.value.connection_invalidated
        assert (await tx.execute(select(deferred.c.n))).scalars().all() == [0]


async def test_a_connection_dropped_before_its_commit_fails_the_commit_and_is_replaced(db, fresh_database):
    async with db.transaction() as tx:
        await tx.execute(BACKEND)
    with pytest.raises(sa_exc.DBAPIError) as raised:
        async with db.transaction() as tx:
            await tx.execute(INSERT, a_thing(1))
            await terminate(fresh_database, (await tx.execute(BACKEND)).scalar_one())
    assert raised.value.connection_invalidated and raised.value.statement is None
    async with db.transaction() as tx:  # a new connection; the row was never committed
        assert (await tx.execute(COUNT)).scalar_one() == 0
        assert not tx.sync_connection.invalidated


async def test_when_the_rollback_fails_the_block_s_own_error_is_raised_and_the_connection_replaced(db, fresh_database):
    class Refused(Exception):
        pass

    async with db.transaction() as tx:
        await tx.execute(BACKEND)
    with pytest.raises(Refused):
        async with db.transaction() as tx:
            await tx.execute(INSERT, a_thing(1))
            dropped = tx.sync_connection
            await terminate(fresh_database, (await tx.execute(BACKEND)).scalar_one())
            raise Refused
    assert dropped.invalidated or dropped.closed
    async with db.transaction() as tx:
        assert (await tx.execute(COUNT)).scalar_one() == 0
