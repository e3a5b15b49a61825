"""The yearly report figures on a generated two-year history (history.py) pushed
through intake, gathering, criteria and decisions; the expected figures are
worked out by hand from the history's table, working day by working day."""

from __future__ import annotations

import csv
import io
import json
import uuid

import grpc
import pytest

from rapidreview.kernel.auth import Role
from rapidreview.v1 import criteria_pb2_grpc, gathering_pb2_grpc, intake_pb2, intake_pb2_grpc
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.v1 import decisions_pb2_grpc
from tests.integration.criteria.conftest import stop_quickly
from tests.integration.decisions import history
from tests.support.harness import Caller, RunningService, eventually, service_env

pytestmark = pytest.mark.integration

TODAY = "2025-03-31"


def counts(items) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {c.key: c.count for c in items if c.count}


@pytest.fixture(scope="module")
def history_database(postgres_server):  # type: ignore[no-untyped-def]
    """One database for the module: the history is recorded once and read by every test."""
    name = f"test_history_{uuid.uuid4().hex[:12]}"
    postgres_server.create_database(name)
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture(scope="module")
async def recorded(history_database, nats_server, creds):  # type: ignore[no-untyped-def]
    env = service_env(history_database, nats_server.url, creds, RR_TODAY=TODAY)
    started = {}
    try:
        for name in ("intake", "gathering", "criteria"):
            started[name] = await RunningService(name, env).start()
        started["decisions"] = await RunningService("decisions", dict(
            env, RR_INTAKE_ADDR=started["intake"].address, RR_GATHERING_ADDR=started["gathering"].address,
            RR_CRITERIA_ADDR=started["criteria"].address)).start()
        channels = {name: grpc.aio.insecure_channel(service.address) for name, service in started.items()}
        stubs = history.Stubs(intake_pb2_grpc.IntakeServiceStub(channels["intake"]),
                              gathering_pb2_grpc.GatheringServiceStub(channels["gathering"]),
                              criteria_pb2_grpc.CriteriaServiceStub(channels["criteria"]),
                              decisions_pb2_grpc.DecisionServiceStub(channels["decisions"]), creds)
        for case in history.HISTORY:
            await history.record(stubs, case)
        # Intake closes RR.DEADLINE on the decision (or its Panel submission: the same day here).
        la = Caller(creds, Role.NOTIFYING_LA).metadata()
        for case in history.HISTORY:
            if not case.decided:
                continue

            async def closed(case_id=stubs.case_ids[case.name], day=case.decided):  # type: ignore[no-untyped-def]
                incident = (await stubs.intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id), metadata=la)).incident
                return any(c.id == "RR.DEADLINE" and c.completed_on == day for c in incident.clocks)

            await eventually(closed, what=f"{case.name}: RR.DEADLINE closed by intake")
        yield stubs
        for channel in channels.values():
            await channel.close()
    finally:
        for service in reversed(list(started.values())):
            await stop_quickly(service)


async def _figures(stubs, role: Role, start: str, end: str, fmt: int = D.FIGURES_FORMAT_UNSPECIFIED):  # type: ignore[no-untyped-def]
    return await stubs.decisions.GetYearlyFigures(D.GetYearlyFiguresRequest(from_date=start, to_date=end, format=fmt),
                                                  metadata=stubs.md(role))


async def test_yearly_figures_of_a_generated_history_are_the_hand_computed_ones(recorded):
    response = await _figures(recorded, Role.BUSINESS_UNIT, "2023-04-01", "2024-03-31", D.FIGURES_FORMAT_HTML)
    f = response.figures
    assert (f.partnership, f.from_date, f.to_date, f.computed_on) == ("leeds", "2023-04-01", "2024-03-31", TODAY)

    # Notifications: C1, C2, C3, C4 (C5 withdrawn, C6 never notified, P1 the year before).
    assert f.notifications.total == 4
    assert counts(f.notifications.by_nature) == {"death": 1, "serious_harm": 3}
    assert counts(f.notifications.by_age_band) == {"under_1": 1, "5_9": 1, "16_17": 1, "unborn": 1}
    assert counts(f.notifications.by_setting) == {"family_home": 2, "school": 1, "other": 1}
    assert [c.key for c in f.notifications.by_age_band] == ["unborn", "under_1", "1_4", "5_9", "10_15", "16_17", "18_over", "unknown"]
    # NOTIFY.DEADLINE: 3, 7 (late: due 19 September), 2 and 3 working days; C6 due 25 March, not sent.
    n = f.notify_deadline
    assert (n.completed, n.on_time, n.late, n.median_working_days, n.open_overdue) == (4, 3, 1, 3.0, 1)
    # RR.DEADLINE: 13, 17 (late: due 12 October) and 14 working days; C4 due 11 April, still open.
    r = f.rapid_review_deadline
    assert (r.completed, r.on_time, r.late, r.median_working_days, r.open_overdue) == (3, 2, 1, 14.0, 0)
    assert f.rapid_reviews_completed == 3
    # Decisions: C1 CSPR, C2 no CSPR (learning already identified), C3 alternative learning review.
    d = f.decisions
    assert (d.decided, d.cspr_decided, d.not_cspr, d.cspr_commissioned) == (3, 1, 2, 1)
    assert counts(d.by_decision) == {"cspr": 1, "no_cspr": 1, "alternative_learning_review": 1}
    assert counts(d.not_cspr_reasons) == {"learning_already_identified": 1, "other_review": 1}
    # Publications: C1 on 15 December 2023 (target 27 December), P1 on 30 June 2023 (target 25 May, extended to 31 July).
    p = f.publications
    assert (p.published, p.within_six_months, p.within_target, p.late, p.improvements_only) == (2, 1, 2, 0, 0)
    # Learning themes of C1, C2 and C3.
    assert [(c.key, c.count) for c in f.learning_themes] == [
        ("information sharing", 3), ("child criminal exploitation", 1), ("domestic abuse", 1), ("neglect", 1)]
    # Actions at 31 March 2024: the GP's open and overdue (due 31 January), the police's completed in September.
    assert [(a.agency_id, a.open, a.overdue, a.completed) for a in f.actions] == [
        ("gp-practice", 1, 1, 0), ("west-yorkshire-police", 0, 0, 1)]
    assert list(f.notes) == ["1 notification(s) sent in the period and later withdrawn as not meeting the criteria are not counted."]

    html = response.content.decode("utf-8")
    assert response.media_type.startswith("text/html") and html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") >= 6 and "<script" not in html and "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "Leeds safeguarding partnership: yearly figures" in html and "information sharing" in html


async def test_the_year_before_has_its_own_figures_and_csv_json_renderings(recorded):
    response = await _figures(recorded, Role.EXECUTIVE, "2022-04-01", "2023-03-31", D.FIGURES_FORMAT_CSV)
    f = response.figures
    assert f.notifications.total == 1 and counts(f.notifications.by_age_band) == {"1_4": 1}
    assert (f.notify_deadline.completed, f.notify_deadline.median_working_days) == (1, 2.0)
    assert (f.rapid_review_deadline.completed, f.rapid_review_deadline.median_working_days) == (1, 12.0)
    assert (f.decisions.decided, f.decisions.cspr_decided, f.decisions.cspr_commissioned) == (1, 1, 1)
    assert f.publications.published == 0
    assert [(c.key, c.count) for c in f.learning_themes] == [("neglect", 1)]
    assert not f.actions and not f.notes  # P1's action was cancelled; C1's were agreed after the period

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert {(r["section"], r["measure"], r["key"], r["value"]) for r in rows} >= {
        ("notifications", "total", "", "1"), ("RR.DEADLINE", "median_working_days", "", "12"),
        ("decisions", "by_decision", "cspr", "1"), ("learning_themes", "rapid_reviews", "neglect", "1")}
    assert all(r["partnership"] == "leeds" and r["from"] == "2022-04-01" for r in rows)

    as_json = json.loads((await _figures(recorded, Role.AUDITOR, "2022-04-01", "2023-03-31", D.FIGURES_FORMAT_JSON)).content)
    assert as_json["notifications"]["total"] == 1 and as_json["decisions"]["cspr_commissioned"] == 1


async def test_bad_periods_are_refused_naming_the_field(recorded):
    for request, field in ((D.GetYearlyFiguresRequest(from_date="2024-04-01", to_date="2024-03-31"), "to_date"),
                           (D.GetYearlyFiguresRequest(from_date="2024-13-01", to_date="2025-03-31"), "from_date"),
                           (D.GetYearlyFiguresRequest(from_date="2010-01-01", to_date="2025-03-31"), "to_date")):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await recorded.decisions.GetYearlyFigures(request, metadata=recorded.md(Role.BUSINESS_UNIT))
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        from rapidreview.kernel.grpc_errors import field_violations

        assert field in [f for f, _ in field_violations(caught.value)]
