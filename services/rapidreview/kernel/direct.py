"""Statements run on the driver directly, compiled once: SQLAlchemy's statement, asyncpg's speed.

A service's hot statements are built once (module-level, with `bindparam`). Run through
SQLAlchemy's `AsyncConnection.execute`, each execution still pays SQLAlchemy's execution
layer: an execution context, its parameter processing, a cursor adapter, a result with its
metadata and two hops into SQLAlchemy's greenlet, about 140 us of client CPU a statement
against about 40 us for asyncpg running the same prepared statement (docs/performance.md,
eighth round). A `Plan` does what that layer does for a Core statement, once where it can:

- it compiles the statement once, with the engine's dialect (the same SQL text SQLAlchemy
  sends, so the same server-side prepared statement, from the same per-connection cache);
- each execution builds the parameters as SQLAlchemy would (`construct_params`, then each
  bind's type processor, in the compiled positional order), runs the prepared statement on
  the connection's asyncpg connection inside the transaction SQLAlchemy began (starting it
  on the driver when this is the transaction's first statement, as SQLAlchemy's cursor does),
  and returns an ordinary SQLAlchemy `Result` whose rows carry the compiled result columns'
  keys and type processors;
- errors come out as SQLAlchemy raises them (`sqlalchemy.exc.DBAPIError` subclasses with the
  driver's error as `orig`, parameters hidden), and a connection the server dropped is
  invalidated, as SQLAlchemy does;
- listeners of the engine's `before_cursor_execute` event see each statement (the tests that
  count statements use it);
- the transaction is SQLAlchemy's, begun without I/O and ended on the driver (COMMIT or
  ROLLBACK directly, then SQLAlchemy's bookkeeping and events, synchronously): `Plans.begin`,
  `commit` and `rollback`, which `Database.transaction()` uses.

Only what SQLAlchemy runs the same way is planned: a statement object executed a second time
(built once, not per call: one built per call would be compiled again each time here, where
SQLAlchemy finds it in its cache by its cache key), with one parameter dict (not a list:
executemany and insertmanyvalues stay with SQLAlchemy), positional, without expanding or
literal-execute parameters or Python-side defaults, and
whose result columns line up one to one with what the server returns. Everything else, and
any statement on a connection outside an explicit transaction, runs through SQLAlchemy as
before. SQLAlchemy stays the statement and mapping layer; this replaces only its execution of
statements it has already compiled. It relies on the asyncpg dialect's connection adapter
(its execution lock, transaction start, prepared-statement cache and error translation), so
the SQLAlchemy version is pinned and `tests/integration/kernel/test_direct_statements.py`
checks each of those behaviours against SQLAlchemy's own execution.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect, RootTransaction
from sqlalchemy.engine.result import IteratorResult, SimpleResultMetaData
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.util import greenlet_spawn

_ROWS = re.compile(r"(?:SELECT|UPDATE|DELETE|INSERT \d+|MERGE) (\d+)")


class DirectResult(IteratorResult):  # type: ignore[type-arg]
    """A `Result` of a planned statement; `rowcount` as the driver's status message says."""

    rowcount: int

    def __init__(self, metadata: SimpleResultMetaData, rows: list[Any], rowcount: int) -> None:
        super().__init__(metadata, iter(rows))
        self.rowcount = rowcount


_NO_COLUMNS = SimpleResultMetaData([])


class Plan:
    """One statement compiled for the dialect, ready to run on the driver."""

    __slots__ = ("statement", "sql", "compiled", "positions", "binds", "keys", "extras", "types", "metadata", "oids")

    def __init__(self, statement: Any, dialect: Dialect, column_keys: tuple[str, ...] = ()) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(column_keys)) if column_keys else \
            statement.compile(dialect=dialect)
        self.statement = statement
        self.compiled = compiled
        self.sql: str = compiled.string
        self.positions: tuple[str, ...] = tuple(compiled.positiontup or ())
        self.binds = compiled._bind_processors
        columns = compiled._result_columns or []
        self.keys = [column[0] for column in columns]
        self.extras = [column[2] for column in columns]
        self.types = [column[3] for column in columns]
        self.metadata: SimpleResultMetaData | None = None  # made at the first execution, from the server's column types
        self.oids: tuple[int, ...] | None = None

    @staticmethod
    def suitable(statement: Any, dialect: Dialect, column_keys: tuple[str, ...] = ()) -> Plan | None:
        """A plan for `statement`, or None when SQLAlchemy must run it (see the module's text)."""
        if not getattr(statement, "is_dml", False) and not getattr(statement, "is_select", False) and \
                not getattr(statement, "is_text", False):
            return None
        if getattr(statement, "_execution_options", None):
            return None
        try:
            plan = Plan(statement, dialect, column_keys)
        except Exception:  # noqa: BLE001 - whatever cannot be compiled alone stays with SQLAlchemy
            return None
        compiled = plan.compiled
        if not compiled.positional or compiled.literal_execute_params or compiled.post_compile_params \
                or compiled.insert_prefetch or compiled.update_prefetch \
                or compiled.escaped_bind_names or getattr(compiled, "_textual_ordered_columns", False) \
                or not getattr(compiled, "_ordered_columns", True) or len(set(plan.keys)) != len(plan.keys):
            return None
        return plan

    def result_metadata(self, dialect: Dialect, attributes: Any) -> SimpleResultMetaData | None:
        """The rows' metadata for the server's result columns, or None when they do not line
        up with the compiled ones (SQLAlchemy would match them by name then)."""
        oids = tuple(attribute.type.oid for attribute in attributes)
        if oids == self.oids and self.metadata is not None:
            return self.metadata
        if len(oids) != len(self.keys):
            return None
        processors = [type_._cached_result_processor(dialect, oid) for type_, oid in zip(self.types, oids)]
        metadata = SimpleResultMetaData(self.keys, extra=self.extras,
                                        _processors=processors if any(processors) else None) if self.keys else _NO_COLUMNS
        self.metadata, self.oids = metadata, oids
        return metadata

    def arguments(self, parameters: dict[str, Any] | None) -> list[Any]:
        values = self.compiled.construct_params(parameters, escape_names=False)
        binds = self.binds
        return [binds[key](values[key]) if key in binds else values[key] for key in self.positions]


class Plans:
    """The plans of one Database: a statement is planned at its second execution (so one built
    per call is never compiled here), and at most `size` statements are remembered, the least
    recently used forgotten first. Each entry holds its statement, so an id is not reused while
    it is remembered. An INSERT or UPDATE is planned for each set of parameter names it is run
    with, as SQLAlchemy compiles it: parameters named after columns the statement does not set
    add those columns (`table.insert()` run with a row's columns)."""

    def __init__(self, dialect: Dialect, size: int = 512) -> None:
        self.dialect = dialect
        self.size = size
        self._seen: OrderedDict[int, Any] = OrderedDict()
        self._plans: OrderedDict[int, tuple[Any, Plan | None]] = OrderedDict()
        self.direct = 0  #: statements sent to the driver directly (for tests and benchmarks)

    def plan(self, statement: Any, parameters: dict[str, Any] | None = None) -> Plan | None:
        column_keys: tuple[str, ...] = tuple(sorted(parameters)) if parameters and getattr(statement, "is_dml", False) else ()
        key: Any = (id(statement), column_keys) if column_keys else id(statement)
        entry = self._plans.get(key)
        if entry is not None and entry[0] is statement:
            return entry[1]
        seen = self._seen.get(key)
        if seen is not statement:
            self._seen[key] = statement
            if len(self._seen) > self.size:
                self._seen.popitem(last=False)
            return None
        del self._seen[key]
        plan = Plan.suitable(statement, self.dialect, column_keys)
        self._plans[key] = (statement, plan)
        if len(self._plans) > self.size:
            self._plans.popitem(last=False)
        return plan

    async def run(self, conn: AsyncConnection, plan: Plan, parameters: dict[str, Any] | None) -> Any:
        """Runs `plan` on `conn`'s driver connection, inside the transaction SQLAlchemy began."""
        sync = conn.sync_connection
        fairy = sync._dbapi_connection if sync is not None else None  # type: ignore[union-attr]
        if fairy is None or sync._echo:  # type: ignore[union-attr]
            return await conn.execute(plan.statement, parameters)
        dialect = self.dialect
        try:
            arguments = plan.arguments(parameters)
        except sa_exc.SQLAlchemyError:
            raise
        except Exception as error:  # noqa: BLE001 - a bind processor refused a value, as SQLAlchemy reports it
            raise sa_exc.StatementError(f"({type(error).__name__}) a parameter could not be bound", plan.sql, None,
                                        error, hide_parameters=True) from error
        if sync.dispatch.before_cursor_execute:  # type: ignore[union-attr]
            sync.dispatch.before_cursor_execute(sync, None, plan.sql, arguments, None, False)  # type: ignore[union-attr]
        adapter = fairy.dbapi_connection
        metadata: SimpleResultMetaData | None = None
        try:
            async with adapter._execute_mutex:
                if adapter._transaction is None:
                    await adapter._start_transaction()
                prepared, attributes = await adapter._prepare(plan.sql, dialect._invalidate_schema_cache_asof)  # type: ignore[attr-defined]
                metadata = plan.result_metadata(dialect, attributes or ())
                if metadata is not None:
                    self.direct += 1
                    records = await prepared.fetch(*arguments)
                    status = prepared.get_statusmsg()
        except Exception as error:  # noqa: BLE001 - translated and raised as SQLAlchemy raises it
            await self._raise(conn, adapter, plan, arguments, error)
        if metadata is None:  # result columns SQLAlchemy would match by name: let it
            return await conn.execute(plan.statement, parameters)
        matched = _ROWS.match(status or "")
        return DirectResult(metadata, records, int(matched.group(1)) if matched else -1)

    # Transactions. SQLAlchemy's own `AsyncConnection.begin()` and the commit or rollback at the
    # end of the block each take a hop into its greenlet, where the adapter awaits the driver's
    # COMMIT or ROLLBACK. Here SQLAlchemy's `RootTransaction` is begun and ended as usual (its
    # bookkeeping and its `begin`, `commit` and `rollback` events), but synchronously, after the
    # driver has ended its transaction: SQLAlchemy's begin does no I/O (the driver's BEGIN comes
    # with the first statement, as before) and its end finds nothing left for the driver to end.
    # A connection that is not ordinary at that moment (invalidated, echoing, with a savepoint or
    # a transaction some statement ended) takes SQLAlchemy's own path.

    @staticmethod
    def begin(conn: AsyncConnection) -> RootTransaction | None:
        """SQLAlchemy's transaction on `conn`, begun without I/O, or None when `conn` must take
        SQLAlchemy's own `begin()`."""
        sync = conn.sync_connection
        if sync is None or not sync._still_open_and_dbapi_connection_is_valid or sync._echo \
                or sync._transaction is not None:
            return None
        return sync.begin()

    @staticmethod
    def _ordinary(conn: AsyncConnection, transaction: RootTransaction) -> Any:
        """The driver's connection adapter when `transaction` can be ended on it directly."""
        sync = conn.sync_connection
        if sync is None or sync._transaction is not transaction or not transaction.is_active \
                or sync._nested_transaction is not None or not sync._still_open_and_dbapi_connection_is_valid:
            return None
        return sync._dbapi_connection.dbapi_connection  # type: ignore[union-attr]

    async def commit(self, conn: AsyncConnection, transaction: RootTransaction) -> None:
        """Commits on the driver, then ends SQLAlchemy's transaction. A failed COMMIT is raised
        as SQLAlchemy raises it (the transaction is over: PostgreSQL rolled it back)."""
        adapter = self._ordinary(conn, transaction)
        if adapter is None:
            await greenlet_spawn(transaction.commit)
            return
        driver = adapter._transaction
        if driver is not None:
            try:
                await adapter._call_and_discard(driver.commit)
            except Exception as error:  # noqa: BLE001 - translated and raised as SQLAlchemy raises it
                transaction.rollback()  # its bookkeeping only: the driver's transaction is gone
                await self._raise(conn, adapter, None, None, error)  # no statement, as SQLAlchemy reports a COMMIT
        transaction.commit()

    async def rollback(self, conn: AsyncConnection, transaction: RootTransaction) -> None:
        """Rolls back on the driver, then ends SQLAlchemy's transaction; when the driver cannot,
        the connection is invalidated (its state is not known) and the block's own error stands."""
        adapter = self._ordinary(conn, transaction)
        if adapter is None:
            await greenlet_spawn(transaction.rollback)  # a no-op when a statement already ended it
            return
        driver = adapter._transaction
        if driver is not None:
            try:
                await adapter._call_and_discard(driver.rollback)
            except Exception:  # noqa: BLE001 - the block's error is the one to raise
                transaction.rollback()
                await conn.invalidate()
                return
        transaction.rollback()

    async def _raise(self, conn: AsyncConnection, adapter: Any, plan: Plan | None, arguments: list[Any] | None,
                     error: Exception) -> None:
        sql = plan.sql if plan is not None else None
        dialect = self.dialect
        dbapi = dialect.loaded_dbapi  # type: ignore[attr-defined]
        try:
            adapter._handle_exception(error)  # raises the driver's error as the dialect's DB-API error
        except dbapi.Error as translated:
            disconnect = dialect.is_disconnect(translated, adapter, None)
            wrapped = sa_exc.DBAPIError.instance(sql, arguments, translated, dbapi.Error, hide_parameters=True,
                                                 connection_invalidated=disconnect, dialect=dialect)
            if disconnect:
                await conn.invalidate()
            raise wrapped from translated
        except Exception as other:  # noqa: BLE001 - not a database error: reported as SQLAlchemy reports one
            raise sa_exc.StatementError(f"({type(other).__name__}) the statement could not be run", sql, arguments,
                                        other, hide_parameters=True) from other
