"""Request due dates and how a request's clock reads on a given day."""

from __future__ import annotations

import datetime as dt

from rapidreview.gathering.domain.requests import RequestState, completeness, due_date, render_request
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import common_pb2, gathering_pb2

AWARE = dt.date(2024, 6, 4)
SENT = dt.date(2024, 6, 7)


def _calendar(today: str) -> WorkingDayCalendar:
    return WorkingDayCalendar(lambda: dt.date.fromisoformat(today))


def test_returns_are_due_ten_working_days_after_the_panel_notification():
    due = due_date(AWARE, SENT, 10, _calendar("2024-06-10"))
    assert (due.starts_from, due.due, due.basis) == (SENT, dt.date(2024, 6, 21), gathering_pb2.DUE_BASIS_PANEL_NOTIFICATION)


def test_before_the_panel_notification_the_due_date_counts_from_awareness():
    due = due_date(AWARE, None, 10, _calendar("2024-06-05"))
    assert (due.due, due.basis) == (dt.date(2024, 6, 18), gathering_pb2.DUE_BASIS_AWARENESS)


def test_a_partnership_setting_changes_the_number_of_working_days_and_skips_bank_holidays():
    # 2024-05-27 is the spring bank holiday.
    assert due_date(dt.date(2024, 5, 20), dt.date(2024, 5, 20), 12, _calendar("2024-05-21")).due == dt.date(2024, 6, 6)


def _state(**overrides) -> RequestState:
    values = dict(case_id="c", agency=common_pb2.Agency(agency_id="gp-practice", name="GP practice"),
                  source=gathering_pb2.REQUEST_SOURCE_NOTIFICATION, opened_on=AWARE, starts_from=SENT,
                  due=dt.date(2024, 6, 21), due_basis=gathering_pb2.DUE_BASIS_PANEL_NOTIFICATION)
    values.update(overrides)
    return RequestState(**values)


def test_awaiting_request_shows_working_days_left():
    rendered = render_request(_state(), True, _calendar("2024-06-17"))
    assert rendered.status == gathering_pb2.REQUEST_STATUS_AWAITING
    assert rendered.clock.id == "RR.AGENCIES"
    assert rendered.clock.working_days_left == 4
    assert not rendered.clock.overdue


def test_awaiting_request_after_its_due_date_is_overdue_with_negative_days_left():
    rendered = render_request(_state(), True, _calendar("2024-06-25"))
    assert rendered.clock.overdue and rendered.clock.working_days_left == -2


def test_return_after_the_due_date_is_late_and_completes_the_clock():
    rendered = render_request(_state(first_returned_on=dt.date(2024, 6, 25), latest_version=1), True, _calendar("2024-06-26"))
    assert rendered.status == gathering_pb2.REQUEST_STATUS_RETURNED
    assert rendered.clock.late and not rendered.clock.overdue
    assert rendered.clock.completed_on == "2024-06-25"
    assert rendered.return_ref == "return:gp-practice:v1"


def test_closed_gathering_without_a_return_is_not_returned_and_not_overdue():
    rendered = render_request(_state(), False, _calendar("2024-06-28"))
    assert rendered.status == gathering_pb2.REQUEST_STATUS_NOT_RETURNED
    assert not rendered.clock.overdue


def test_completeness_counts_returned_missing_late_and_overdue():
    cal = _calendar("2024-06-25")
    rendered = [
        render_request(_state(), True, cal),
        render_request(_state(first_returned_on=dt.date(2024, 6, 20), latest_version=2), True, cal),
        render_request(_state(first_returned_on=dt.date(2024, 6, 24), latest_version=1), True, cal),
    ]
    c = completeness(rendered)
    assert (c.requested, c.returned, c.missing, c.late, c.overdue) == (3, 2, 1, 1, 1)


def test_returns_counting_from_awareness_are_due_from_it_even_once_the_panel_is_notified():
    # RR.AGENCIES counts_from: la_aware_date in a partnership's edition: the date is final.
    import datetime as dt

    from rapidreview.gathering.domain.requests import FROM_AWARENESS, due_date
    from rapidreview.kernel.calendar import WorkingDayCalendar
    from rapidreview.v1 import gathering_pb2

    due = due_date(dt.date(2024, 6, 4), dt.date(2024, 6, 7), 10, WorkingDayCalendar(), FROM_AWARENESS)
    assert (due.starts_from, due.due, due.basis) == (dt.date(2024, 6, 4), dt.date(2024, 6, 18), gathering_pb2.DUE_BASIS_AWARENESS)


def test_rr_agencies_parameters_gathering_cannot_use_are_refused_naming_the_edition():
    import pytest

    from rapidreview.gathering.domain.requests import returns_deadline

    with pytest.raises(ValueError, match="wt2023 2023.1: RR.AGENCIES counts_from"):
        returns_deadline({"working_days": 10, "counts_from": "incident_date"}, "wt2023 2023.1")
    with pytest.raises(ValueError, match="working_days"):
        returns_deadline({"working_days": 0}, "wt2023 2023.1")
    assert returns_deadline({"working_days": 8}, "x").counts_from == "panel_notification_sent_date"
