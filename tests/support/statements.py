"""Counts the SQL statements a piece of code runs on a Database, in this process: the tests of
what each path costs in statements use it. It also notes the statements SQLAlchemy could not
cache (no cache key: compiled again on every execution, e.g. a multi-row `insert().values([...])`)."""

from __future__ import annotations

from sqlalchemy import event

from rapidreview.kernel.db import Database


class StatementCounter:
    def __init__(self, db: Database) -> None:
        self.statements: list[str] = []
        #: What PostgreSQL executes: a driver-level executemany (a list of parameter sets, as
        #: `execute(insert_without_returning, [rows])` sends) is one statement per set there.
        self.executed: list[str] = []
        self.uncacheable: list[str] = []
        self.engine = db.engine.sync_engine

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        self.statements.append(statement)
        self.executed.extend([statement] * (len(parameters) if executemany and isinstance(parameters, list) else 1))
        if context is not None and context.compiled is not None and "NO_CACHE_KEY" in str(context.cache_hit):
            self.uncacheable.append(statement)
