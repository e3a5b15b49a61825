"""The form-error model: field violations from a service as the GOV.UK error summary.

A route that posts a form catches `InvalidInput`, builds `FormErrors` from its
violations with a map from the request's field paths to the form's field ids, and
renders the form again with the person's input and `errors`:

    except InvalidInput as exc:
        errors = FormErrors.from_violations(exc.violations, {"reason": "reason", "sent_date": "sent-date-day"})
        return render(request, "cases/withdraw.html", {"form": form, "errors": errors}, status=400)

Templates pass `errors.summary` to `govukErrorSummary(errorList=...)` and
`errors.message(field_id)` to each field's `errorMessage`; the page title gains
"Error: " (base layout does it when `errors` is set).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_INDEX = re.compile(r"\[(\d+)\]")


def default_field_id(path: str) -> str:
    """`notification.child.age_years` → `notification-child-age_years`; `entries[2].date` → `entries-2-date`."""
    return _INDEX.sub(r"-\1", path).replace(".", "-")


@dataclass
class FormErrors:
    """Errors by form field id, in the order they were found."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, field_id: str, text: str) -> None:
        self.items.append((field_id, text))

    def __bool__(self) -> bool:
        return bool(self.items)

    def message(self, field_id: str) -> dict[str, str] | None:
        """The `errorMessage` argument for a GOV.UK macro (None when the field is fine)."""
        texts = [text for fid, text in self.items if fid == field_id]
        return {"text": " ".join(texts)} if texts else None

    @property
    def summary(self) -> list[dict[str, str]]:
        """The `errorList` of govukErrorSummary: each error linked to its field."""
        return [{"text": text, "href": f"#{fid}"} for fid, text in self.items]

    @classmethod
    def from_violations(cls, violations: list[tuple[str, str]], fields: Mapping[str, str] | None = None,
                        *, labels: Mapping[str, str] | None = None) -> FormErrors:
        """`fields` maps a request field path (or its prefix) to the form field id; `labels` to the
        words the page uses for it ("Date of the incident"), which lead the message."""
        fields, labels = fields or {}, labels or {}
        out = cls()
        for path, description in violations:
            field_id = _lookup(fields, path) or default_field_id(path)
            label = _lookup(labels, path)
            text = description[:1].upper() + description[1:]
            out.add(field_id, f"{label}: {description}" if label else text)
        return out


def _lookup(table: Mapping[str, str], path: str) -> str:
    candidate = path
    while candidate:
        if candidate in table:
            return table[candidate]
        candidate = candidate.rpartition(".")[0]
    return ""
