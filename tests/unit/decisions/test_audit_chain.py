"""The audit hash chain: canonical form, links, and what verification names."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from rapidreview.decisions.domain.audit import (
    GENESIS_HASH, Change, Problem, StoredEntry, canonical_bytes, chain, verify_chain,
)

AT = dt.datetime(2024, 6, 26, 10, 30, 0, 123456, tzinfo=dt.UTC)


def _change(n: int, **kw) -> Change:  # type: ignore[no-untyped-def]
    base = dict(actor="dev-executive", actor_role="executive", action="decision.recorded", entity="decision", entity_id=f"d-{n}",
                before=None, after={"decision": "REVIEW_DECISION_CSPR", "n": n})
    base.update(kw)
    return Change(**base)  # type: ignore[arg-type]


def _chain(n: int) -> list[StoredEntry]:
    entries, seq, head = [], 0, GENESIS_HASH
    for i in range(1, n + 1):
        e = chain("case-1", seq, head, f"e-{i}", AT + dt.timedelta(seconds=i), _change(i))
        entries.append(StoredEntry(e.case_id, e.sequence, e.entry_id, e.recorded_at, e.change, e.previous_hash, e.hash))
        seq, head = e.sequence, e.hash
    return entries


def test_canonical_form_is_sorted_compact_utf8_with_microsecond_utc_time():
    change = _change(1, after={"z": 1, "a": "Dür"})
    data = canonical_bytes("case-1", 1, "e-1", AT, change, GENESIS_HASH)
    assert data.startswith(b'{"action":"decision.recorded","actor":"dev-executive","actor_role":"executive","after":{"a":"D\xc3\xbcr","z":1}')
    assert b'"recorded_at":"2024-06-26T10:30:00.123456Z"' in data and b" " not in data.replace(b"D\xc3\xbcr", b"")
    same_instant_elsewhere = AT.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert canonical_bytes("case-1", 1, "e-1", same_instant_elsewhere, change, GENESIS_HASH) == data


def test_each_entry_hashes_its_canonical_form_including_the_previous_hash():
    first, second = _chain(2)
    assert first.previous_hash == GENESIS_HASH and second.previous_hash == first.hash
    assert second.hash == hashlib.sha256(canonical_bytes("case-1", 2, "e-2", second.recorded_at, second.change, first.hash)).hexdigest()


def test_intact_chain_verifies_with_no_findings():
    entries = _chain(4)
    findings, checked = verify_chain("case-1", entries, 4, entries[-1].hash)
    assert findings == [] and checked == 4


def test_edited_entry_is_named_as_content_changed():
    entries = _chain(4)
    entries[1] = dataclasses.replace(entries[1], change=_change(2, actor="someone-else"))
    findings, _ = verify_chain("case-1", entries, 4, entries[-1].hash)
    assert [(f.sequence, f.problem) for f in findings] == [(2, Problem.CONTENT_CHANGED)]


def test_edited_and_rehashed_entry_breaks_the_link_of_the_next_one():
    entries = _chain(4)
    forged = chain("case-1", 1, entries[0].hash, "e-2", entries[1].recorded_at, _change(2, after={"decision": "REVIEW_DECISION_NO_CSPR"}))
    entries[1] = StoredEntry("case-1", 2, "e-2", forged.recorded_at, forged.change, forged.previous_hash, forged.hash)
    findings, _ = verify_chain("case-1", entries, 4, entries[-1].hash)
    assert [(f.sequence, f.problem) for f in findings] == [(3, Problem.CHAIN_BROKEN)]
    assert "entry 2" in findings[0].description


def test_deleted_middle_entry_is_named_missing():
    entries = _chain(4)
    del entries[2]
    findings, checked = verify_chain("case-1", entries, 4, entries[-1].hash)
    assert [(f.sequence, f.problem) for f in findings] == [(3, Problem.MISSING)] and checked == 3


def test_deleted_last_entries_are_caught_by_the_case_head():
    entries = _chain(4)
    findings, _ = verify_chain("case-1", entries[:2], 4, entries[-1].hash)
    assert [(f.sequence, f.problem) for f in findings] == [(3, Problem.MISSING), (4, Problem.MISSING)]


def test_head_that_does_not_match_the_last_entry_is_reported():
    entries = _chain(2)
    findings, _ = verify_chain("case-1", entries, 2, "f" * 64)
    assert [f.problem for f in findings] == [Problem.HEAD_MISMATCH]


def test_unreadable_change_is_reported_without_content():
    entries = _chain(2)
    entries[0] = dataclasses.replace(entries[0], change=None)
    findings, _ = verify_chain("case-1", entries, 2, entries[-1].hash)
    assert [(f.sequence, f.problem) for f in findings] == [(1, Problem.UNREADABLE)]


def test_findings_never_quote_entry_content():
    entries = _chain(3)
    entries[1] = dataclasses.replace(entries[1], change=_change(2, after={"rationale": "secret words"}))
    findings, _ = verify_chain("case-1", entries, 3, entries[-1].hash)
    assert findings and all("secret" not in f.description for f in findings)
