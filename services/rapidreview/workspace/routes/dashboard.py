"""The dashboard: every open case of the person's partnership, from the read model.

One query to the workspace's read model (fed by the services' events), never one
RPC per case. Filters are GET query parameters that carry no personal data:
`overdue=yes`, `due_within=N` (working days), `stage=<stage id>`,
`closed=yes` (also cases that need nothing more) and `reference=<case reference>`
(pseudonymous).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rapidreview.workspace import presenters
from rapidreview.workspace.forms import FormErrors
from rapidreview.workspace.navigation import DASHBOARD_READERS
from rapidreview.workspace.pages import render, require_person

from rapidreview.workspace.readmodel import ClockState, DashboardFilter, Stage

MAX_DUE_WITHIN = 60
MAX_REFERENCE = 64


def parse_filter(params: Any) -> tuple[DashboardFilter, dict[str, str], FormErrors]:
    """The filter from query parameters, the values to show back in the form, and any errors."""
    errors = FormErrors()
    shown = {
        "overdue": params.get("overdue", ""),
        "due_within": params.get("due_within", "").strip(),
        "stage": params.get("stage", "").strip(),
        "reference": params.get("reference", "").strip(),
        "closed": params.get("closed", ""),
    }
    due_within: int | None = None
    if shown["due_within"]:
        if not shown["due_within"].isdigit() or not 1 <= int(shown["due_within"]) <= MAX_DUE_WITHIN:
            errors.add("due_within", f"Enter a whole number of working days from 1 to {MAX_DUE_WITHIN}")
        else:
            due_within = int(shown["due_within"])
    if len(shown["reference"]) > MAX_REFERENCE or not shown["reference"].isprintable():
        errors.add("reference", f"Case reference must be {MAX_REFERENCE} characters or fewer")
    if shown["stage"] and shown["stage"] not in {stage.value for stage in Stage}:
        errors.add("stage", "Select a stage from the list")
    flt = DashboardFilter(
        overdue_only=shown["overdue"] in ("yes", "1", "on", "true"),
        due_within_working_days=due_within,
        stage=shown["stage"] or None,
        reference=shown["reference"] or None,
        include_closed=shown["closed"] in ("yes", "1", "on", "true"),
    )
    return flt, shown, errors


@dataclass(slots=True)
class ClockCell:
    """One clock of a dashboard row, worded for the page."""

    id: str
    name: str
    due: str
    extended: bool
    days_left: str
    tag: dict[str, str]


@dataclass(slots=True)
class CaseRow:
    """One row of the dashboard's table. Attributes rather than a dict: the template looks up a
    dozen values per row, and Jinja tries an attribute before a key."""

    case_id: str
    href: str
    reference: str
    stage: str
    next_step: str
    clocks: list[ClockCell]
    overdue: bool
    returns: str
    withdrawn: bool
    amended: bool = False


@functools.lru_cache(maxsize=1024)
def _long_date(day: Any) -> str:
    # A page shows few distinct dates many times over (500 cases: ~1,500 clocks).
    return presenters.long_date(day)


def _clock_view(clock: Any) -> ClockCell:
    state = str(clock.state)
    if state == ClockState.CLOSED:
        tag = presenters.tag("Stopped", "govuk-tag--grey")
    else:
        tag = presenters.clock_tag(overdue=state == ClockState.OVERDUE, completed=state == ClockState.MET,
                                   working_days_left=clock.working_days_left, late=bool(getattr(clock, "late", False)))
    return ClockCell(
        id=clock.clock_id,
        name=presenters.CLOCK_NAMES.get(clock.clock_id, clock.clock_id),
        due=_long_date(clock.effective_due or clock.due),
        extended=bool(clock.effective_due and clock.effective_due != clock.due),
        days_left=presenters.days_left_text(clock.working_days_left, completed=state in (ClockState.MET, ClockState.CLOSED)),
        tag=tag,
    )


def case_link(request: Request) -> Callable[[str], str]:
    """The path of a case's overview page. Built once per page: `url_for` walks the routes on every
    call, which a long table would pay once per row."""
    marker = "00000000-0000-4000-8000-000000000000"
    head, _, tail = request.url_for("case_overview", case_id=marker).path.partition(marker)
    return lambda case_id: f"{head}{case_id}{tail}"


def _row(case: Any, link: Callable[[str], str] | None = None) -> CaseRow:
    clocks = [_clock_view(c) for c in case.clocks]
    return CaseRow(
        case_id=case.case_id,
        href=link(case.case_id) if link else f"/cases/{case.case_id}",
        reference=case.case_reference,
        stage=_stage_label(case.stage),
        next_step=case.next_step,
        clocks=clocks,
        overdue=any(c.tag["text"] == "Overdue" for c in clocks),
        returns=f"{case.returns_in} of {case.requests_total}" if case.requests_total else "None requested",
        withdrawn=case.withdrawn,
        amended=bool(getattr(case, "amended", False)),
    )


def _stage_label(stage: str) -> str:
    try:
        return Stage(stage).label
    except ValueError:
        return presenters.stage_text(stage)


async def dashboard(request: Request) -> Response:
    person = require_person(request, DASHBOARD_READERS)
    read_model = request.app.state.read_model
    flt, shown, errors = parse_filter(request.query_params)
    context: dict[str, Any] = {"title": "Dashboard", "filter": shown, "errors": errors, "rows": [], "stages": [],
                               "available": read_model is not None, "filtered": any(shown.values())}
    if read_model is None:
        return render(request, "dashboard/index.html", context, status=503)
    today = request.app.state.today()
    context["stages"] = [stage.value for stage in Stage]
    context["stage_names"] = {stage.value: stage.label for stage in Stage}
    link = case_link(request)
    everything = [_row(c, link) for c in await read_model.cases(person.partnership, DashboardFilter(), today)]
    context["total"] = len(everything)
    context["overdue_count"] = sum(1 for row in everything if row.overdue)
    if errors:
        return render(request, "dashboard/index.html", context, status=400)
    if context["filtered"]:
        context["rows"] = [_row(c, link) for c in await read_model.cases(person.partnership, flt, today)]
    else:
        context["rows"] = everything
    return render(request, "dashboard/index.html", context)


ROUTES = [Route("/dashboard", dashboard, name="dashboard")]
