"""GOV.UK date inputs (day, month, year) read from a form, with the design system's error wording.

    value = DateValue.from_form(form, "incident-date")
    day, error = value.parse("Date of the incident", today=today, not_future=True)

`error` is None or `(field id of the first part in error, message)`; the template marks the parts
in error (`value.error_parts`) and shows the message on the whole date input.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

PARTS = ("day", "month", "year")


@dataclass
class DateValue:
    """What the person typed in one date input (kept as typed, to show back)."""

    day: str = ""
    month: str = ""
    year: str = ""
    error_parts: list[str] = field(default_factory=list)

    @classmethod
    def from_form(cls, form: Any, prefix: str) -> DateValue:
        return cls(*(str(form.get(f"{prefix}-{part}", "")).strip()[:10] for part in PARTS))

    @classmethod
    def from_iso(cls, value: str) -> DateValue:
        try:
            day = dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return cls()
        return cls(str(day.day), str(day.month), str(day.year))

    @classmethod
    def from_dict(cls, data: Any) -> DateValue:
        data = data if isinstance(data, dict) else {}
        return cls(*(str(data.get(part, "")) for part in PARTS))

    def as_dict(self) -> dict[str, str]:
        return {"day": self.day, "month": self.month, "year": self.year}

    @property
    def empty(self) -> bool:
        return not (self.day or self.month or self.year)

    def to_date(self) -> dt.date | None:
        """The date, or None when it is not a real one (no messages)."""
        try:
            if not (self.day.isdigit() and self.month.isdigit() and self.year.isdigit() and len(self.year) == 4):
                return None
            return dt.date(int(self.year), int(self.month), int(self.day))
        except ValueError:
            return None

    def parse(self, label: str, *, field_id: str, today: dt.date, required: bool = True, not_future: bool = True,
              enter: str = "") -> tuple[dt.date | None, tuple[str, str] | None]:
        """The date, or the GOV.UK message for what is wrong with it (naming `label`)."""
        self.error_parts = []
        if self.empty:
            if not required:
                return None, None
            self.error_parts = list(PARTS)
            return None, (f"{field_id}-day", enter or f"Enter the {label[:1].lower()}{label[1:]}")
        missing = [part for part in PARTS if not getattr(self, part)]
        if missing:
            self.error_parts = missing
            return None, (f"{field_id}-{missing[0]}", f"{label} must include a {' and '.join(missing)}")
        wrong = [part for part in PARTS if not getattr(self, part).isdigit()]
        if self.year.isdigit() and len(self.year) != 4:
            wrong.append("year")
        if wrong:
            self.error_parts = sorted(set(wrong), key=PARTS.index)
            return None, (f"{field_id}-{self.error_parts[0]}", f"{label} must be a real date")
        day = self.to_date()
        if day is None:
            self.error_parts = list(PARTS)
            return None, (f"{field_id}-day", f"{label} must be a real date")
        if not_future and day > today:
            self.error_parts = list(PARTS)
            return None, (f"{field_id}-day", f"{label} must be today or in the past")
        return day, None

    def items(self, field_id: str) -> list[dict[str, Any]]:
        """The `items` of govukDateInput, the parts in error marked."""
        widths = {"day": 2, "month": 2, "year": 4}
        return [{"name": part, "label": part.capitalize(), "value": getattr(self, part),
                 "classes": f"govuk-input--width-{widths[part]}" + (" govuk-input--error" if part in self.error_parts else "")}
                for part in PARTS]
