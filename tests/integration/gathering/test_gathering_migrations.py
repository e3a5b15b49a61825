"""Gathering's Alembic migrations create exactly the tables storage.py declares."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from rapidreview.gathering.storage import SCHEMA, metadata
from rapidreview.kernel.migrations import upgrade_async

pytestmark = pytest.mark.integration


async def test_migrations_leave_no_difference_from_the_declared_tables(fresh_database):
    await upgrade_async("gathering", fresh_database)
    engine = create_async_engine(fresh_database)
    try:
        async with engine.connect() as conn:
            def diff(sync_conn):  # type: ignore[no-untyped-def]
                context = MigrationContext.configure(sync_conn, opts={
                    "include_schemas": True, "version_table_schema": SCHEMA,
                    "include_name": lambda name, type_, _parent: type_ != "schema" or name == SCHEMA})
                return compare_metadata(context, metadata)

            differences = await conn.run_sync(diff)
    finally:
        await engine.dispose()
    assert differences == []
