"""The partnership's yearly figures (decisions GetYearlyFigures, as the signed-in person): the
notifications, the timeliness of NOTIFY.DEADLINE and RR.DEADLINE, decisions and their reasons,
publications, learning themes and actions by agency for a period, with CSV, JSON and HTML
downloads. Aggregates only: no case is named. The period is a GET query (dates, no personal data).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.workspace import errors, presenters
from rapidreview.workspace.date_input import DateValue
from rapidreview.workspace.forms import FormErrors
from rapidreview.workspace.pages import render, require_person
from rapidreview.workspace.routes.documents import attachment

FIGURE_READERS = frozenset({Role.BUSINESS_UNIT, Role.EXECUTIVE, Role.AUDITOR})  # decisions GetYearlyFigures
_DOWNLOADS = {"csv": D.FIGURES_FORMAT_CSV, "json": D.FIGURES_FORMAT_JSON, "html": D.FIGURES_FORMAT_HTML}
FIGURES_TIMEOUT = 60.0


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete reporting year, April to March (the Panel's and DfE's year)."""
    end_year = today.year if today.month >= 4 else today.year - 1
    return dt.date(end_year - 1, 4, 1), dt.date(end_year, 3, 31)


def read_period(params: Any, today: dt.date) -> tuple[dt.date | None, dt.date | None, dict[str, DateValue], FormErrors]:
    errors = FormErrors()
    if not any(params.get(f"{p}-{part}") for p in ("from", "to") for part in ("day", "month", "year")):
        start, end = default_period(today)
        return start, end, {"from": DateValue.from_iso(start.isoformat()), "to": DateValue.from_iso(end.isoformat())}, errors
    values = {"from": DateValue.from_form(params, "from"), "to": DateValue.from_form(params, "to")}
    start, error = values["from"].parse("Start of the period", field_id="from", today=today)
    if error:
        errors.add(*error)
    end, error = values["to"].parse("End of the period", field_id="to", today=today, not_future=False)
    if error:
        errors.add(*error)
    if start and end and end < start:
        errors.add("to-day", "End of the period must be the same as or after the start")
        values["to"].error_parts = ["day", "month", "year"]
    return start, end, values, errors


def _counts(items: Any) -> list[dict[str, Any]]:
    return [{"key": c.key, "label": c.label, "count": c.count} for c in items]


def _clock(c: D.ClockFigures, name: str) -> dict[str, Any]:
    return {"id": c.clock_id or name, "completed": c.completed, "on_time": c.on_time, "late": c.late,
            "median": f"{c.median_working_days:g}", "open_overdue": c.open_overdue}


async def figures_page(request: Request) -> Response:
    person = require_person(request, FIGURE_READERS)
    today = request.app.state.today()
    start, end, dates, form_errors = read_period(request.query_params, today)
    context: dict[str, Any] = {"title": "Yearly figures", "dates": dates, "errors": form_errors or None, "figures": None}
    if form_errors:
        return render(request, "figures/index.html", context, status=400)
    assert start is not None and end is not None
    client = request.app.state.services.for_person(person)
    try:
        found = await client.decisions.GetYearlyFigures(D.GetYearlyFiguresRequest(
            from_date=start.isoformat(), to_date=end.isoformat()), timeout=FIGURES_TIMEOUT)
    except errors.InvalidInput as exc:
        context["errors"] = FormErrors.from_violations(exc.violations, {"from_date": "from-day", "to_date": "to-day"},
                                                       labels={"from_date": "Start of the period", "to_date": "End of the period"})
        return render(request, "figures/index.html", context, status=400)
    f = found.figures
    query = f"from={start.isoformat()}&to={end.isoformat()}"
    context.update({
        "period": f"{presenters.long_date(f.from_date)} to {presenters.long_date(f.to_date)}",
        "computed_on": presenters.long_date(f.computed_on),
        "figures": {
            "notifications": f.notifications.total,
            "by_nature": _counts(f.notifications.by_nature), "by_age": _counts(f.notifications.by_age_band),
            "by_setting": _counts(f.notifications.by_setting),
            "clocks": [_clock(f.notify_deadline, "NOTIFY.DEADLINE"), _clock(f.rapid_review_deadline, "RR.DEADLINE")],
            "completed": f.rapid_reviews_completed,
            "decided": f.decisions.decided, "by_decision": _counts(f.decisions.by_decision),
            "cspr_decided": f.decisions.cspr_decided, "cspr_commissioned": f.decisions.cspr_commissioned,
            "not_cspr": f.decisions.not_cspr, "reasons": _counts(f.decisions.not_cspr_reasons),
            "publications": f.publications, "themes": _counts(f.learning_themes),
            "actions": [{"agency": a.agency_id, "open": a.open, "overdue": a.overdue, "completed": a.completed} for a in f.actions],
            "notes": list(f.notes),
        },
        "downloads": [(label, f"/figures/download.{fmt}?{query}") for fmt, label in
                      (("csv", "CSV"), ("json", "JSON"), ("html", "Web page with charts (HTML)"))],
    })
    return render(request, "figures/index.html", context)


def _iso(request: Request, name: str) -> str:
    raw = request.query_params.get(name, "")
    try:
        return dt.date.fromisoformat(raw).isoformat() if len(raw) == 10 else ""
    except ValueError:
        return ""


async def figures_download(request: Request) -> Response:
    person = require_person(request, FIGURE_READERS)
    fmt = request.path_params["format"]
    start, end = _iso(request, "from"), _iso(request, "to")
    if fmt not in _DOWNLOADS or not start or not end:
        raise errors.NotFoundError("no such download")
    client = request.app.state.services.for_person(person)
    found = await client.decisions.GetYearlyFigures(D.GetYearlyFiguresRequest(
        from_date=start, to_date=end, format=_DOWNLOADS[fmt]), timeout=FIGURES_TIMEOUT)
    name = f"yearly-figures-{person.partnership}-{start}-to-{end}.{fmt}"
    return attachment(found.content, found.media_type, name)


ROUTES = [
    Route("/figures", figures_page, name="figures"),
    Route("/figures/download.{format}", figures_download, name="figures_download"),
]
