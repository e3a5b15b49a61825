"""How a draft reads on "check your answers" and on a submitted version's page (pure):
each section as rows of (question, answer) and each list item as a summary card."""

from __future__ import annotations

from typing import Any

from rapidreview.workspace.presenters import long_date
from rapidreview.workspace.returns.draft import ReturnDraft
from rapidreview.workspace.returns.fields import CHECKBOXES, DATE, LIST, RADIOS, SELECT, YESNO, Field
from rapidreview.workspace.returns.sections import SECTIONS, Section, label_of

NOT_GIVEN = "Not given"


def answer(f: Field, value: Any) -> str:
    """One answer in words."""
    if f.kind == DATE:
        return long_date(value) or NOT_GIVEN
    if f.kind in (RADIOS, SELECT):
        return label_of(f.options, value) if value else NOT_GIVEN
    if f.kind == YESNO:
        return "Yes" if value else ("No" if value is not None and value != "" else NOT_GIVEN)
    if f.kind in (LIST, CHECKBOXES):
        return ", ".join(value) if value else NOT_GIVEN
    return value or NOT_GIVEN


def short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def item_rows(sec: Section, item: dict[str, Any]) -> list[dict[str, str]]:
    """(question, answer) of an item or a single-page section, leaving out questions not asked."""
    rows = []
    for f in sec.fields:
        if f.when and (item.get(f.when[0]) is not True if f.when[1] == "yes" else item.get(f.when[0]) != f.when[1]):
            continue
        if sec.key == "involvement" and f.name in ("start", "end") and item.get("involvement") != "involved":
            continue
        rows.append({"key": f.label, "value": answer(f, item.get(f.name)), "name": f.name})
    return rows


def item_title(sec: Section, item: dict[str, Any], number: int) -> str:
    """The card title of an item: "Entry 3: 7 March 2024" and the like."""
    first = sec.field(sec.columns[0]) if sec.columns else None
    label = f"{sec.item_name[:1].upper()}{sec.item_name[1:]} {number}"
    if first is None:
        return label
    return f"{label}: {short(answer(first, item.get(first.name)), 60)}"


def columns(sec: Section, item: dict[str, Any]) -> list[str]:
    """The cells of an item's row on its section's list page."""
    return [short(answer(sec.field(name), item.get(name))) for name in sec.columns]


def sections_view(draft: ReturnDraft, sections: tuple[Section, ...] = SECTIONS) -> list[dict[str, Any]]:
    """Every section with its rows (single) or its items' cards (lists), for check-your-answers."""
    out = []
    for sec in sections:
        if sec.single:
            out.append({"section": sec, "rows": item_rows(sec, draft.single(sec.key)), "items": None})
        else:
            out.append({"section": sec, "rows": None, "items": [
                {"id": item.get("id", ""), "title": item_title(sec, item, n), "rows": item_rows(sec, item)}
                for n, item in enumerate(draft.items(sec.key), start=1)]})
    return out
