"""The dashboard: every open case of the person's partnership, from the read model.

One query to the workspace's read model (fed by the services' events), never one
RPC per case. Filters are GET query parameters that carry no personal data:
`overdue=yes`, `due_within=N` (working days), `stage=<stage id>`,
`closed=yes` (also cases that need nothing more) and `reference=<case reference>`
(pseudonymous).
"""

from __future__ import annotations

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


def _clock_view(clock: Any) -> dict[str, Any]:
    state = str(clock.state)
    if state == ClockState.CLOSED:
        tag = presenters.tag("Stopped", "govuk-tag--grey")
    else:
        tag = presenters.clock_tag(overdue=state == ClockState.OVERDUE, completed=state == ClockState.MET,
                                   working_days_left=clock.working_days_left, late=bool(getattr(clock, "late", False)))
    return {
        "id": clock.clock_id,
        "name": presenters.CLOCK_NAMES.get(clock.clock_id, clock.clock_id),
        "due": presenters.long_date(clock.effective_due or clock.due),
        "extended": bool(clock.effective_due and clock.effective_due != clock.due),
        "days_left": presenters.days_left_text(clock.working_days_left, completed=state in (ClockState.MET, ClockState.CLOSED)),
        "tag": tag,
    }


def _row(case: Any) -> dict[str, Any]:
    clocks = [_clock_view(c) for c in case.clocks]
    return {
        "case_id": case.case_id,
        "reference": case.case_reference,
        "stage": _stage_label(case.stage),
        "next_step": case.next_step,
        "clocks": clocks,
        "overdue": any(c["tag"]["text"] == "Overdue" for c in clocks),
        "returns": f"{case.returns_in} of {case.requests_total}" if case.requests_total else "None requested",
        "withdrawn": case.withdrawn,
    }


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
    everything = await read_model.cases(person.partnership, DashboardFilter(), today)
    context["total"] = len(everything)
    context["overdue_count"] = sum(1 for c in everything if _row(c)["overdue"])
    if errors:
        return render(request, "dashboard/index.html", context, status=400)
    cases = everything if not context["filtered"] else await read_model.cases(person.partnership, flt, today)
    context["rows"] = [_row(c) for c in cases]
    return render(request, "dashboard/index.html", context)


ROUTES = [Route("/dashboard", dashboard, name="dashboard")]
