"""Chronology rows from the file an agency keeps: CSV (UTF-8) or an Excel workbook (.xlsx).

The layout is fixed and documented (docs/workspace.md, and the template files built
from `COLUMNS`): a header row naming the columns (any order, any case; extra columns
are refused so nothing is silently dropped), then one contact per row. Dates may be
written as the agencies keep them, 07/03/2024 or 2024-03-07 (or real date cells).

`read_chronology` checks EVERY row and returns either the good rows or every problem
by line (or spreadsheet row) and column: the caller adds nothing at all when there is
a single problem. A file that is not what it says — binary, another encoding, an old
.xls, a formula in a cell — is refused with a message that says what to do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from rapidreview.workspace.returns.fields import check_date, check_text
from rapidreview.workspace.returns.sections import CONTACT_TYPES, section

#: Largest file accepted (5,000 rows of full text fit in it).
MAX_FILE_BYTES = 5 * 1024 * 1024
#: At most this many problems are listed; the rest are counted.
MAX_LISTED_PROBLEMS = 200
MAX_COLUMNS = 30


@dataclass(frozen=True)
class Column:
    header: str      # as written in the template
    field: str       # the chronology field it fills
    required: bool
    example: str
    meaning: str


COLUMNS = (
    Column("Date", "date", True, "07/03/2024", "Date of the contact: dd/mm/yyyy or yyyy-mm-dd"),
    Column("Contact type", "contact_type", True, "Appointment", "One of the contact types below (words or code)"),
    Column("Practitioner role", "role", True, "GP", "The practitioner's role, never a name (up to 100 characters)"),
    Column("What happened", "summary", True, "Baby seen with a cold; bruise on the left ear noted.",
           "What happened (up to 4,000 characters)"),
    Column("Decisions", "decisions", False, "Recorded as accidental; no referral.",
           "Decisions made at or after the contact (optional, up to 2,000 characters)"),
    Column("Your reference", "ref", False, "EMIS-1234", "Your own reference for the record (optional, up to 64 characters)"),
)
_BY_HEADER = {c.header.casefold(): c for c in COLUMNS}
_CONTACT_WORDS = {**{label.casefold(): code for code, label in CONTACT_TYPES},
                  **{code.casefold(): code for code, _ in CONTACT_TYPES},
                  **{code.replace("_", " ").casefold(): code for code, _ in CONTACT_TYPES}}
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
#: A cell a spreadsheet would run as a formula (CSV injection): refused, never stored.
_FORMULA = re.compile(r"^(?:[=+@\t\r]|-(?=[^\s]))")


@dataclass(frozen=True)
class Problem:
    line: int        # 0: the file as a whole
    column: str      # "" for the row or the file
    message: str

    def text(self, unit: str) -> str:
        if not self.line:
            return self.message
        where = f"{unit} {self.line}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: "Line" for CSV, "Row" for a spreadsheet (what the person sees in their program).
    unit: str = "Line"
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def messages(self) -> list[str]:
        listed = [p.text(self.unit) for p in self.problems]
        if self.more_problems:
            listed.append(f"And {self.more_problems} more problems: correct the ones above and try again")
        return listed


def read_chronology(filename: str, data: bytes, today: dt.date, *, room: int) -> ImportResult:
    """The chronology rows of the file, checked. `room` is how many entries the draft can still take."""
    if not data:
        return ImportResult(problems=[Problem(0, "", "The selected file is empty")])
    if len(data) > MAX_FILE_BYTES:
        return ImportResult(problems=[Problem(0, "", f"The selected file must be smaller than {MAX_FILE_BYTES // (1024 * 1024)} MB")])
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return ImportResult(problems=[Problem(0, "", "The selected file is an old Excel file (.xls): save it as .xlsx or as CSV UTF-8 and try again")])
    if data.startswith(b"PK\x03\x04"):  # a zip: a workbook whatever its name
        return _checked(_xlsx_rows(data), "Row", today, room)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return ImportResult(problems=[Problem(0, "", "The selected file is not a valid Excel workbook")])
    return _checked(_csv_rows(data), "Line", today, room)


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _csv_rows(data: bytes) -> Any:
    if b"\x00" in data[:8192]:
        raise _Refused("The selected file must be a CSV or an Excel (.xlsx) file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Refused("The selected file is not UTF-8 text: in Excel, save it as 'CSV UTF-8 (Comma delimited)' and try again") from None
    # Excel writes ";" where the decimal mark is a comma: the header line says which separator is used.
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for record in reader:
            yield line, record
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _Refused(f"Line {line}: the file is not valid CSV ({exc})") from None


def _xlsx_rows(data: bytes) -> Any:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise _Refused("The selected file is not a valid Excel workbook (.xlsx)") from exc
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            yield number, ["" if cell is None else cell for cell in row]
    finally:
        book.close()


def _checked(rows: Any, unit: str, today: dt.date, room: int) -> ImportResult:
    result = ImportResult(unit=unit)
    entries = 0
    try:
        header: list[Column | None] | None = None
        for line, record in rows:
            if all(_blank(cell) for cell in record):
                continue
            if header is None:
                header = _header(line, record, result)
                if result.problems:
                    return result
                continue
            entries += 1
            if entries > room:
                result.rows, result.problems = [], [Problem(0, "", f"The file has more rows than the chronology can take: "
                                                                  f"at most {room:,} more entries")]
                return result
            _row(line, record, header, today, result)
    except _Refused as refused:
        return ImportResult(problems=[Problem(0, "", refused.message)], unit=unit)
    if header is None:
        result.problems.append(Problem(0, "", "The selected file has no header row: use the template"))
    elif not result.rows and not result.problems:
        result.problems.append(Problem(0, "", "The selected file has a header row but no entries"))
    if len(result.problems) > MAX_LISTED_PROBLEMS:
        result.more_problems = len(result.problems) - MAX_LISTED_PROBLEMS
        result.problems = result.problems[:MAX_LISTED_PROBLEMS]
    if result.problems:
        result.rows = []  # nothing is added when anything is wrong
    return result


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _header(line: int, record: list[Any], result: ImportResult) -> list[Column | None]:
    columns: list[Column | None] = []
    seen: set[str] = set()
    for cell in record:
        name = str(cell).strip() if cell is not None else ""
        if not name:
            columns.append(None)
            continue
        column = _BY_HEADER.get(name.casefold())
        if column is None:
            result.problems.append(Problem(line, name, "is not a column of the template (Date, Contact type, Practitioner role, "
                                                      "What happened, Decisions, Your reference)"))
        elif column.field in seen:
            result.problems.append(Problem(line, name, "appears twice"))
        else:
            seen.add(column.field)
        columns.append(column)
    for column in COLUMNS:
        if column.required and column.field not in seen:
            result.problems.append(Problem(line, column.header, "is missing from the header row"))
    return columns


def _row(line: int, record: list[Any], header: list[Column | None], today: dt.date, result: ImportResult) -> None:
    chronology = section("chronology")
    assert chronology is not None
    values: dict[str, Any] = {c.field: "" for c in COLUMNS}
    problems: list[Problem] = []
    for i, cell in enumerate(record):
        column = header[i] if i < len(header) else None
        if column is None:
            if not _blank(cell):
                problems.append(Problem(line, "", f"has a value in column {i + 1}, which has no header"))
            continue
        if isinstance(cell, str) and _FORMULA.match(cell):
            problems.append(Problem(line, column.header, "starts with a formula character (= + - @): enter plain text"))
            continue
        if column.field == "date":
            value, error = _date(cell, today)
        elif column.field == "contact_type":
            text = str(cell).strip()
            value = _CONTACT_WORDS.get(" ".join(text.casefold().split()), "")
            error = "" if value else ("Enter the type of contact" if not text else "is not one of the contact types")
        else:
            value = cell.strip() if isinstance(cell, str) else ("" if cell is None else str(cell))
            error = check_text(value, chronology.field(column.field))
        if error:
            problems.append(Problem(line, column.header, error[:1].lower() + error[1:] if error.startswith(("Enter", "Select")) else error))
        values[column.field] = value
    if problems:
        result.problems.extend(problems)
    else:
        result.rows.append(values)


def _date(cell: Any, today: dt.date) -> tuple[str, str]:
    if isinstance(cell, dt.datetime):
        cell = cell.date()
    if isinstance(cell, dt.date):
        value, error = check_date(cell, today, "the date")
        return value, error.replace("The date ", "") if error else ""
    text = str(cell).strip()
    if not text:
        return "", "enter the date of the contact"
    uk, iso = _UK_DATE.match(text), _ISO_DATE.match(text)
    try:
        if uk:
            day = dt.date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
        elif iso:
            day = dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        else:
            return "", f"'{text[:20]}' is not a date: write it as dd/mm/yyyy or yyyy-mm-dd"
    except ValueError:
        return "", f"{text} is not a real date"
    value, error = check_date(day, today, "the date")
    return value, (error.replace("The date ", "") if error else "")


def template_csv() -> bytes:
    """The CSV template: the header row only (an example row left in would be imported as a contact);
    UTF-8 with a byte order mark, so that Excel opens it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """The Excel template: a "Chronology" sheet (the header row; the Date column formatted as dates)
    and a "Contact types" sheet listing the words the Contact type column accepts."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Chronology"
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (12, 22, 22, 60, 40, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    types = book.create_sheet("Contact types")
    types.append(["Contact type", "Code"])
    for code, label in CONTACT_TYPES:
        types.append([label, code])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
