"""Re-encryption of stored ciphertexts under the key ring's current key, and a
census of the keys the stored data uses.

Each service declares its sealed columns (`SealedColumn`) next to its tables and
exposes `rotate_keys(session, cipher) -> int`, built on `rotate_columns`. A
column holds either one ciphertext (`FieldCipher.seal`, associated data derived
from the row) or a JSON document with ciphertexts inside (`rewrite`). The work
is done in batches, one transaction each, in primary-key order; a row already
under the current key is never selected, so a second run finds nothing to do
and an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, not_, or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from rapidreview.kernel.crypto import PREFIX, FieldCipher, KeyRing

# A ciphertext inside a column: at its start, or as a JSON string value.
_TOKEN_START = r'(^|")' + PREFIX + ":"
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]+$")

Row = Any


class RotationError(RuntimeError):
    """A stored value cannot be re-encrypted (its key is not in the ring, or it does not verify)."""


@dataclass(frozen=True)
class SealedColumn:
    """A column of `table` that holds ciphertexts.

    Exactly one of `associated` (the column is one ciphertext; returns its
    associated data for a row) and `rewrite` (the column is a document with
    ciphertexts inside; returns the document with each one re-encrypted by the
    ring) is given. With `legacy_plaintext`, a value that is not a ciphertext at
    all was written before the column was encrypted and is sealed by the rotation.
    `lifted_trigger` names a trigger of the table that refuses updates (an
    append-only guard): it is disabled inside each batch's transaction and enabled
    again before that transaction commits (see `lift_trigger`).
    """

    table: Table
    column: str
    associated: Callable[[Row], str] | None = None
    rewrite: Callable[[Row, KeyRing], str] | None = None
    legacy_plaintext: bool = False
    lifted_trigger: str | None = None

    def __post_init__(self) -> None:
        if (self.associated is None) == (self.rewrite is None):
            raise ValueError("give exactly one of associated and rewrite")
        if self.rewrite is not None and self.legacy_plaintext:
            raise ValueError("legacy_plaintext needs a single-ciphertext column")

    @property
    def name(self) -> str:
        return f"{self.table.schema}.{self.table.name}.{self.column}"

    def needs_rotation(self, current: str):  # type: ignore[no-untyped-def]
        """SQL condition: the value holds a ciphertext under another key (or is legacy plain text)."""
        col = self.table.c[self.column]
        if not _KEY_ID.match(current):
            raise ValueError("key ids must be letters, digits, '.', '_' or '-'")
        other_key = col.regexp_match(_TOKEN_START + f"(?!{re.escape(current)}:)")
        if not self.legacy_plaintext:
            return other_key
        plain = and_(col != "", not_(col.like(f"{PREFIX}:%")))
        return or_(other_key, plain)

    def rotated_value(self, row: Row, cipher: FieldCipher) -> str:
        value = getattr(row, self.column)
        try:
            if self.rewrite is not None:
                return self.rewrite(row, cipher.ring)
            associated = self.associated(row)  # type: ignore[misc]
            if self.legacy_plaintext and not value.startswith(f"{PREFIX}:"):
                return cipher.seal(value, associated)
            return cipher.ring.reencrypt(value, associated)
        except (ValueError, KeyError) as exc:
            # The message names the column and the row's key, never the value.
            key = ", ".join(str(getattr(row, c.name)) for c in self.table.primary_key.columns)
            raise RotationError(f"{self.name} of row ({key}): {type(exc).__name__}") from None


async def rotate_columns(session: AsyncSession, cipher: FieldCipher, columns: Sequence[SealedColumn], *,
                         batch_size: int = 200) -> int:
    """Re-encrypts every value of `columns` not under the ring's current key, in
    batches of `batch_size` rows, committing each batch (the session must hold no
    uncommitted work). Returns how many values were rewritten; 0 means all done.
    Raises RotationError for a value that cannot be decrypted (earlier batches stay
    committed; fix the ring and run again)."""
    if session.in_transaction():
        await session.commit()
    total = 0
    for column in columns:
        total += await _rotate_column(session, cipher, column, batch_size)
    return total


async def _rotate_column(session: AsyncSession, cipher: FieldCipher, column: SealedColumn, batch_size: int) -> int:
    table = column.table
    pk = list(table.primary_key.columns)
    condition = column.needs_rotation(cipher.ring.current)
    after: tuple[Any, ...] | None = None
    done = 0
    while True:
        query = select(table).where(condition)
        if after is not None:
            query = query.where(tuple_(*pk) > tuple_(*after))
        query = query.order_by(*pk).limit(batch_size).with_for_update()
        async with session.begin():
            # The guard first: its table lock is the strongest this batch takes.
            lifted = column.lifted_trigger is not None and await lift_trigger(session, table, column.lifted_trigger)
            rows = (await session.execute(query)).all()
            for row in rows:
                key = and_(*(c == getattr(row, c.name) for c in pk))
                await session.execute(table.update().where(key).values({column.column: column.rotated_value(row, cipher)}))
            if lifted:
                await restore_trigger(session, table, column.lifted_trigger)  # type: ignore[arg-type]
        if not rows:
            return done
        done += len(rows)
        after = tuple(getattr(rows[-1], c.name) for c in pk)


async def key_census(session: AsyncSession, columns: Sequence[SealedColumn]) -> dict[str, dict[str, int]]:
    """For each column, how many ciphertexts each key id encrypted (JSON documents
    count every ciphertext inside), and under "plaintext" the legacy values not yet sealed."""
    census: dict[str, dict[str, int]] = {}
    for column in columns:
        table = f'"{column.table.schema}"."{column.table.name}"'
        counts: dict[str, int] = {}
        rows = await session.execute(text(
            f'SELECT m[2] AS key_id, count(*) AS n FROM {table} t, '
            f'LATERAL regexp_matches(t."{column.column}", :pattern, \'g\') AS m GROUP BY m[2]'),
            {"pattern": _TOKEN_START + r'([^:"]+):'})
        for key_id, n in rows:
            counts[key_id] = int(n)
        if column.legacy_plaintext:
            plain = (await session.execute(text(
                f'SELECT count(*) FROM {table} WHERE "{column.column}" <> \'\' AND "{column.column}" NOT LIKE :prefix'),
                {"prefix": f"{PREFIX}:%"})).scalar_one()
            if plain:
                counts["plaintext"] = int(plain)
        census[column.name] = counts
    return census


async def lift_trigger(session: AsyncSession, table: Table, trigger: str) -> bool:
    """Disables `trigger` on `table` inside the current transaction if it exists and
    is enabled; True when it did. Catalog changes are transactional: no other
    transaction ever sees the table without its trigger, and ALTER TABLE's lock
    keeps other writers of the table waiting until commit. `restore_trigger`
    enables it again before commit; a rollback restores it anyway. Needs the
    table's owner."""
    exists = (await session.execute(text(
        "SELECT 1 FROM pg_trigger WHERE tgrelid = CAST(:table AS regclass) AND tgname = :name AND tgenabled <> 'D'"),
        {"table": _qualified(table), "name": trigger})).first()
    if exists is None:
        return False
    await session.execute(text(f'ALTER TABLE {_qualified(table)} DISABLE TRIGGER "{trigger}"'))
    return True


async def restore_trigger(session: AsyncSession, table: Table, trigger: str) -> None:
    await session.execute(text(f'ALTER TABLE {_qualified(table)} ENABLE TRIGGER "{trigger}"'))


def _qualified(table: Table) -> str:
    return f'"{table.schema}"."{table.name}"'
