"""POST.ANONYMISED: finds the case's identifying details in a publishable text.

Matching is case-insensitive, tolerant of extra whitespace inside a phrase and
bounded by non-word characters (so "Jo" does not match "Joseph"). A name also
matches each of its parts of three letters or more ("Jane Smith" is found in
"Ms Smith"). A date of birth matches its usual written forms ("2023-11-02",
"02/11/2023", "2/11/23", "2 November 2023", "2nd Nov 2023", "November 2, 2023").
Findings never leave this module except to the caller who sent the text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rapidreview.v1 import decisions_pb2 as D

NAME_PART_MIN = 3
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]


@dataclass(frozen=True)
class Detail:
    """An identifying detail to look for."""

    kind: int
    value: str
    label: str = ""


@dataclass(frozen=True)
class Finding:
    """Where a detail was found: kind, label, 1-based line and column, 0-based offset, length, text."""

    kind: int
    label: str
    line: int
    column: int
    offset: int
    length: int
    matched_text: str


def _bounded(core: str) -> str:
    return rf"(?<!\w){core}(?!\w)"


def _phrase(value: str) -> str:
    return r"\s+".join(re.escape(token) for token in value.split())


def _ordinal(day: int) -> str:
    return rf"{day}(?:st|nd|rd|th)?"


def date_patterns(day: dt.date) -> list[str]:
    """Regular expressions for the usual written forms of a date."""
    d, m, y = day.day, day.month, day.year
    dd, mm, yy = rf"0?{d}", rf"0?{m}", rf"(?:{y}|{y % 100:02d})"
    month = _MONTHS[m - 1]
    month_word = rf"(?:{month}|{month[:3]}\.?{'|sept' if m == 9 else ''})"
    return [
        rf"{y}-{m:02d}-{d:02d}",
        rf"{dd}\s*[/.\-]\s*{mm}\s*[/.\-]\s*{yy}",
        rf"{_ordinal(d)}\s+(?:of\s+)?{month_word},?\s+{y}",
        rf"{month_word}\s+{_ordinal(d)},?\s+{y}",
    ]


def patterns_for(detail: Detail) -> list[str]:
    """The patterns a detail is searched with (empty for an unusable value)."""
    value = " ".join(detail.value.split())
    if not value:
        return []
    if detail.kind == D.IDENTIFYING_DETAIL_KIND_DATE_OF_BIRTH:
        try:
            return [_bounded(p) for p in date_patterns(dt.date.fromisoformat(value))]
        except ValueError:
            return [_bounded(_phrase(value))]
    found = [_bounded(_phrase(value))]
    if detail.kind == D.IDENTIFYING_DETAIL_KIND_NAME:
        parts = [p for p in re.split(r"[\s\-]+", value) if len(re.sub(r"\W", "", p)) >= NAME_PART_MIN]
        if len(parts) > 1:
            found += [_bounded(re.escape(p)) for p in parts]
    return found


def find_identifying_details(text: str, details: list[Detail]) -> list[Finding]:
    """Every place in `text` where a detail appears, in text order. A match
    inside a longer match (a surname inside the full name) is reported once."""
    spans: list[tuple[int, int, Detail]] = []
    for detail in details:
        for pattern in patterns_for(detail):
            for match in re.finditer(pattern, text, flags=re.IGNORECASE):
                spans.append((match.start(), match.end(), detail))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, Detail]] = []
    for start, end, detail in spans:
        if kept and start >= kept[-1][0] and end <= kept[-1][1]:
            continue
        kept.append((start, end, detail))
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    findings = []
    for start, end, detail in kept:
        line = _line_of(line_starts, start)
        findings.append(Finding(detail.kind, detail.label, line + 1, start - line_starts[line] + 1, start, end - start, text[start:end]))
    return findings


def _line_of(line_starts: list[int], offset: int) -> int:
    low, high = 0, len(line_starts) - 1
    while low < high:
        mid = (low + high + 1) // 2
        if line_starts[mid] <= offset:
            low = mid
        else:
            high = mid - 1
    return low


KIND_WORDS = {
    D.IDENTIFYING_DETAIL_KIND_CHILD_REFERENCE: "child reference",
    D.IDENTIFYING_DETAIL_KIND_NAME: "name",
    D.IDENTIFYING_DETAIL_KIND_PLACE: "place",
    D.IDENTIFYING_DETAIL_KIND_DATE_OF_BIRTH: "date of birth",
    D.IDENTIFYING_DETAIL_KIND_OTHER: "identifying detail",
}


def refusal_summary(findings: list[Finding], limit: int = 20) -> str:
    """A refusal message listing the kinds and positions found, never the values."""
    where = ", ".join(f"{KIND_WORDS.get(f.kind, 'detail')} at line {f.line} column {f.column}" for f in findings[:limit])
    more = f" and {len(findings) - limit} more" if len(findings) > limit else ""
    return (f"POST.ANONYMISED: the text still contains {len(findings)} identifying detail(s): {where}{more}; "
            "CheckAnonymisation lists them")
