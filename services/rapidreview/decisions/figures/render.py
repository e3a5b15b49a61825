"""The yearly figures as CSV, JSON or a standalone HTML page with charts.

The charts are SVG drawn here on the server: the page has no script and loads
nothing from elsewhere, so it can be saved, mailed or embedded by the workspace
as it is (`render_html(figures)`; `render_html(figures, standalone=False)` gives
the body fragment without <html>, its styles scoped to `.rr-figures`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from html import escape

from google.protobuf import json_format

from rapidreview.v1 import decisions_pb2 as D

MEDIA_TYPES = {
    D.FIGURES_FORMAT_CSV: "text/csv; charset=utf-8",
    D.FIGURES_FORMAT_JSON: "application/json",
    D.FIGURES_FORMAT_HTML: "text/html; charset=utf-8",
}


def rows(f: D.YearlyFigures) -> list[tuple[str, str, str, str]]:
    """Every figure as (section, measure, key, value): the CSV's rows, stable in order."""
    out: list[tuple[str, str, str, str]] = []
    n = f.notifications
    out.append(("notifications", "total", "", str(n.total)))
    for name, counts in (("by_nature", n.by_nature), ("by_age_band", n.by_age_band), ("by_setting", n.by_setting)):
        out += [("notifications", name, c.key, str(c.count)) for c in counts]
    for clock in (f.notify_deadline, f.rapid_review_deadline):
        for measure in ("completed", "on_time", "late", "median_working_days", "open_overdue"):
            value = getattr(clock, measure)
            out.append((clock.clock_id, measure, "", f"{value:g}" if isinstance(value, float) else str(value)))
    out.append(("rapid_reviews", "completed", "", str(f.rapid_reviews_completed)))
    d = f.decisions
    out += [("decisions", "decided", "", str(d.decided))]
    out += [("decisions", "by_decision", c.key, str(c.count)) for c in d.by_decision]
    out += [("decisions", measure, "", str(getattr(d, measure))) for measure in ("cspr_decided", "cspr_commissioned", "not_cspr")]
    out += [("decisions", "not_cspr_reason", c.key, str(c.count)) for c in d.not_cspr_reasons]
    p = f.publications
    out += [("publications", m, "", str(getattr(p, m)))
            for m in ("published", "within_six_months", "within_target", "late", "improvements_only")]
    out += [("learning_themes", "rapid_reviews", c.key, str(c.count)) for c in f.learning_themes]
    for a in f.actions:
        out += [("actions", m, a.agency_id, str(getattr(a, m))) for m in ("open", "overdue", "completed")]
    return out


def render_csv(f: D.YearlyFigures) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["partnership", "from", "to", "section", "measure", "key", "value"])
    for row in rows(f):
        writer.writerow([f.partnership, f.from_date, f.to_date, *row])
    return buffer.getvalue()


def render_json(f: D.YearlyFigures) -> str:
    return json_format.MessageToJson(f, preserving_proto_field_name=True, always_print_fields_with_no_presence=True, indent=2) + "\n"


# -- HTML ------------------------------------------------------------------------------------

_CSS = """
.rr-figures { font-family: Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: #1d2530; max-width: 190mm; margin: 0 auto; }
.rr-figures h1 { color: #1f3a5f; font-size: 20pt; margin: 0 0 4pt; }
.rr-figures h2 { color: #1f3a5f; font-size: 13pt; border-bottom: 1.5pt solid #1f3a5f; padding-bottom: 2pt; margin: 18pt 0 6pt; }
.rr-figures .lede { color: #5b6675; margin: 0 0 10pt; }
.rr-figures .tiles { display: flex; flex-wrap: wrap; gap: 8pt; margin: 8pt 0; }
.rr-figures .tile { border: 1pt solid #d5dbe3; border-radius: 3pt; padding: 6pt 10pt; min-width: 30mm; }
.rr-figures .tile b { display: block; font-size: 18pt; color: #1f3a5f; }
.rr-figures table { border-collapse: collapse; margin: 4pt 0 8pt; }
.rr-figures th, .rr-figures td { border: 0.5pt solid #d5dbe3; padding: 3pt 6pt; text-align: left; }
.rr-figures td.n { text-align: right; font-variant-numeric: tabular-nums; }
.rr-figures th { background: #f2f4f6; }
.rr-figures .note { color: #7a4a00; background: #fcebc7; padding: 4pt 8pt; margin: 4pt 0; }
.rr-figures figure { margin: 4pt 0 10pt; }
.rr-figures figcaption { font-size: 9pt; color: #5b6675; }
"""
BAR = "#2f6f9f"
LATE = "#8a2b2b"


def _bar_chart(title: str, items: list[tuple[str, int]], colour: str = BAR) -> str:
    """A horizontal bar chart as inline SVG with a text alternative (the same numbers as the table)."""
    if not items:
        return ""
    label_w, bar_w, row_h = 190, 260, 20
    top = max(max(v for _, v in items), 1)
    height = row_h * len(items) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 50}" height="{height}" '
             f'viewBox="0 0 {label_w + bar_w + 50} {height}" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for i, (label, value) in enumerate(items):
        y = 4 + i * row_h
        width = 0 if value == 0 else max(2, round(bar_w * value / top))
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="11" fill="#1d2530">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{width}" height="{row_h - 6}" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + width + 4}" y="{y + 14}" font-size="11" fill="#1d2530">{value}</text>')
    parts.append("</svg>")
    return f'<figure>{"".join(parts)}<figcaption>{escape(title)}</figcaption></figure>'


def _split_chart(title: str, on_time: int, late: int) -> str:
    """On time against late as one stacked bar."""
    total = on_time + late
    if not total:
        return ""
    width = 450
    w_on = round(width * on_time / total)
    return (f'<figure><svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="34" viewBox="0 0 {width} 34" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
            f'<rect x="0" y="0" width="{w_on}" height="20" fill="{BAR}"/>'
            f'<rect x="{w_on}" y="0" width="{width - w_on}" height="20" fill="{LATE}"/>'
            f'<text x="0" y="32" font-size="10" fill="#1d2530">on time {on_time}</text>'
            f'<text x="{width}" y="32" font-size="10" text-anchor="end" fill="#1d2530">late {late}</text>'
            f"</svg><figcaption>{escape(title)}</figcaption></figure>")


def _table(columns: tuple[str, ...], body: list[tuple[object, ...]]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    rows_html = "".join(
        "<tr>" + "".join(f'<td class="n">{v:g}</td>' if isinstance(v, float) else
                         f'<td class="n">{v}</td>' if isinstance(v, int) else f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
        for row in body)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows_html}</tbody></table>"


def render_html(f: D.YearlyFigures, *, standalone: bool = True, allowed: dict[str, str] | None = None) -> str:
    """The figures as HTML: tiles, tables and SVG charts; a whole page, or a fragment for embedding.
    `allowed` words each clock's time allowed as the rule files say (e.g. {"RR.DEADLINE":
    "<N> working days"}, `allowed_by_rules`); a clock it does not name is shown by its id alone."""
    allowed = allowed or {}
    name = f.partnership.replace("-", " ").title()
    n, d, p = f.notifications, f.decisions, f.publications
    out = [f'<div class="rr-figures"><h1>{escape(name)} safeguarding partnership: yearly figures</h1>',
           f'<p class="lede">From {escape(f.from_date)} to {escape(f.to_date)} · computed on {escape(f.computed_on)} · '
           "counts of the partnership's own cases; small numbers can identify a child: check before publishing.</p>"]
    tiles = (("Notifications to the Panel", n.total), ("Rapid reviews completed", f.rapid_reviews_completed),
             ("Local CSPRs decided", d.cspr_decided), ("Local CSPRs commissioned", d.cspr_commissioned),
             ("Reviews published", p.published))
    out.append('<div class="tiles">' + "".join(f'<div class="tile"><b>{v}</b>{escape(t)}</div>' for t, v in tiles) + "</div>")
    for note in f.notes:
        out.append(f'<p class="note">{escape(note)}</p>')

    out.append("<h2>Notifications</h2>")
    for title, counts in (("By nature", n.by_nature), ("By age band", n.by_age_band), ("By setting", n.by_setting)):
        shown = [(c.label, c.count) for c in counts if c.count or title != "By setting"]
        out.append(_bar_chart(f"Notifications {title.lower()}", shown))
        out.append(_table((title.removeprefix("By ").capitalize(), "Notifications"), shown))

    out.append("<h2>Timeliness</h2>")
    clock_rows = []
    for clock, label in ((f.notify_deadline, f"Notification to the Panel ({_clock_label('NOTIFY.DEADLINE', allowed)})"),
                         (f.rapid_review_deadline, f"Rapid review to the Panel ({_clock_label('RR.DEADLINE', allowed)})")):
        out.append(_split_chart(label, clock.on_time, clock.late))
        clock_rows.append((label, clock.completed, clock.on_time, clock.late, clock.median_working_days, clock.open_overdue))
    out.append(_table(("Duty", "Done", "On time", "Late", "Median working days", "Open and overdue at the end"), clock_rows))

    out.append("<h2>Decisions on local child safeguarding practice reviews</h2>")
    out.append(_bar_chart("Decisions made in the period", [(c.label, c.count) for c in d.by_decision]))
    out.append(_table(("Decision", "Cases"), [(c.label, c.count) for c in d.by_decision]
                      + [("Local CSPRs commissioned in the period", d.cspr_commissioned)]))
    reasons = [(c.label, c.count) for c in d.not_cspr_reasons if c.count]
    if reasons:
        out.append(_bar_chart("Why not a local CSPR", reasons, colour="#5b6675"))
        out.append(_table(("Reason", "Decisions"), reasons))

    out.append("<h2>Reviews published</h2>")
    out.append(_table(("Measure", "Reviews"), [
        ("Published in the period", p.published), ("Within 6 months of the decision", p.within_six_months),
        ("By the target in force (after extensions)", p.within_target), ("After the target in force", p.late),
        ("Improvements information instead of the report", p.improvements_only)]))

    out.append("<h2>Learning themes</h2>")
    if f.learning_themes:
        themes = [(c.label, c.count) for c in f.learning_themes]
        out.append(_bar_chart("Rapid reviews completed in the period with each learning theme", themes))
        out.append(_table(("Theme", "Rapid reviews"), themes))
    else:
        out.append("<p>No learning themes: no rapid review was completed in the period.</p>")

    out.append("<h2>Actions by agency</h2>")
    if f.actions:
        out.append(_bar_chart("Open actions at the end of the period", [(a.agency_id, a.open) for a in f.actions]))
        out.append(_table(("Agency", "Open", "Overdue", "Completed in the period"),
                          [(a.agency_id, a.open, a.overdue, a.completed) for a in f.actions]))
    else:
        out.append("<p>No actions recorded.</p>")
    out.append("</div>")
    body = "\n".join(part for part in out if part)
    if not standalone:
        return f"<style>{_CSS}</style>\n{body}"
    return (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(name)} yearly figures {escape(f.from_date)} to {escape(f.to_date)}</title>\n"
            f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _clock_label(clock_id: str, allowed: dict[str, str]) -> str:
    return f"{clock_id}, {allowed[clock_id]}" if allowed.get(clock_id) else clock_id


def allowed_by_rules(rules, start: dt.date, end: dt.date) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The working days each figures clock allows, from the rule files of the editions in force over
    the period: "<N> working days", or per edition when they differ ("<N> working days (wt2018), <M> (wt2023)")."""
    editions = [e for e in rules.editions if e.effective_from <= end and (e.effective_to is None or e.effective_to >= start)]
    latest = {e.name: e for e in editions}  # the latest version of each edition name
    out = {}
    for clock_id in ("NOTIFY.DEADLINE", "RR.DEADLINE"):
        days = {}
        for name, edition in latest.items():
            try:
                value = rules.deadline_params(clock_id, edition).get("working_days")
            except LookupError:
                continue
            if isinstance(value, int):
                days[name] = value
        if len(set(days.values())) == 1:
            out[clock_id] = f"{next(iter(days.values()))} working days"
        elif days:
            first, *rest = sorted(days.items())
            out[clock_id] = f"{first[1]} working days ({first[0]}), " + ", ".join(f"{v} ({k})" for k, v in rest)
    return out


def render(f: D.YearlyFigures, fmt: int, allowed: dict[str, str] | None = None) -> tuple[bytes, str]:
    """(content, media type) of the figures in one FiguresFormat (`allowed`: see render_html)."""
    if fmt == D.FIGURES_FORMAT_CSV:
        return render_csv(f).encode("utf-8"), MEDIA_TYPES[fmt]
    if fmt == D.FIGURES_FORMAT_JSON:
        return render_json(f).encode("utf-8"), MEDIA_TYPES[fmt]
    if fmt == D.FIGURES_FORMAT_HTML:
        return render_html(f, allowed=allowed).encode("utf-8"), MEDIA_TYPES[fmt]
    raise ValueError("unknown figures format")
