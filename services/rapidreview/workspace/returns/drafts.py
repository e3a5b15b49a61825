"""Drafts of agency returns, kept server-side between the form's pages.

One draft per person (their subject at the identity provider) and request (case, agency),
in the workspace's own schema (`workspace.return_drafts`). The whole draft is one JSON
document sealed with the key ring (AES-256-GCM, `RR_ENCRYPTION_KEYS_FILE`), bound to its
row, so a copied value does not open elsewhere; nothing of it is in clear, in a URL or in a
log. A draft is deleted when its return is submitted; drafts untouched for `DRAFT_DAYS` days
are deleted as others are saved (a return is due within weeks, so an older draft is abandoned).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Protocol

from sqlalchemy import and_, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from rapidreview.kernel.auth import Principal
from rapidreview.kernel.crypto import FieldCipher
from rapidreview.kernel.db import Database
from rapidreview.workspace.readmodel.storage import return_drafts as T
from rapidreview.workspace.returns.draft import ReturnDraft

DRAFT_DAYS = 60


def _associated(subject: str, case_id: str, agency_id: str) -> str:
    return f"draft:{subject}:{case_id}:{agency_id}:body"


class Drafts(Protocol):
    """What the pages need of a draft store (the SQL one below, or a fake in unit tests)."""

    async def load(self, person: Principal, case_id: str) -> ReturnDraft | None: ...
    async def save(self, person: Principal, case_id: str, draft: ReturnDraft) -> None: ...
    async def delete(self, person: Principal, case_id: str) -> None: ...
    async def cases_with_drafts(self, person: Principal) -> set[str]: ...


class DraftStore:
    """Drafts in PostgreSQL, sealed with `cipher`."""

    def __init__(self, db: Database, cipher: FieldCipher, *, clock: object = None) -> None:
        self.db = db
        self.cipher = cipher
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))

    def _key(self, person: Principal, case_id: str):  # type: ignore[no-untyped-def]
        return and_(T.c.subject == person.subject, T.c.case_id == case_id, T.c.agency_id == person.agency)

    async def load(self, person: Principal, case_id: str) -> ReturnDraft | None:
        async with self.db.connection() as conn:
            row = (await conn.execute(select(T.c.body_enc, T.c.partnership).where(self._key(person, case_id)))).first()
        if row is None or row.partnership != person.partnership:
            return None
        body = self.cipher.open(row.body_enc, _associated(person.subject, case_id, person.agency))
        return ReturnDraft.from_json(json.loads(body))

    async def save(self, person: Principal, case_id: str, draft: ReturnDraft) -> None:
        now = self._now()  # type: ignore[operator]
        sealed = self.cipher.seal(json.dumps(draft.to_json(), separators=(",", ":")), _associated(person.subject, case_id, person.agency))
        statement = pg_insert(T).values(subject=person.subject, case_id=case_id, agency_id=person.agency,
                                        partnership=person.partnership, body_enc=sealed, updated_at=now)
        statement = statement.on_conflict_do_update(index_elements=[T.c.subject, T.c.case_id, T.c.agency_id],
                                                    set_={"body_enc": sealed, "partnership": person.partnership, "updated_at": now})
        async with self.db.transaction() as conn:
            await conn.execute(statement)
            await conn.execute(delete(T).where(T.c.updated_at < now - dt.timedelta(days=DRAFT_DAYS)))

    async def delete(self, person: Principal, case_id: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(delete(T).where(self._key(person, case_id)))

    async def cases_with_drafts(self, person: Principal) -> set[str]:
        async with self.db.connection() as conn:
            rows = await conn.execute(select(T.c.case_id).where(
                T.c.subject == person.subject, T.c.agency_id == person.agency, T.c.partnership == person.partnership))
            return {r.case_id for r in rows}
