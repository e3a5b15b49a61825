"""The fields of a command form: what the person typed, read back, checked and shown again.

A form is a tuple of `Field`s. What the person typed travels as flat text (`raw`: form name →
value), so that a check-your-answers page can carry it in hidden inputs and "Change" can put it
back in the form without a draft store and without anything in the URL. `read_fields` turns the
raw text into typed values (dates, numbers, lists) and the GOV.UK error messages for what is wrong;
the owning service still validates everything again (its field violations are mapped back to
these fields by the command).

Kinds: `text`, `textarea` (with a character count), `date` (day, month, year), `radios`,
`yes_no`, `number`, `lines` (one item a line), `confirm` (one checkbox: a declaration) and
`group` (the "add another" pattern: a list of items, each with its own sub-fields; "Add another"
and "Remove" post the form back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidreview.workspace.date_input import DateValue
from rapidreview.workspace.forms import FormErrors

TEXT, TEXTAREA, DATE, RADIOS, YES_NO, NUMBER, LINES, GROUP, CONFIRM = (
    "text", "textarea", "date", "radios", "yes_no", "number", "lines", "group", "confirm")
#: Form names the framework itself uses (never a field's).
RESERVED = frozenset({"csrf_token", "step", "idempotency_key"})
MAX_RAW_VALUE = 1_100_000  # the longest field (a publishable text) is 1,000,000 characters


@dataclass(frozen=True)
class Choice:
    value: str
    text: str
    hint: str = ""


@dataclass(frozen=True)
class Field:
    """One question of a form. `id` is its HTML id and form name (and the error summary's anchor)."""

    id: str
    label: str
    kind: str = TEXT
    required: bool = True
    hint: str = ""
    max_length: int = 0
    choices: tuple[Choice, ...] | Callable[[Any], tuple[Choice, ...]] = ()
    not_future: bool = True
    not_past: bool = False
    width: str = ""
    minimum: int = 0
    maximum: int = 0
    subfields: tuple[Field, ...] = ()
    item_name: str = ""
    max_items: int = 0
    #: (field id, value): the field is asked only when that radio question has that answer.
    only_when: tuple[str, str] | None = None
    #: The words for it on the check-your-answers page (default: the label).
    summary_label: str = ""
    #: The message when a required answer is missing (default: "Enter …" / "Select …").
    required_message: str = ""

    def choice_list(self, context: Any) -> tuple[Choice, ...]:
        return self.choices(context) if callable(self.choices) else self.choices

    @property
    def anchor(self) -> str:
        """Where the error summary links to: a date's day, a radio's first item, else the field."""
        return f"{self.id}-day" if self.kind == DATE else self.id


@dataclass
class FormState:
    """What the person typed (`raw`) and what it means (`values`, by field id), with the errors."""

    raw: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)
    dates: dict[str, DateValue] = field(default_factory=dict)


def raw_from_form(form: Mapping[str, Any]) -> dict[str, str]:
    """The person's fields of a posted form, as text (framework names and files left out)."""
    out: dict[str, str] = {}
    for key in form:
        if key in RESERVED or not isinstance(key, str) or len(key) > 100:
            continue
        value = form.get(key)
        if isinstance(value, str):
            out[key] = value[:MAX_RAW_VALUE].replace("\r\n", "\n")
    return out


def group_count(raw: Mapping[str, str], group: Field) -> int:
    """How many items of an "add another" group the form holds (at least one, at most max_items)."""
    try:
        count = int(raw.get(f"{group.id}-count", "1"))
    except ValueError:
        count = 1
    return max(1, min(count, group.max_items or 50))


def add_item(raw: dict[str, str], group: Field) -> None:
    count = group_count(raw, group)
    if count < (group.max_items or 50):
        raw[f"{group.id}-count"] = str(count + 1)


def remove_item(raw: dict[str, str], group: Field, index: int) -> None:
    """Removes item `index` and renumbers the ones after it (one empty item is always left)."""
    count = group_count(raw, group)
    if not 0 <= index < count:
        return
    for i in range(index, count - 1):
        for sub in group.subfields:
            raw[f"{group.id}-{i}-{sub.id}"] = raw.get(f"{group.id}-{i + 1}-{sub.id}", "")
    for sub in group.subfields:
        raw.pop(f"{group.id}-{count - 1}-{sub.id}", None)
    raw[f"{group.id}-count"] = str(max(1, count - 1))


def asked(f: Field, raw: Mapping[str, str]) -> bool:
    """Whether the question applies, given the answers it depends on."""
    return f.only_when is None or raw.get(f.only_when[0], "") == f.only_when[1]


def read_fields(fields: tuple[Field, ...], raw: dict[str, str], *, today: dt.date, context: Any = None) -> FormState:
    """Typed values and GOV.UK error messages for `raw` (nothing is checked against a service here)."""
    state = FormState(raw=raw)
    for f in fields:
        if not asked(f, raw):
            state.values[f.id] = None
            if f.kind == DATE:
                state.dates[f.id] = DateValue.from_form(raw, f.id)
            continue
        if f.kind == GROUP:
            state.values[f.id] = _read_group(f, raw, state, today, context)
        else:
            state.values[f.id] = _read_one(f, f.id, raw, state, today, context)
    return state


def _read_one(f: Field, name: str, raw: Mapping[str, str], state: FormState, today: dt.date, context: Any) -> Any:
    errors, label = state.errors, f.label
    if f.kind == DATE:
        value = DateValue.from_form(raw, name)
        state.dates[name] = value
        day, error = value.parse(label, field_id=name, today=today, required=f.required, not_future=f.not_future)
        if error:
            errors.add(error[0], error[1])
            return None
        if day is not None and f.not_past and day <= today:
            errors.add(f"{name}-day", f"{label} must be in the future")
            value.error_parts = ["day", "month", "year"]
            return None
        return day
    text = raw.get(name, "")
    if f.kind in (TEXT, NUMBER, RADIOS, YES_NO, CONFIRM):
        text = text.strip()
    if f.kind == CONFIRM:
        if text != "yes" and f.required:
            errors.add(name, f.required_message or f"Confirm {_lower(label)}")
        return text == "yes"
    if not text and f.required and f.required_message and f.kind not in (LINES,):
        errors.add(name, f.required_message)
        return None if f.kind in (YES_NO, NUMBER) else ""
    if f.kind == RADIOS:
        allowed = {c.value for c in f.choice_list(context)}
        if not text:
            if f.required:
                errors.add(name, f"Select {_lower(label)}")
            return ""
        if text not in allowed:
            errors.add(name, f"Select {_lower(label)} from the list")
            return ""
        return text
    if f.kind == YES_NO:
        if text not in ("yes", "no"):
            if f.required:
                errors.add(name, f"Select yes or no for {_lower(label)}")
            return None
        return text == "yes"
    if f.kind == NUMBER:
        if not text:
            if f.required:
                errors.add(name, f"Enter {_lower(label)}")
            return None
        if not text.isdigit() or not f.minimum <= int(text) <= f.maximum:
            errors.add(name, f"{label} must be a whole number from {f.minimum} to {f.maximum}")
            return None
        return int(text)
    if f.kind == LINES:
        items = [line.strip() for line in text.split("\n") if line.strip()]
        if not items and f.required:
            errors.add(name, f"Enter {_lower(label)}")
        elif f.max_items and len(items) > f.max_items:
            errors.add(name, f"{label}: enter {f.max_items} or fewer, one a line")
        elif f.max_length and any(len(item) > f.max_length for item in items):
            errors.add(name, f"{label}: each must be {f.max_length:,} characters or fewer")
        return items
    # text and textarea
    if not text.strip():
        if f.required:
            errors.add(name, f"Enter {_lower(label)}")
        return ""
    if f.max_length and len(text) > f.max_length:
        errors.add(name, f"{label} must be {f.max_length:,} characters or fewer")
    return text.strip()


def _read_group(f: Field, raw: Mapping[str, str], state: FormState, today: dt.date, context: Any) -> list[dict[str, Any]]:
    items = []
    for i in range(group_count(raw, f)):
        names = {sub.id: f"{f.id}-{i}-{sub.id}" for sub in f.subfields}
        if not any(raw.get(n, "").strip() for n in names.values()):
            continue  # an empty item ("add another" pressed, then left blank) is not an item
        item = {}
        before = len(state.errors.items)
        for sub in f.subfields:
            item[sub.id] = _read_one(sub, names[sub.id], raw, state, today, context)
        # "Involvement 2: enter what the involvement was": the message says which item
        state.errors.items[before:] = [(fid, f"{f.item_name.capitalize()} {i + 1}: {_lower(text)}")
                                       for fid, text in state.errors.items[before:]]
        items.append(item)
    if f.required and not items:
        state.errors.add(f"{f.id}-0-{f.subfields[0].id}", f"Enter at least one {f.item_name}")
    return items


def _lower(text: str) -> str:
    """"Date sent" → "date sent" (an acronym such as "RR.DEADLINE" or "CSPR" stays as it is)."""
    first = text.split(" ", 1)[0]
    return text if first.isupper() and len(first) > 1 else text[:1].lower() + text[1:]


def summary_rows(fields: tuple[Field, ...], state: FormState, context: Any = None) -> list[dict[str, Any]]:
    """The rows of a check-your-answers page: (label, the answer in words, field id for "Change")."""
    rows = []
    for f in fields:
        if not asked(f, state.raw):
            continue
        rows.append({"key": f.summary_label or f.label, "value": answer_text(f, state.values.get(f.id), context),
                     "field": f.id, "multiline": f.kind in (TEXTAREA, LINES, GROUP)})
    return rows


def answer_text(f: Field, value: Any, context: Any = None) -> str:
    """An answer in the words the person chose it by."""
    if f.kind == YES_NO and value is False:
        return "No"
    if value is None or value == "" or value == [] or value is False:
        return "Not given"
    if f.kind == DATE:
        return f"{value.day} {value.strftime('%B %Y')}"
    if f.kind == RADIOS:
        return next((c.text for c in f.choice_list(context) if c.value == value), value)
    if f.kind in (YES_NO, CONFIRM):
        return "Yes" if value else "No"
    if f.kind == LINES:
        return "\n".join(value)
    if f.kind == GROUP:
        lines = []
        for item in value:
            parts = [answer_text(sub, item.get(sub.id), context) for sub in f.subfields if item.get(sub.id)]
            lines.append(" – ".join(parts))
        return "\n".join(lines)
    return str(value)
