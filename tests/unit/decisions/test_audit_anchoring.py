"""Audit checkpoints: the Merkle root names one set of chain heads, the signature and the parts
are checked when a checkpoint is opened, and the comparison with the database names deleted
and rewritten cases."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from rapidreview.decisions.checkpoints import CheckpointError, SignedCheckpoint, key_id, open_checkpoint, sign
from rapidreview.decisions.domain.anchoring import AnchorProblem, Head, contradictions, leaf_hash, merkle_root, parts
from rapidreview.kernel.auth import new_signing_key

NOW = dt.datetime(2025, 1, 20, 9, 30, tzinfo=dt.UTC)


def _heads(n: int) -> list[Head]:
    return [Head(f"00000000-0000-4000-8000-{i:012d}", i % 7 + 1, hashlib.sha256(str(i).encode()).hexdigest()) for i in range(n)]


def test_the_root_of_a_set_of_heads_is_independent_of_their_order_and_changes_with_any_head():
    heads = _heads(9)
    assert merkle_root(heads) == merkle_root(list(reversed(heads)))
    for i in range(9):
        changed = list(heads)
        changed[i] = Head(heads[i].case_id, heads[i].sequence + 1, heads[i].hash)
        assert merkle_root(changed) != merkle_root(heads)
    assert merkle_root(heads[:-1]) != merkle_root(heads)


def test_the_root_follows_the_documented_shape():
    a, b, c = _heads(3)
    node = hashlib.sha256(b"\x01" + leaf_hash(a) + leaf_hash(b)).digest()
    assert merkle_root([a, b, c]) == hashlib.sha256(b"\x01" + node + leaf_hash(c)).hexdigest()
    assert merkle_root([a]) == leaf_hash(a).hex()
    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()


def test_a_case_twice_among_the_heads_is_refused():
    a = _heads(1)[0]
    with pytest.raises(ValueError):
        merkle_root([a, Head(a.case_id, a.sequence + 1, a.hash)])


def test_heads_are_cut_into_parts_in_case_order():
    heads = _heads(10)
    cut = parts(reversed(heads), size=4)
    assert [len(p) for p in cut] == [4, 4, 2] and [h for p in cut for h in p] == sorted(heads)
    assert parts([]) == [[]]


def test_a_signed_checkpoint_opens_with_its_public_key_and_carries_every_head():
    key = new_signing_key()
    heads = _heads(9000)  # three parts
    signed = sign(heads, key, now=NOW)
    assert len(signed.parts) == 3
    opened = open_checkpoint(signed, {key_id(key.public_key()): key.public_key()})
    assert opened.heads == tuple(sorted(heads)) and opened.created_at == NOW and opened.root == merkle_root(heads)
    again = open_checkpoint(SignedCheckpoint.from_export(json.loads(json.dumps(signed.to_export()))),
                            {key_id(key.public_key()): key.public_key()})
    assert again == opened


def test_a_checkpoint_signed_by_another_key_or_altered_does_not_open():
    key, other = new_signing_key(), new_signing_key()
    keys = {key_id(key.public_key()): key.public_key()}
    heads = _heads(5)
    with pytest.raises(CheckpointError, match="unknown key"):
        open_checkpoint(sign(heads, other, now=NOW), keys)
    signed = sign(heads, key, now=NOW)
    forged_other = sign(heads, other, now=NOW)
    header, _, signature = signed.document.split(".")
    with pytest.raises(CheckpointError, match="signature"):  # another payload under this signature
        open_checkpoint(SignedCheckpoint(f"{header}.{forged_other.document.split('.')[1]}.{signature}", signed.parts), keys)
    part = json.loads(signed.parts[0])
    part["heads"] = part["heads"][1:]  # a case dropped from the heads
    with pytest.raises(CheckpointError, match="part 0"):
        open_checkpoint(SignedCheckpoint(signed.document, (json.dumps(part),)), keys)
    with pytest.raises(CheckpointError, match="part"):
        open_checkpoint(SignedCheckpoint(signed.document, ()), keys)


def test_the_database_is_compared_with_the_anchored_heads():
    kept, rewritten, deleted, truncated, grown = _heads(5)
    anchored = [kept, rewritten, deleted, truncated, grown]
    present = {kept.case_id, rewritten.case_id, truncated.case_id, grown.case_id}
    stored = {
        (kept.case_id, kept.sequence): kept.hash,
        (rewritten.case_id, rewritten.sequence): "f" * 64,
        (grown.case_id, grown.sequence): grown.hash,  # later entries exist beyond it: that is growth, not damage
    }
    findings = contradictions(anchored, present, stored)
    assert [(f.case_id, f.problem) for f in findings] == sorted([
        (rewritten.case_id, AnchorProblem.CASE_REWRITTEN), (deleted.case_id, AnchorProblem.CASE_DELETED),
        (truncated.case_id, AnchorProblem.CASE_REWRITTEN)])
    assert all(f.description and "f" * 64 not in f.description for f in findings)
