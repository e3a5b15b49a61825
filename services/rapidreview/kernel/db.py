"""Database access: SQLAlchemy 2 async on PostgreSQL, one schema per service.

`Database` owns the engine and session factory. Tables of a service live in
a MetaData bound to that service's schema; nothing reads another service's
schema. Parameters are hidden from SQLAlchemy's exception messages so that
personal data cannot leak into logs through an error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata(schema: str) -> MetaData:
    """A MetaData whose tables all live in `schema`."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


class Database:
    """Engine + session factory for one service."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            pool_recycle=1800,
            hide_parameters=True,
            echo=echo,
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def ping(self, timeout: float = 2.0) -> bool:
        """True when the database answers `SELECT 1` within `timeout` seconds."""
        import asyncio

        async def _ping() -> None:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        try:
            await asyncio.wait_for(_ping(), timeout)
            return True
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return False

    async def dispose(self, timeout: float = 5.0) -> None:
        """Closes pooled connections; connections to a server that went away
        can hang on a polite close, so give up on politeness after `timeout`."""
        import asyncio

        try:
            await asyncio.wait_for(self.engine.dispose(), timeout)
        except TimeoutError:
            await self.engine.dispose(close=False)
