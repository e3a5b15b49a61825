"""Form drafts: what a person has typed into a form of several pages, kept server-side between pages
(the agency return form has its own, `returns/drafts.py`).

A draft is a small JSON object, one per person and draft key (e.g. "notify" for a notification
in progress, "withdraw:<case id>"), never in a URL and never in the cookie (a harm description
alone can outgrow a cookie). In production it is a row of `workspace.form_drafts`, sealed with the
key ring (AES-256-GCM bound to its owner and key, like the services' free text), so the
database holds no answer in clear; replicas sharing the database serve any page of a form.
Without a database (a workspace with no read model) drafts live in this process's memory.

    drafts = request.app.state.form_drafts
    draft = await drafts.load(person, "notify") or {}
    await drafts.save(person, "notify", draft)
    await drafts.discard(person, "notify")

A draft not saved for `ttl_seconds` (24 hours by default) is gone: loading it answers None and
every save deletes the expired drafts of everyone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import and_, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from rapidreview.kernel.auth import Principal
from rapidreview.kernel.crypto import DecryptionError, FieldCipher
from rapidreview.kernel.db import Database
from rapidreview.workspace.readmodel.storage import form_drafts as drafts_table

DEFAULT_TTL_SECONDS = 24 * 3600
#: The largest draft kept (a notification with 50 agencies and a 4,000-character description is ~15 KB).
MAX_DRAFT_BYTES = 512 * 1024
MAX_KEY = 200


class DraftTooLarge(ValueError):
    """The draft is larger than MAX_DRAFT_BYTES: nothing was kept."""


def owner_of(person: Principal) -> str:
    """The draft owner: a digest of the person's partnership and subject (bounded length)."""
    return hashlib.sha256(f"{person.partnership}\x00{person.subject}".encode()).hexdigest()


def associated(owner: str, key: str) -> str:
    return f"form_draft:{owner}:{key}"


def _encode(data: dict[str, Any], key: str) -> str:
    if not key or len(key) > MAX_KEY:
        raise ValueError("a draft key is 1-200 characters")
    body = json.dumps(data, separators=(",", ":"), sort_keys=True)
    if len(body.encode()) > MAX_DRAFT_BYTES:
        raise DraftTooLarge(f"a draft holds at most {MAX_DRAFT_BYTES} bytes")
    return body


class FormDraftStore(Protocol):
    async def load(self, person: Principal, key: str) -> dict[str, Any] | None: ...

    async def save(self, person: Principal, key: str, data: dict[str, Any]) -> None: ...

    async def discard(self, person: Principal, key: str) -> None: ...


class MemoryFormDrafts:
    """Drafts in this process's memory (unit tests; a workspace without a database)."""

    def __init__(self, *, ttl_seconds: float = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.time) -> None:
        self.ttl_seconds, self.clock = ttl_seconds, clock
        self._rows: dict[tuple[str, str], tuple[str, float]] = {}

    async def load(self, person: Principal, key: str) -> dict[str, Any] | None:
        row = self._rows.get((owner_of(person), key))
        if row is None:
            return None
        if self.clock() - row[1] > self.ttl_seconds:
            del self._rows[(owner_of(person), key)]
            return None
        return json.loads(row[0])

    async def save(self, person: Principal, key: str, data: dict[str, Any]) -> None:
        body = _encode(data, key)
        now = self.clock()
        self._rows = {k: v for k, v in self._rows.items() if now - v[1] <= self.ttl_seconds}
        self._rows[(owner_of(person), key)] = (body, now)

    async def discard(self, person: Principal, key: str) -> None:
        self._rows.pop((owner_of(person), key), None)


class DatabaseFormDrafts:
    """Drafts in `workspace.form_drafts`, sealed with the key ring."""

    def __init__(self, db: Database, cipher: FieldCipher, *, ttl_seconds: float = DEFAULT_TTL_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self.db, self.cipher, self.ttl_seconds, self.clock = db, cipher, ttl_seconds, clock

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def _oldest_kept(self) -> dt.datetime:
        return self._now() - dt.timedelta(seconds=self.ttl_seconds)

    async def load(self, person: Principal, key: str) -> dict[str, Any] | None:
        owner = owner_of(person)
        t = drafts_table.c
        async with self.db.connection() as conn:
            row = (await conn.execute(select(t.body_enc, t.updated_at).where(
                and_(t.owner == owner, t.draft_key == key, t.updated_at >= self._oldest_kept())))).first()
        if row is None:
            return None
        try:
            return json.loads(self.cipher.open(row.body_enc, associated(owner, key)))
        except (DecryptionError, ValueError):
            # A draft sealed with a retired key (or damaged) is no draft: the person starts again.
            await self.discard(person, key)
            return None

    async def save(self, person: Principal, key: str, data: dict[str, Any]) -> None:
        owner = owner_of(person)
        sealed = self.cipher.seal(_encode(data, key), associated(owner, key))
        now = self._now()
        t = drafts_table.c
        async with self.db.transaction() as session:
            await session.execute(delete(drafts_table).where(t.updated_at < self._oldest_kept()))
            await session.execute(pg_insert(drafts_table).values(owner=owner, draft_key=key, body_enc=sealed, updated_at=now)
                                  .on_conflict_do_update(index_elements=[t.owner, t.draft_key],
                                                         set_={"body_enc": sealed, "updated_at": now}))

    async def discard(self, person: Principal, key: str) -> None:
        t = drafts_table.c
        async with self.db.transaction() as session:
            await session.execute(delete(drafts_table).where(and_(t.owner == owner_of(person), t.draft_key == key)))
