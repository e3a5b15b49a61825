"""Alembic migrations per service, applied by a command and at start-up.

Each service keeps `rapidreview/<service>/migrations/` (env.py, versions/) and
its version table inside its own schema. `env.py` only calls `run_env`.
"""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def alembic_config(service: str, database_url: str) -> Config:
    """An Alembic Config for `service` pointing at its migrations package."""
    script_location = Path(str(resources.files(f"rapidreview.{service}") / "migrations"))
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", database_url)
    cfg.attributes["service"] = service
    return cfg


def upgrade(service: str, database_url: str, revision: str = "head") -> None:
    """Applies `service`'s migrations up to `revision` (idempotent). Blocking: call
    it from a thread (`asyncio.to_thread`) inside an event loop."""
    command.upgrade(alembic_config(service, database_url), revision)


async def upgrade_async(service: str, database_url: str) -> None:
    """Applies migrations without blocking the caller's event loop."""
    await asyncio.to_thread(upgrade, service, database_url)


def run_env(metadata: MetaData) -> None:
    """Body of every service's env.py: runs migrations online for its schema."""
    schema = metadata.schema
    url = context.config.get_main_option("sqlalchemy.url")

    def do_run(connection: Connection) -> None:
        # Serialise concurrent migrators (replicas starting together) before anything else:
        # CREATE SCHEMA IF NOT EXISTS is not safe against a concurrent twin. One transaction
        # (Alembic joins it) holds the lock until everything is committed.
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": f"migrate:{schema}"})
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=lambda name, type_, _parent: type_ != "schema" or name == schema,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as conn:
            await conn.run_sync(do_run)
            await conn.commit()
        await engine.dispose()

    asyncio.run(run_async())
