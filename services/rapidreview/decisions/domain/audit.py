"""The audit trail's hash chain: canonical serialization, hashing and verification.

Every change to a case is one entry. An entry's hash is SHA-256 over its
canonical serialization, which includes the previous entry's hash, so editing
an entry breaks its own hash and deleting one leaves a gap in the sequence
(and the case's recorded head catches deletions at the end).

Canonical serialization (format version 1): a JSON object with exactly the keys
`v, case_id, sequence, entry_id, recorded_at, actor, actor_role, action,
entity, entity_id, causation_id, before, after, previous_hash`; keys sorted,
no insignificant whitespace (separators "," and ":"), non-ASCII characters
written as themselves, UTF-8 encoded; `recorded_at` as
"YYYY-MM-DDTHH:MM:SS.ffffffZ" in UTC; `before`/`after` are JSON objects
(proto3 JSON of the record, field names as in the .proto) or null. Floats never
occur (proto3 JSON writes 64-bit integers as strings), so the form is stable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FORMAT_VERSION = 1
GENESIS_HASH = "0" * 64


class Problem:
    """Values of AuditProblem (decisions.proto); kept here so the domain has no proto import."""

    CONTENT_CHANGED = 1
    MISSING = 2
    CHAIN_BROKEN = 3
    UNREADABLE = 4
    HEAD_MISMATCH = 5


def canonical_json(value: Any) -> str:
    """The canonical JSON text of `value` (sorted keys, compact, UTF-8 characters kept)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def format_instant(instant: dt.datetime) -> str:
    """UTC instant with microseconds and a Z, e.g. "2024-06-10T09:00:00.000000Z"."""
    if instant.tzinfo is None:
        raise ValueError("audit instants must be timezone-aware")
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Change:
    """What one audit entry records; `before`/`after` are JSON objects or None."""

    actor: str
    actor_role: str
    action: str
    entity: str
    entity_id: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    causation_id: str = ""


@dataclass(frozen=True)
class Entry:
    """A chained audit entry as stored."""

    case_id: str
    sequence: int
    entry_id: str
    recorded_at: dt.datetime
    change: Change
    previous_hash: str
    hash: str

    def canonical(self) -> bytes:
        return canonical_bytes(self.case_id, self.sequence, self.entry_id, self.recorded_at, self.change, self.previous_hash)


def canonical_bytes(case_id: str, sequence: int, entry_id: str, recorded_at: dt.datetime, change: Change, previous_hash: str) -> bytes:
    """The exact bytes an entry's hash is computed over."""
    document = {
        "v": FORMAT_VERSION,
        "case_id": case_id,
        "sequence": sequence,
        "entry_id": entry_id,
        "recorded_at": format_instant(recorded_at),
        "actor": change.actor,
        "actor_role": change.actor_role,
        "action": change.action,
        "entity": change.entity,
        "entity_id": change.entity_id,
        "causation_id": change.causation_id,
        "before": change.before,
        "after": change.after,
        "previous_hash": previous_hash,
    }
    return canonical_json(document).encode("utf-8")


def chain(case_id: str, head_sequence: int, head_hash: str, entry_id: str, recorded_at: dt.datetime, change: Change) -> Entry:
    """The next entry after the head (`head_sequence`, `head_hash`) of a case's chain."""
    sequence = head_sequence + 1
    digest = hashlib.sha256(canonical_bytes(case_id, sequence, entry_id, recorded_at, change, head_hash)).hexdigest()
    return Entry(case_id, sequence, entry_id, recorded_at, change, head_hash, digest)


@dataclass(frozen=True)
class StoredEntry:
    """An entry read back from storage; `change` is None when it could not be read."""

    case_id: str
    sequence: int
    entry_id: str
    recorded_at: dt.datetime
    change: Change | None
    previous_hash: str
    hash: str


@dataclass(frozen=True)
class Finding:
    """One problem with one entry of one case; `description` never quotes content."""

    case_id: str
    sequence: int
    entry_id: str
    problem: int
    description: str


def verify_chain(case_id: str, entries: Iterable[StoredEntry], head_sequence: int, head_hash: str) -> tuple[list[Finding], int]:
    """Checks one case's entries (any order) against their hashes, their links
    and the case's recorded head. Returns the findings and the entries checked."""
    findings: list[Finding] = []
    expected = 1
    previous = GENESIS_HASH
    checked = 0
    last_hash = GENESIS_HASH
    last_sequence = 0
    for entry in sorted(entries, key=lambda e: e.sequence):
        checked += 1
        gap = entry.sequence > expected
        for missing in range(expected, entry.sequence):
            findings.append(Finding(case_id, missing, "", Problem.MISSING, f"entry {missing} is missing (deleted)"))
        if not gap and entry.previous_hash != previous:
            findings.append(Finding(
                case_id, entry.sequence, entry.entry_id, Problem.CHAIN_BROKEN,
                f"entry {entry.sequence} does not follow entry {entry.sequence - 1}: one of them was altered and re-hashed"))
        if entry.change is None:
            findings.append(Finding(case_id, entry.sequence, entry.entry_id, Problem.UNREADABLE,
                                    f"entry {entry.sequence}: its change record cannot be read (damaged or moved)"))
        else:
            digest = hashlib.sha256(canonical_bytes(case_id, entry.sequence, entry.entry_id, entry.recorded_at, entry.change,
                                                    entry.previous_hash)).hexdigest()
            if digest != entry.hash:
                findings.append(Finding(case_id, entry.sequence, entry.entry_id, Problem.CONTENT_CHANGED,
                                        f"entry {entry.sequence} was changed after it was written (hash mismatch)"))
        previous = entry.hash
        expected = entry.sequence + 1
        last_hash, last_sequence = entry.hash, entry.sequence
    if head_sequence > last_sequence:
        for missing in range(last_sequence + 1, head_sequence + 1):
            findings.append(Finding(case_id, missing, "", Problem.MISSING, f"entry {missing} is missing (deleted)"))
    elif head_sequence < last_sequence or head_hash != last_hash:
        findings.append(Finding(case_id, last_sequence, "", Problem.HEAD_MISMATCH,
                                f"the case's recorded chain head (entry {head_sequence}) does not match its last entry ({last_sequence})"))
    return findings, checked
