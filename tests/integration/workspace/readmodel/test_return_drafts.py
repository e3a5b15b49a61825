"""Return drafts in the workspace schema on a real PostgreSQL: one per person and request, sealed
at rest (a canary typed into a draft is nowhere in the table), bound to its row (a sealed body
copied to another person's row does not open), deleted on request, and old drafts expire."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text, update

from rapidreview.kernel.auth import Principal, Role
from rapidreview.kernel.crypto import FieldCipher, KeyRing
from rapidreview.kernel.db import Database
from rapidreview.kernel.migrations import upgrade_async
from rapidreview.workspace.readmodel.storage import return_drafts
from rapidreview.workspace.returns.draft import ReturnDraft
from rapidreview.workspace.returns.drafts import DRAFT_DAYS, DraftStore

pytestmark = pytest.mark.integration
CASE = "0b7f6a1e-1111-4222-8333-444455556666"
GP = Principal("person-gp-1", Role.AGENCY, "leeds", "gp-practice")
OTHER_GP = Principal("person-gp-2", Role.AGENCY, "leeds", "gp-practice")
CANARY = "CANARY-7f3a Baby seen at home by the health visitor"


@pytest.fixture
async def store(fresh_database):
    await upgrade_async("workspace.readmodel", fresh_database)
    db = Database(fresh_database)
    yield DraftStore(db, FieldCipher(KeyRing.generate()))
    await db.dispose()


def _draft() -> ReturnDraft:
    draft = ReturnDraft()
    draft.set_single("involvement", {"involvement": "involved", "start": "2024-01-01", "end": "", "summary": CANARY})
    draft.add_items("chronology", [{"date": "2024-03-07", "contact_type": "HOME_VISIT", "role": "health visitor", "summary": CANARY}])
    return draft


async def test_a_draft_is_sealed_at_rest_and_read_back_only_by_its_person(store: DraftStore) -> None:
    await store.save(GP, CASE, _draft())
    loaded = await store.load(GP, CASE)
    assert loaded is not None and loaded.items("chronology")[0]["summary"] == CANARY
    assert await store.load(OTHER_GP, CASE) is None
    assert await store.cases_with_drafts(GP) == {CASE} and await store.cases_with_drafts(OTHER_GP) == set()
    async with store.db.engine.connect() as conn:
        dump = str((await conn.execute(text("SELECT * FROM workspace.return_drafts"))).all())
    assert "CANARY" not in dump and "health visitor" not in dump


async def test_a_sealed_body_copied_to_another_persons_row_does_not_open(store: DraftStore) -> None:
    await store.save(GP, CASE, _draft())
    await store.save(OTHER_GP, CASE, ReturnDraft())
    async with store.db.engine.begin() as conn:
        body = (await conn.execute(select(return_drafts.c.body_enc).where(return_drafts.c.subject == GP.subject))).scalar_one()
        await conn.execute(update(return_drafts).where(return_drafts.c.subject == OTHER_GP.subject).values(body_enc=body))
    with pytest.raises(Exception):  # noqa: B017 - the cipher refuses a body bound to another row
        await store.load(OTHER_GP, CASE)


async def test_a_draft_is_deleted_on_submit_and_abandoned_ones_expire(store: DraftStore) -> None:
    await store.save(GP, CASE, _draft())
    await store.delete(GP, CASE)
    assert await store.load(GP, CASE) is None
    await store.save(GP, CASE, _draft())
    async with store.db.engine.begin() as conn:
        await conn.execute(update(return_drafts).values(updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=DRAFT_DAYS + 1)))
    await store.save(OTHER_GP, CASE, ReturnDraft())  # saving any draft deletes the abandoned ones
    assert await store.load(GP, CASE) is None and await store.load(OTHER_GP, CASE) is not None
