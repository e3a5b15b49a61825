"""The questions of the return form, and how each answer is checked (pure, no I/O).

The form is declared, not hand-written page by page: each section of the return
(`sections.py`) lists its `Field`s, and one set of templates and handlers renders,
reads and checks every section the same way. The limits are gathering's own
(`gathering.domain.validation`), so an answer accepted here is accepted by the
service; the service still checks everything on submit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidreview.gathering.domain.validation import HONORIFIC, PLAUSIBLE_YEARS, REVIEW_ID, earliest_plausible

#: Field kinds: what the page shows and what the draft stores.
DATE = "date"            # day/month/year inputs → "YYYY-MM-DD"
TEXT = "text"            # one line
TEXTAREA = "textarea"    # long text with a character count
RADIOS = "radios"        # one of `options`
SELECT = "select"        # one of `options`, as a drop-down (long lists)
CHECKBOXES = "checkboxes"  # any of `options` → list
YESNO = "yesno"          # "yes" / "no" radios → bool
LIST = "list"            # comma-separated words → list (earlier review ids, other themes, agency names)

_AGENCY_ID = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Field:
    """One question. `name` is its key in the draft and the form field's name (and id)."""

    name: str
    label: str
    kind: str
    required: bool = False
    max_len: int = 0
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()
    #: A role, never a person: titles such as "Mrs" or "Dr" are refused (as gathering does).
    role: bool = False
    #: Words to use in messages ("the date of the contact").
    noun: str = ""
    max_items: int = 0
    #: For LIST fields: each item must match this pattern (e.g. an earlier review id).
    item_pattern: re.Pattern[str] | None = None
    #: Asked only when another field has this answer as posted, e.g. ("already_identified", "yes").
    when: tuple[str, Any] | None = None
    classes: str = ""

    @property
    def what(self) -> str:
        return self.noun or self.label[:1].lower() + self.label[1:]


@dataclass
class Checked:
    """The answers of one page: `values` by field name (as the draft stores them), `raw` as typed
    (to show back on an error) and `errors` as (field id, message) in page order."""

    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)


def date_parts(value: str) -> dict[str, str]:
    """"2024-06-04" → {"day": "4", "month": "6", "year": "2024"} (empty parts for nothing)."""
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return {"day": "", "month": "", "year": ""}
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def parse_date(day: str, month: str, year: str, today: dt.date, what: str, *, required: bool) -> tuple[str, str]:
    """(ISO date, "") or ("", GOV.UK error message) for a date typed in three boxes."""
    parts = {"day": day.strip(), "month": month.strip(), "year": year.strip()}
    if not any(parts.values()):
        return ("", f"Enter {what}") if required else ("", "")
    missing = [name for name, value in parts.items() if not value]
    if missing:
        return "", f"{what[:1].upper()}{what[1:]} must include a {' and '.join(missing)}"
    if not all(v.isdigit() for v in parts.values()) or len(parts["year"]) != 4:
        return "", f"{what[:1].upper()}{what[1:]} must be a real date"
    try:
        value = dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return "", f"{what[:1].upper()}{what[1:]} must be a real date"
    return check_date(value, today, what)


def check_date(value: dt.date, today: dt.date, what: str) -> tuple[str, str]:
    if value > today:
        return "", f"{what[:1].upper()}{what[1:]} must be today or in the past"
    if value < earliest_plausible(today):
        return "", f"{what[:1].upper()}{what[1:]} must be within the last {PLAUSIBLE_YEARS} years"
    return value.isoformat(), ""


def split_list(text: str) -> list[str]:
    """"LSCP-2021-03, LSCP-2022-01" → ["LSCP-2021-03", "LSCP-2022-01"] (commas, semicolons or new lines)."""
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


def agency_id(name: str) -> str:
    """An agency named in words as an agency id: "Health visiting" → "health-visiting"."""
    return _AGENCY_ID.sub("-", name.casefold()).strip("-")[:64]


def check_text(value: str, f: Field) -> str:
    """The error message for a text answer ("" when fine)."""
    if f.required and not value.strip():
        return f"Enter {f.what}"
    if f.max_len and len(value) > f.max_len:
        return f"{f.label} must be {f.max_len:,} characters or fewer"
    if f.role and value and HONORIFIC.search(value):
        return f"{f.label} must be a role, for example 'health visitor', never a person's name or title"
    return ""


def read_fields(fields: tuple[Field, ...], form: Mapping[str, Any], today: dt.date, getlist: Any = None) -> Checked:
    """Checks the posted answers of `fields`; a field hidden by `when` is stored empty."""
    out = Checked()
    many = getlist or (lambda name: form.get(name) or [])
    for f in fields:
        if f.kind == DATE:
            parts = {p: str(form.get(f"{f.name}-{p}", "")) for p in ("day", "month", "year")}
            out.raw[f.name] = parts
            value, error = parse_date(parts["day"], parts["month"], parts["year"], today, f.what, required=f.required)
            if error:
                out.errors.append((f"{f.name}-day", error))  # GOV.UK: the error links to the first box
            out.values[f.name] = value
        elif f.kind == CHECKBOXES:
            chosen = [str(v) for v in many(f.name)]
            out.raw[f.name] = chosen
            allowed = {value for value, _ in f.options}
            chosen = [c for c in chosen if c in allowed]
            out.values[f.name] = list(dict.fromkeys(chosen))
        else:
            raw = str(form.get(f.name, ""))
            out.raw[f.name] = raw
            out.values[f.name] = raw
    for f in fields:
        if f.kind in (DATE, CHECKBOXES):
            continue
        if f.when and out.raw.get(f.when[0]) != f.when[1]:
            out.values[f.name] = "" if f.kind != LIST else []
            continue
        raw = out.raw[f.name]
        error = ""
        if f.kind in (RADIOS, SELECT):
            allowed = {value for value, _ in f.options}
            if raw and raw not in allowed:
                error = f"Select {f.what} from the list"
            elif f.required and not raw:
                error = f"Select {f.what}"
        elif f.kind == YESNO:
            if raw not in ("yes", "no", ""):
                error = f"Select yes or no for {f.what}"
            elif f.required and not raw:
                error = f"Select yes if {f.what}"
            out.values[f.name] = raw == "yes"
        elif f.kind == LIST:
            items = split_list(raw)
            out.values[f.name] = items
            if f.required and not items:
                error = f"Enter {f.what}"
            elif f.max_items and len(items) > f.max_items:
                error = f"{f.label}: enter {f.max_items} or fewer"
            elif f.item_pattern is not None and any(not f.item_pattern.match(i) for i in items):
                error = f"{f.label}: each must be letters, digits and . _ / - (for example LSCP-2021-03)"
            elif f.max_len and any(len(i) > f.max_len for i in items):
                error = f"{f.label}: each must be {f.max_len} characters or fewer"
        else:
            error = check_text(raw, f)
        if error:
            out.errors.append((f.name, error))
    out.errors.sort(key=lambda e: _order(fields, e[0]))
    return out


def _order(fields: tuple[Field, ...], field_id: str) -> int:
    for i, f in enumerate(fields):
        if field_id == f.name or field_id.startswith(f"{f.name}-"):
            return i
    return len(fields)


def form_values(fields: tuple[Field, ...], item: Mapping[str, Any]) -> dict[str, Any]:
    """What the form shows for a stored item (dates split into their three boxes, lists joined)."""
    out: dict[str, Any] = {}
    for f in fields:
        value = item.get(f.name)
        if f.kind == DATE:
            out[f.name] = date_parts(value or "")
        elif f.kind == YESNO:
            out[f.name] = "" if value is None or value == "" else ("yes" if value else "no")
        elif f.kind == LIST:
            out[f.name] = ", ".join(value or [])
        elif f.kind == CHECKBOXES:
            out[f.name] = list(value or [])
        else:
            out[f.name] = value or ""
    return out


__all__ = ["CHECKBOXES", "DATE", "LIST", "RADIOS", "REVIEW_ID", "SELECT", "TEXT", "TEXTAREA", "YESNO", "Checked", "Field",
           "agency_id", "check_date", "check_text", "date_parts", "form_values", "parse_date", "read_fields", "split_list"]
