"""One page's answers checked as a whole: each field (fields.read_fields), then what involves
several fields of the section (an end before its start, a concern about nobody, learning
without a theme). Pure; the result says what to store and what to tell the person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from rapidreview.gathering.domain.validation import MAX_THEMES
from rapidreview.workspace.returns.fields import Checked, read_fields
from rapidreview.workspace.returns.sections import Section


def read_section(sec: Section, form: Mapping[str, Any], today: dt.date, getlist: Any = None) -> Checked:
    """The section's answers from a posted form, with every error in page order."""
    checked = read_fields(sec.fields, form, today, getlist)
    v, errors = checked.values, checked.errors
    failed = {field_id.split("-")[0] for field_id, _ in errors}
    if sec.key == "involvement":
        if v.get("involvement") == "involved" and not v.get("start") and "start" not in failed:
            errors.append(("start-day", "Enter the date your involvement started"))
        if v.get("involvement") == "not_involved":
            v["start"], v["end"] = "", ""
    if sec.key in ("involvement", "episodes") and v.get("start") and v.get("end") and v["end"] < v["start"]:
        errors.append(("end-day", "The end date must be the same as or after the start date"))
    if sec.key == "concerns" and "own_agency" not in failed and "about" not in failed \
            and not v.get("own_agency") and not v.get("about"):
        errors.append(("about", "Enter the agencies the concern is about, or answer yes if it is about your own agency"))
    if sec.key == "learning" and "other_themes" not in failed:
        count = len(v.get("themes") or []) + len(v.get("other_themes") or [])
        if count == 0:
            errors.append(("themes", "Select at least one theme, or enter another theme"))
        elif count > MAX_THEMES:
            errors.append(("themes", f"Select {MAX_THEMES} themes or fewer, other themes included"))
    if sec.key == "learning" and not v.get("already_identified"):
        v["acted_on"], v["earlier_reviews"] = "", []
    order = [f.name for f in sec.fields]
    errors.sort(key=lambda e: order.index(e[0].split("-")[0]) if e[0].split("-")[0] in order else len(order))
    return checked
