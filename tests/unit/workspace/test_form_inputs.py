"""The pure parts of the forms: GOV.UK date inputs, "add another" agency rows and the form drafts
kept in memory (their database twin is tested on PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from starlette.datastructures import FormData

from rapidreview.kernel.auth import Principal, Role
from rapidreview.workspace.agency_form import agency_id_from_name, rows_from_form, validate_rows
from rapidreview.workspace.date_input import DateValue
from rapidreview.workspace.form_drafts import DraftTooLarge, MemoryFormDrafts

TODAY = dt.date(2024, 6, 20)


@pytest.mark.parametrize(("parts", "message", "marked"), [
    (("", "", ""), "Enter the date sent", ["day", "month", "year"]),
    (("7", "", "2024"), "Date sent must include a month", ["month"]),
    (("", "", "2024"), "Date sent must include a day and month", ["day", "month"]),
    (("7", "6", "24"), "Date sent must be a real date", ["year"]),
    (("x", "6", "2024"), "Date sent must be a real date", ["day"]),
    (("31", "6", "2024"), "Date sent must be a real date", ["day", "month", "year"]),
    (("21", "6", "2024"), "Date sent must be today or in the past", ["day", "month", "year"]),
])
def test_a_date_input_names_what_is_wrong_and_marks_the_parts(parts: tuple[str, str, str], message: str, marked: list[str]) -> None:
    value = DateValue(*parts)
    day, error = value.parse("Date sent", field_id="sent-date", today=TODAY)
    assert day is None and error is not None and error[1] == message
    assert error[0] == f"sent-date-{marked[0]}" and value.error_parts == marked
    assert [("govuk-input--error" in item["classes"]) for item in value.items("sent-date")] == [p in marked for p in ("day", "month", "year")]


def test_a_real_past_date_is_read_and_shown_back_as_typed() -> None:
    value = DateValue.from_form(FormData([("d-day", " 07 "), ("d-month", "6"), ("d-year", "2024")]), "d")
    assert value.parse("Date", field_id="d", today=TODAY) == (dt.date(2024, 6, 7), None)
    assert value.as_dict() == {"day": "07", "month": "6", "year": "2024"}
    assert DateValue.from_iso("2024-06-07").as_dict() == {"day": "7", "month": "6", "year": "2024"}


def test_agency_rows_are_read_in_order_and_checked() -> None:
    form = FormData([("agencies-1-name", "GP practice"), ("agencies-1-kind", "gp"), ("agencies-1-area-type", ""),
                     ("agencies-0-name", "West Yorkshire Police"), ("agencies-0-kind", "police"), ("agencies-0-area-type", "police-area"),
                     ("agencies-2-name", ""), ("agencies-2-kind", ""), ("agencies-2-area-type", "")])
    rows = rows_from_form(form)
    assert [r.effective_id for r in rows] == ["west-yorkshire-police", "gp-practice", ""]
    assert rows[2].blank and validate_rows(rows) == []
    twice = rows_from_form(FormData([("agencies-0-name", "GP practice"), ("agencies-0-kind", "gp"), ("agencies-0-area-type", ""),
                                     ("agencies-1-name", "GP Practice!"), ("agencies-1-kind", "gp"), ("agencies-1-area-type", "")]))
    assert validate_rows(twice) == [("agencies-1-id", "The agency id of agency 2 is already used: give it another id")]
    assert agency_id_from_name("  Leeds Children's Social Work Service ") == "leeds-children-s-social-work-service"


async def test_memory_drafts_belong_to_their_owner_and_expire() -> None:
    now = [1000.0]
    drafts = MemoryFormDrafts(ttl_seconds=60, clock=lambda: now[0])
    la, other = Principal("p1", Role.NOTIFYING_LA, "leeds"), Principal("p1", Role.NOTIFYING_LA, "bradford")
    await drafts.save(la, "notify", {"a": 1})
    assert await drafts.load(la, "notify") == {"a": 1} and await drafts.load(other, "notify") is None
    now[0] += 61
    assert await drafts.load(la, "notify") is None
    with pytest.raises(DraftTooLarge):
        await drafts.save(la, "notify", {"x": "y" * 600_000})
