"""Form drafts in the workspace's schema on a real PostgreSQL: the migrations create exactly the
declared tables, a draft comes back only to its owner, is sealed at rest (no answer in clear),
replaced on save, gone after its time or when discarded, and key rotation re-seals it."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from rapidreview.kernel.auth import Principal, Role
from rapidreview.kernel.crypto import FieldCipher, KeyRing
from rapidreview.kernel.db import Database
from rapidreview.kernel.migrations import upgrade_async
from rapidreview.workspace.form_drafts import DatabaseFormDrafts, DraftTooLarge
from rapidreview.workspace.readmodel.bootstrap import MIGRATIONS
from rapidreview.workspace.readmodel.storage import SCHEMA, metadata, rotate_keys

pytestmark = pytest.mark.integration

LA = Principal("person-la-1", Role.NOTIFYING_LA, "leeds")
SAME_SUBJECT_OTHER_PARTNERSHIP = Principal("person-la-1", Role.NOTIFYING_LA, "bradford")
CANARY = "Canary-7f3e harm description"


class Clock:
    now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_the_workspace_migrations_leave_no_difference_from_the_declared_tables(fresh_database: str) -> None:
    await upgrade_async(MIGRATIONS, fresh_database)
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


async def test_a_draft_is_sealed_kept_for_its_owner_only_and_expires(fresh_database: str) -> None:
    await upgrade_async(MIGRATIONS, fresh_database)
    db, clock = Database(fresh_database), Clock()
    cipher = FieldCipher(KeyRing.generate())
    drafts = DatabaseFormDrafts(db, cipher, ttl_seconds=3600, clock=clock)
    try:
        await drafts.save(LA, "notify", {"answers": {"harm_description": CANARY}})
        assert (await drafts.load(LA, "notify"))["answers"]["harm_description"] == CANARY
        assert await drafts.load(SAME_SUBJECT_OTHER_PARTNERSHIP, "notify") is None
        assert await drafts.load(LA, "withdraw:x") is None
        async with db.engine.connect() as conn:
            stored = " ".join(str(r) for r in (await conn.execute(text("SELECT * FROM workspace.form_drafts"))).all())
        assert "Canary-7f3e" not in stored and "person-la-1" not in stored

        await drafts.save(LA, "notify", {"answers": {}})  # replaced, not added
        assert await drafts.load(LA, "notify") == {"answers": {}}

        clock.now += 3601
        assert await drafts.load(LA, "notify") is None
        await drafts.save(LA, "other", {})  # a save deletes the expired drafts
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM workspace.form_drafts"))).scalar() == 1

        await drafts.discard(LA, "other")
        assert await drafts.load(LA, "other") is None
        with pytest.raises(DraftTooLarge):
            await drafts.save(LA, "big", {"x": "y" * 600_000})
    finally:
        await db.dispose()


async def test_key_rotation_reseals_drafts_and_they_still_open(fresh_database: str) -> None:
    await upgrade_async(MIGRATIONS, fresh_database)
    db, ring = Database(fresh_database), KeyRing.generate("k1")
    try:
        await DatabaseFormDrafts(db, FieldCipher(ring)).save(LA, "notify", {"answers": {"child_ref": "Child Q"}})
        rotated = FieldCipher(ring.rotated("k2"))
        async with AsyncSession(db.engine) as session:
            assert await rotate_keys(session, rotated) == 1
        assert (await DatabaseFormDrafts(db, rotated).load(LA, "notify"))["answers"]["child_ref"] == "Child Q"
    finally:
        await db.dispose()
