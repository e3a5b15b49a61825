"""The return form's answers and the chronology import, checked without any service: dates typed
in three boxes, cross-field rules, CSV and Excel files with good and bad rows, malformed files."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from rapidreview.workspace.returns import importing
from rapidreview.workspace.returns.answers import read_section
from rapidreview.workspace.returns.fields import parse_date
from rapidreview.workspace.returns.sections import section

TODAY = dt.date(2024, 6, 20)


@pytest.mark.parametrize(("parts", "error"), [
    (("30", "2", "2024"), "The date must be a real date"),
    (("21", "6", "2024"), "The date must be today or in the past"),
    (("", "6", "2024"), "The date must include a day"),
    (("1", "1", "24"), "The date must be a real date"),
    (("1", "1", "1990"), "The date must be within the last 30 years"),
])
def test_a_date_that_is_impossible_future_incomplete_or_implausible_is_refused_in_words(parts, error) -> None:
    assert parse_date(*parts, TODAY, "the date", required=True) == ("", error)


def test_a_real_past_date_becomes_iso_and_an_empty_optional_one_is_nothing() -> None:
    assert parse_date("7", "3", "2024", TODAY, "the date", required=True) == ("2024-03-07", "")
    assert parse_date("", "", "", TODAY, "the date", required=False) == ("", "")


def test_involvement_needs_a_start_when_involved_and_an_end_not_before_it() -> None:
    sec = section("involvement")
    checked = read_section(sec, {"involvement": "involved"}, TODAY)
    assert checked.errors == [("start-day", "Enter the date your involvement started")]
    checked = read_section(sec, {"involvement": "involved", "start-day": "5", "start-month": "5", "start-year": "2024",
                                 "end-day": "4", "end-month": "5", "end-year": "2024"}, TODAY)
    assert checked.errors == [("end-day", "The end date must be the same as or after the start date")]
    checked = read_section(sec, {"involvement": "not_involved", "start-day": "5", "start-month": "5", "start-year": "2024"}, TODAY)
    assert checked.errors == [] and checked.values["start"] == ""


def test_a_chronology_entry_keeps_what_was_typed_and_names_every_problem_in_page_order() -> None:
    form = {"date-day": "30", "date-month": "2", "date-year": "2024", "contact_type": "", "role": "Dr Smith", "summary": "x" * 4001}
    checked = read_section(section("chronology"), form, TODAY)
    assert [field for field, _ in checked.errors] == ["date-day", "contact_type", "role", "summary"]
    assert "never a person's name" in checked.errors[2][1] and "4,000 characters" in checked.errors[3][1]
    assert checked.raw["date"] == {"day": "30", "month": "2", "year": "2024"} and checked.raw["role"] == "Dr Smith"


def test_learning_needs_a_theme_and_a_concern_needs_someone_it_is_about() -> None:
    learning = read_section(section("learning"), {"description": "Share it", "already_identified": "no"}, TODAY)
    assert learning.errors == [("themes", "Select at least one theme, or enter another theme")]
    concern = read_section(section("concerns"), {"type": "INFORMATION_SHARING", "own_agency": "no", "description": "Late"}, TODAY)
    assert concern.errors[0][0] == "about"
    ok = read_section(section("concerns"), {"type": "INFORMATION_SHARING", "own_agency": "no", "about": "Health visiting",
                                             "description": "Late"}, TODAY)
    assert ok.errors == [] and ok.values["about"] == ["Health visiting"]


GOOD_CSV = ("Date,Contact type,Practitioner role,What happened,Decisions,Your reference\r\n"
            "07/03/2024,Appointment,GP,\"Baby seen with a cold, bruise noted\",No referral,EMIS-1\r\n"
            "\r\n"
            "2024-03-08,home visit,health visitor,Visit,,\r\n")


def test_a_csv_with_uk_and_iso_dates_gives_every_row() -> None:
    result = importing.read_chronology("chronology.csv", GOOD_CSV.encode("utf-8-sig"), TODAY, room=5000)
    assert result.ok and result.problems == []
    assert [(r["date"], r["contact_type"], r["role"]) for r in result.rows] == [
        ("2024-03-07", "APPOINTMENT", "GP"), ("2024-03-08", "HOME_VISIT", "health visitor")]
    assert result.rows[0]["summary"] == "Baby seen with a cold, bruise noted" and result.rows[0]["ref"] == "EMIS-1"


def test_a_csv_with_several_bad_rows_names_each_line_and_column_and_gives_no_row() -> None:
    text = ("Date;Contact type;Practitioner role;What happened\n"
            "07/03/2024;Appointment;GP;Fine row\n"
            "30/02/2024;Appointment;GP;Impossible date\n"
            "01/07/2024;Teleport;Mrs Jones;Future, unknown type, a name\n"
            "08/03/2024;Call;nurse;=cmd|' /C calc'!A0\n"
            "08/03/2024;Call;;\n")
    result = importing.read_chronology("c.csv", text.encode(), TODAY, room=5000)
    assert not result.ok and result.rows == []
    messages = result.messages()
    assert messages[0] == "Line 3, column 'Date': 30/02/2024 is not a real date"
    assert messages[1] == "Line 4, column 'Date': must be today or in the past"
    assert messages[2] == "Line 4, column 'Contact type': is not one of the contact types"
    assert messages[3].startswith("Line 4, column 'Practitioner role': Practitioner's role must be a role")
    assert messages[4] == "Line 5, column 'What happened': starts with a formula character (= + - @): enter plain text"
    assert messages[5:] == ["Line 6, column 'Practitioner role': enter the practitioner's role",
                            "Line 6, column 'What happened': enter what happened"]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("c.csv", b"", "The selected file is empty"),
    ("c.csv", b"\x00\x01\x02binary\x00", "The selected file must be a CSV or an Excel (.xlsx) file"),
    ("c.csv", "Date,Contact type\n07/03/2024,Réunion\n".encode("cp1252"), "The selected file is not UTF-8 text"),
    ("c.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "The selected file is an old Excel file (.xls)"),
    ("c.xlsx", b"PK\x03\x04not really a zip", "The selected file is not a valid Excel workbook (.xlsx)"),
    ("c.csv", b"Name,Age\nx,1\n", "Line 1, column 'Name': is not a column of the template"),
    ("c.csv", b"Date,Contact type,Practitioner role,What happened\n", "The selected file has a header row but no entries"),
])
def test_a_malformed_file_is_refused_with_what_to_do(name: str, data: bytes, message: str) -> None:
    result = importing.read_chronology(name, data, TODAY, room=5000)
    assert result.rows == [] and result.messages()[0].startswith(message)


def test_more_rows_than_the_chronology_can_take_are_refused_whole() -> None:
    rows = "".join(f"0{1 + i % 9}/03/2024,Call,nurse,Call {i}\n" for i in range(4))
    result = importing.read_chronology("c.csv", ("Date,Contact type,Practitioner role,What happened\n" + rows).encode(), TODAY, room=3)
    assert result.rows == [] and result.messages() == ["The file has more rows than the chronology can take: at most 3 more entries"]


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_file_with_date_cells_and_text_dates_gives_every_row() -> None:
    data = _xlsx([["Date", "Contact type", "Practitioner role", "What happened"],
                  [dt.datetime(2024, 3, 7), "Appointment", "GP", "Seen"], ["08/03/2024", "CALL", "nurse", "Phoned"]])
    result = importing.read_chronology("whatever.csv", data, TODAY, room=5000)  # the content decides, not the name
    assert result.ok and [r["date"] for r in result.rows] == ["2024-03-07", "2024-03-08"] and result.unit == "Row"


def test_an_excel_formula_cell_is_refused_by_row_and_column() -> None:
    data = _xlsx([["Date", "Contact type", "Practitioner role", "What happened"],
                  [dt.datetime(2024, 3, 7), "Appointment", "GP", "=HYPERLINK(\"http://x\")"]])
    result = importing.read_chronology("c.xlsx", data, TODAY, room=5000)
    assert result.messages() == ["Row 2, column 'What happened': starts with a formula character (= + - @): enter plain text"]


def test_the_templates_carry_the_documented_columns() -> None:
    assert importing.template_csv().decode("utf-8-sig").splitlines() == ["Date,Contact type,Practitioner role,What happened,Decisions,Your reference"]
    result = importing.read_chronology("t.xlsx", importing.template_xlsx(), TODAY, room=5000)
    assert result.messages() == ["The selected file has a header row but no entries"]
