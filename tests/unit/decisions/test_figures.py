"""The yearly figures' rules on their own (fakes, injected calendar): which
decision of a reconsidered case counts, the reason categories a decision
without one falls under, and the renderings."""

from __future__ import annotations

import csv
import datetime as dt
import io

from rapidreview.decisions.figures.compute import CaseRecords, Period, compute
from rapidreview.decisions.figures.render import render_csv, render_html
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import decisions_pb2 as D

CALENDAR = WorkingDayCalendar(lambda: dt.date(2025, 3, 31))
YEAR = Period(dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def _decision(round_: int, kind: int, day: str, reason: int = D.DECISION_REASON_UNSPECIFIED) -> D.Decision:
    return D.Decision(round=round_, decision=kind, decided_on=day, reason=reason)


def test_a_reconsidered_case_counts_once_by_its_latest_decision_by_the_end_of_the_period():
    records = {"a": CaseRecords(decisions=[_decision(1, D.REVIEW_DECISION_NO_CSPR, "2024-05-01"),
                                           _decision(2, D.REVIEW_DECISION_CSPR, "2024-07-01")]),
               # Round 2 after the period: round 1 is the decision at its end, but it was made the year before.
               "b": CaseRecords(decisions=[_decision(1, D.REVIEW_DECISION_NO_CSPR, "2024-03-01"),
                                           _decision(2, D.REVIEW_DECISION_CSPR, "2025-05-01")])}
    d = compute(YEAR, "leeds", [], records, {}, CALENDAR).decisions
    assert (d.decided, d.cspr_decided, d.not_cspr) == (1, 1, 0)


def test_decisions_without_a_reason_fall_under_their_kinds_category_or_not_recorded():
    records = {str(i): CaseRecords(decisions=[d]) for i, d in enumerate([
        _decision(1, D.REVIEW_DECISION_REFER_NATIONAL, "2024-06-01"),
        _decision(1, D.REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW, "2024-06-02"),
        _decision(1, D.REVIEW_DECISION_NO_CSPR, "2024-06-03"),
        _decision(1, D.REVIEW_DECISION_NO_CSPR, "2024-06-04", D.DECISION_REASON_CRITERIA_NOT_MET)])}
    reasons = {c.key: c.count for c in compute(YEAR, "leeds", [], records, {}, CALENDAR).decisions.not_cspr_reasons if c.count}
    assert reasons == {"national_review": 1, "other_review": 1, "not_recorded": 1, "criteria_not_met": 1}


def test_actions_agreed_after_the_period_or_closed_in_it_are_counted_as_they_stood_at_its_end():
    def action(agency: str, due: str, status: int = D.ACTION_STATUS_OPEN, closed: str = "") -> D.Action:
        return D.Action(owner_agency_id=agency, due_date=due, status=status, closed_on=closed)

    records = {"a": CaseRecords(actions=[
        (action("police", "2025-01-31"), dt.date(2024, 10, 1)),                                   # open, overdue
        (action("police", "2025-06-30"), dt.date(2024, 10, 1)),                                   # open
        (action("police", "2024-12-31", D.ACTION_STATUS_COMPLETED, "2025-04-10"), dt.date(2024, 10, 1)),  # still open then
        (action("school", "2024-12-31", D.ACTION_STATUS_COMPLETED, "2024-12-01"), dt.date(2024, 10, 1)),  # completed
        (action("school", "2025-12-31"), dt.date(2025, 4, 2)),                                    # agreed after
    ])}
    rows = [(a.agency_id, a.open, a.overdue, a.completed) for a in compute(YEAR, "leeds", [], records, {}, CALENDAR).actions]
    assert rows == [("police", 3, 2, 0), ("school", 0, 0, 1)]


def test_the_renderings_hold_every_figure_and_the_html_loads_nothing():
    figures = compute(YEAR, "leeds", [], {"a": CaseRecords(decisions=[_decision(1, D.REVIEW_DECISION_CSPR, "2024-06-01")])},
                      {}, CALENDAR)
    rows = list(csv.reader(io.StringIO(render_csv(figures))))
    assert rows[0] == ["partnership", "from", "to", "section", "measure", "key", "value"]
    assert ["leeds", "2024-04-01", "2025-03-31", "decisions", "cspr_decided", "", "1"] in rows
    page = render_html(figures)
    assert "<script" not in page and "<link" not in page and "@import" not in page and "<svg" in page
    fragment = render_html(figures, standalone=False)
    assert not fragment.startswith("<!DOCTYPE") and 'class="rr-figures"' in fragment


def _rr_incident(case_id: str, completed_on: str) -> "object":
    from rapidreview.v1 import common_pb2 as C
    from rapidreview.v1 import intake_pb2

    return intake_pb2.Incident(case_id=case_id, partnership="leeds", panel_notification=intake_pb2.PanelNotification(
        sent_date="2024-06-07"), clocks=[C.Clock(id="RR.DEADLINE", starts_from="2024-06-07", due="2024-06-28",
                                                 effective_due="2024-06-28", completed_on=completed_on)])


def test_rr_deadline_is_done_on_the_date_the_rapid_review_first_reached_the_panel():
    # Intake's clock still shows the decision date (26 June, on time); decisions recorded the first
    # submission on 1 July, after the due date (28 June), and a second round's on 20 July: late, on 1 July.
    records = {"a": CaseRecords(submissions=[D.PanelSubmission(sent_date="2024-07-20"), D.PanelSubmission(sent_date="2024-07-01")])}
    rr = compute(YEAR, "leeds", [_rr_incident("a", "2024-06-26")], records, {}, CALENDAR).rapid_review_deadline
    # 16 working days from Friday 7 June: 10-14, 17-21 and 24-28 June, and Monday 1 July.
    assert (rr.completed, rr.on_time, rr.late, rr.median_working_days) == (1, 0, 1, 16)
    # Sent in the next period: not done in this one, open and overdue at its end.
    march = Period(dt.date(2024, 4, 1), dt.date(2024, 6, 30))
    rr = compute(march, "leeds", [_rr_incident("a", "2024-06-26")], records, {}, CALENDAR).rapid_review_deadline
    assert (rr.completed, rr.open_overdue) == (0, 1)
    # Without decisions' record, intake's closed clock counts.
    rr = compute(YEAR, "leeds", [_rr_incident("b", "2024-06-26")], {}, {}, CALENDAR).rapid_review_deadline
    assert (rr.completed, rr.on_time) == (1, 1)


def test_the_html_words_the_time_allowed_from_the_rule_files_of_the_period():
    from rapidreview.decisions.figures.render import allowed_by_rules
    from rapidreview.rules.parameters import RuleParameters

    # 2023-24 spans both editions (WT2023 from 15 December 2023); both allow the same.
    allowed = allowed_by_rules(RuleParameters.load_default(), dt.date(2023, 4, 1), dt.date(2024, 3, 31))
    assert allowed == {"NOTIFY.DEADLINE": "5 working days", "RR.DEADLINE": "15 working days"}
    page = render_html(compute(YEAR, "leeds", [], {}, {}, CALENDAR), allowed={"RR.DEADLINE": "12 working days"})
    assert "Rapid review to the Panel (RR.DEADLINE, 12 working days)" in page
    assert "Notification to the Panel (NOTIFY.DEADLINE)" in page
