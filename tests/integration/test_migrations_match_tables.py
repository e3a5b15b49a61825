"""Each service's Alembic migrations create exactly the tables its storage.py declares."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from rapidreview.kernel.migrations import upgrade_async

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service", ["intake", "decisions", "criteria"])
async def test_migrations_leave_no_difference_from_the_declared_tables(fresh_database, service):
    storage = importlib.import_module(f"rapidreview.{service}.storage")
    schema = storage.SCHEMA
    await upgrade_async(service, fresh_database)
    engine = create_async_engine(fresh_database)
    try:
        async with engine.connect() as conn:
            def diff(sync_conn):  # type: ignore[no-untyped-def]
                context = MigrationContext.configure(sync_conn, opts={
                    "include_schemas": True, "version_table_schema": schema,
                    "include_name": lambda name, type_, _parent: type_ != "schema" or name == schema})
                return compare_metadata(context, storage.metadata)

            differences = await conn.run_sync(diff)
    finally:
        await engine.dispose()
    assert differences == []
