"""Counts the SQL statements a piece of code runs on a Database, in this process: the tests of
what each path costs in statements use it."""

from __future__ import annotations

from sqlalchemy import event

from rapidreview.kernel.db import Database


class StatementCounter:
    def __init__(self, db: Database) -> None:
        self.statements: list[str] = []
        self.engine = db.engine.sync_engine

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        self.statements.append(statement)
