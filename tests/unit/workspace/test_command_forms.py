"""Command forms without a browser: what the person typed read into values with GOV.UK messages,
"add another" items added and removed, dependent questions asked only when their answer says so,
and the four services' access logs merged one page at a time without skipping or repeating."""

from __future__ import annotations

import asyncio
import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from rapidreview.workspace.access_log_pages import BadCursor, Cursor, merged_page
from rapidreview.workspace.command_forms import (
    CONFIRM,
    DATE,
    GROUP,
    LINES,
    NUMBER,
    RADIOS,
    TEXTAREA,
    Choice,
    Field,
    add_item,
    raw_from_form,
    read_fields,
    remove_item,
    summary_rows,
)

TODAY = dt.date(2024, 6, 28)
FIELDS = (
    Field("sent-date", "Date sent to the Panel", DATE),
    Field("kind", "What the Panel said", RADIOS, choices=(Choice("agrees", "Agrees"), Choice("challenges", "Challenges"))),
    Field("summary", "Summary of the letter", TEXTAREA, required=False, max_length=20),
    Field("reason", "Why not", TEXTAREA, max_length=100, only_when=("kind", "challenges")),
    Field("weeks", "Weeks between checks", NUMBER, required=False, minimum=1, maximum=12),
    Field("themes", "Learning themes", LINES, max_items=2, max_length=10),
    Field("declaration", "The reviewer declared everything", CONFIRM, required_message="Confirm the declaration"),
)
GROUP_FIELD = Field("involvements", "Involvements", GROUP, required=False, item_name="involvement", max_items=3, subfields=(
    Field("agency_id", "Agency id", max_length=64), Field("description", "What it was", TEXTAREA, max_length=50)))


def _errors(raw: dict[str, str], fields: tuple[Field, ...] = FIELDS) -> list[tuple[str, str]]:
    return read_fields(fields, raw, today=TODAY).errors.items


def test_an_empty_form_names_every_required_question_linked_to_its_first_input() -> None:
    assert _errors({}) == [
        ("sent-date-day", "Enter the date sent to the Panel"),
        ("kind", "Select what the Panel said"),
        ("themes", "Enter learning themes"),
        ("declaration", "Confirm the declaration"),
    ]


def test_impossible_and_future_dates_are_refused_and_the_typed_parts_kept() -> None:
    state = read_fields(FIELDS, {"sent-date-day": "30", "sent-date-month": "2", "sent-date-year": "2024"}, today=TODAY)
    assert ("sent-date-day", "Date sent to the Panel must be a real date") in state.errors.items
    assert state.dates["sent-date"].day == "30"
    future = _errors({"sent-date-day": "1", "sent-date-month": "7", "sent-date-year": "2024"})
    assert ("sent-date-day", "Date sent to the Panel must be today or in the past") in future
    missing_year = _errors({"sent-date-day": "1", "sent-date-month": "7"})
    assert ("sent-date-year", "Date sent to the Panel must include a year") in missing_year


def test_values_are_typed_and_oversized_text_is_refused_with_its_limit() -> None:
    raw = {"sent-date-day": "27", "sent-date-month": "6", "sent-date-year": "2024", "kind": "agrees", "summary": "x" * 21,
           "weeks": "13", "themes": "bruising\n\nneglect\n", "declaration": "yes"}
    state = read_fields(FIELDS, raw, today=TODAY)
    assert state.values["sent-date"] == dt.date(2024, 6, 27) and state.values["themes"] == ["bruising", "neglect"]
    assert state.errors.items == [("summary", "Summary of the letter must be 20 characters or fewer"),
                                  ("weeks", "Weeks between checks must be a whole number from 1 to 12")]


def test_a_radio_answer_outside_its_choices_is_refused() -> None:
    assert ("kind", "Select what the Panel said from the list") in _errors({"kind": "directs"})


def test_a_dependent_question_is_asked_only_when_its_answer_says_so() -> None:
    agrees = read_fields(FIELDS, {"kind": "agrees", "reason": "ignored"}, today=TODAY)
    assert agrees.values["reason"] is None and not any(f == "reason" for f, _ in agrees.errors.items)
    challenges = read_fields(FIELDS, {"kind": "challenges"}, today=TODAY)
    assert ("reason", "Enter why not") in challenges.errors.items
    assert [r["field"] for r in summary_rows(FIELDS, agrees)].count("reason") == 0


def test_add_another_keeps_items_and_remove_renumbers_the_ones_after() -> None:
    raw = {"involvements-0-agency_id": "a", "involvements-0-description": "first"}
    add_item(raw, GROUP_FIELD)
    raw.update({"involvements-1-agency_id": "b", "involvements-1-description": "second"})
    add_item(raw, GROUP_FIELD)
    raw.update({"involvements-2-agency_id": "c"})
    add_item(raw, GROUP_FIELD)  # at most 3
    assert raw["involvements-count"] == "3"
    remove_item(raw, GROUP_FIELD, 0)
    state = read_fields((GROUP_FIELD,), raw, today=TODAY)
    assert [i["agency_id"] for i in state.values["involvements"]] == ["b", "c"]
    assert ("involvements-1-description", "Involvement 2: enter what it was") in state.errors.items


def test_an_empty_added_item_is_not_an_item() -> None:
    raw = {"involvements-count": "2", "involvements-0-agency_id": "a", "involvements-0-description": "x"}
    assert len(read_fields((GROUP_FIELD,), raw, today=TODAY).values["involvements"]) == 1


def test_the_framework_s_own_names_are_not_the_persons_answers() -> None:
    assert raw_from_form({"csrf_token": "t", "step": "confirm", "idempotency_key": "k", "kind": "agrees", "text": "a\r\nb"}) == {
        "kind": "agrees", "text": "a\nb"}


def _entry(seconds: int, name: str) -> Any:
    return SimpleNamespace(at=SimpleNamespace(seconds=seconds, nanos=0), name=name)


class FakeLogs:
    """Each service's log newest first, paged by a token that is the index of the next entry."""

    def __init__(self, logs: dict[str, list[int]]) -> None:
        self.logs = {s: [_entry(t, f"{s}-{t}") for t in sorted(times, reverse=True)] for s, times in logs.items()}
        self.calls = 0

    async def fetch(self, service: str, token: str, size: int) -> tuple[list[Any], str]:
        self.calls += 1
        start = int(token or 0)
        entries = self.logs.get(service, [])[start:start + size]
        return entries, str(start + size) if start + size < len(self.logs.get(service, [])) else ""


def test_the_access_logs_are_merged_newest_first_across_pages_without_gaps_or_repeats() -> None:
    logs = FakeLogs({"intake": [1, 4, 9, 12, 20], "gathering": [2, 3], "criteria": [], "decisions": [5, 6, 7, 8, 10, 11, 30]})
    cursor: Cursor | None = Cursor(dt.datetime(2024, 6, 28, tzinfo=dt.UTC))
    seen: list[str] = []
    while cursor is not None:
        page, cursor = asyncio.run(merged_page(logs.fetch, Cursor.decode(cursor.encode()), 4))
        assert len(page) <= 4
        seen.extend(entry.name for _, entry in page)
    times = [int(name.split("-")[1]) for name in seen]
    assert times == sorted(times, reverse=True) and len(times) == 14 and len(set(seen)) == 14


def test_a_cursor_that_did_not_come_from_the_page_is_refused() -> None:
    for text in ("", "not base64!", "e30", "x" * 5000):
        with pytest.raises(BadCursor):
            Cursor.decode(text)
