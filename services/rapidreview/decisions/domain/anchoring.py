"""Anchoring the audit trail outside the decisions database: a checkpoint is a Merkle root
over every case's chain head (case id, sequence, hash of its last entry), signed with a key
the database never holds and kept in a JetStream stream (and exported by operators).

The hash chain alone catches an entry edited or deleted in place, but not someone who
rewrites a whole case's chain consistently (every hash recomputed, the case's recorded head
moved) or deletes a case with all its entries: nothing left in the database contradicts them.
The checkpoint does: the entry at each anchored sequence must still have the anchored hash
(and, as that hash covers every earlier entry through the chain, so must everything before
it), and every anchored case must still exist. What changed after the last checkpoint is not
covered: the checkpoint period is the window.

Formats (version 1), stable so that old checkpoints stay verifiable:
- leaf of a head: SHA-256 of 0x00 || "<case_id>|<sequence>|<head>" (UTF-8);
- interior node: SHA-256 of 0x01 || left || right; an odd node at the end of a level is
  carried up unchanged (the RFC 6962 shape); the root of no heads is SHA-256 of "";
- heads are ordered by case id before hashing, so the root names one set of heads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
#: Heads per published part: a part stays well under NATS's 1 MB message limit (about 120
#: bytes a head in JSON).
HEADS_PER_PART = 4000


@dataclass(frozen=True, order=True)
class Head:
    """The head of one case's audit chain: its last entry's sequence and hash."""

    case_id: str
    sequence: int
    hash: str


def leaf_hash(head: Head) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + f"{head.case_id}|{head.sequence}|{head.hash}".encode()).digest()


def merkle_root(heads: Iterable[Head]) -> str:
    """The hex Merkle root of `heads` (any order; duplicates of a case are an error)."""
    ordered = sorted(heads)
    if len({h.case_id for h in ordered}) != len(ordered):
        raise ValueError("a case appears twice among the heads")
    level = [leaf_hash(h) for h in ordered]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        paired = [hashlib.sha256(NODE_PREFIX + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()


def parts(heads: Iterable[Head], size: int = HEADS_PER_PART) -> list[list[Head]]:
    """`heads` in case-id order, cut into parts of at most `size` (at least one part)."""
    ordered = sorted(heads)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)] or [[]]


class AnchorProblem:
    """What a checkpoint shows about a case the database no longer matches."""

    #: The case and its whole trail are gone.
    CASE_DELETED = "case deleted"
    #: The case is there, but the entry the checkpoint anchored is missing or has another
    #: hash: the trail up to it was rewritten (or truncated) after the checkpoint.
    CASE_REWRITTEN = "case rewritten"


@dataclass(frozen=True)
class AnchorFinding:
    """One anchored case the database contradicts; `description` never quotes content."""

    case_id: str
    sequence: int
    problem: str
    description: str


def contradictions(anchored: Sequence[Head], cases_present: set[str],
                   stored_hashes: Mapping[tuple[str, int], str]) -> list[AnchorFinding]:
    """Compares anchored heads with the database: `cases_present` are the anchored case ids
    that still have a case row, `stored_hashes` the hash of the entry at each anchored
    (case id, sequence) that still exists. Returns the contradictions, in case-id order."""
    findings = []
    for head in sorted(anchored):
        stored = stored_hashes.get((head.case_id, head.sequence))
        if head.case_id not in cases_present and stored is None:
            findings.append(AnchorFinding(head.case_id, head.sequence, AnchorProblem.CASE_DELETED,
                                          f"the case and its audit trail ({head.sequence} entries when anchored) are gone"))
        elif stored != head.hash:
            what = "is missing" if stored is None else "has another hash"
            findings.append(AnchorFinding(head.case_id, head.sequence, AnchorProblem.CASE_REWRITTEN,
                                          f"entry {head.sequence}, anchored by the checkpoint, {what}: the trail up to it was "
                                          "rewritten or cut after the checkpoint"))
    return findings
