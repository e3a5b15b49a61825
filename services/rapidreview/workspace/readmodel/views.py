"""What the read model answers with: plain, immutable values for the dashboard,
"My requests" and the case page's reminders. Dates are `datetime.date`,
instants aware `datetime.datetime` (UTC)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rapidreview.workspace.readmodel.domain.clocks import ClockState
from rapidreview.workspace.readmodel.domain.progress import Stage


@dataclass(frozen=True)
class ClockView:
    """One statutory clock of a case as of the `today` of the query.

    `state` is one of `ClockState`: running, due_soon (open, due within the
    configured working days), overdue (open, past its effective due date), met
    (the duty was done; `late` when after the due date) or closed (stopped
    without being met: the case was withdrawn, or the gathering closed with
    returns missing). `working_days_left` is None unless the clock is open
    (running, due_soon, overdue: then negative once overdue)."""

    clock_id: str
    due: dt.date
    effective_due: dt.date
    state: str
    working_days_left: int | None
    completed_on: dt.date | None = None
    late: bool = False

    @property
    def is_open(self) -> bool:
        return self.state in (ClockState.RUNNING, ClockState.DUE_SOON, ClockState.OVERDUE)


@dataclass(frozen=True)
class CaseSummary:
    """One case on the dashboard.

    `case_reference` is the pseudonymous child reference of the notification
    (e.g. "Child K"): personal data, decrypted for the page, never logged.
    `stage` is a `Stage` value, `next_step` the next step in words: the
    notifications a duty still needs (e.g. "Notify the Secretary of State and
    Ofsted (NOTIFY.LAC_DEATH)"), then the stage's own step. `is_open` is True
    while the stage is open or such a notification is owed (a looked-after
    child's death needs it after a withdrawal or without a rapid review too).
    `clocks` in statutory order: NOTIFY.DEADLINE, NOTIFY.LAC_DEATH,
    NOTIFY.CARE_LEAVER_DEATH, NOTIFY.PARTNERS, RR.LEAD_AREA, RR.AGENCIES (the
    earliest awaited return of the case's information requests), RR.DEADLINE,
    POST.SIX_MONTHS; a clock appears once its duty arises and it has started,
    and disappears when an amendment means its duty no longer arises.
    `notification_version` is the notification's version the facts come from
    (1 as first recorded; each amendment adds one; 0 before it is known)."""

    case_id: str
    partnership: str
    case_reference: str
    stage: str
    next_step: str
    clocks: tuple[ClockView, ...]
    requests_total: int
    returns_in: int
    withdrawn: bool
    updated_at: dt.datetime
    short_id: str = ""
    panel_reference: str = ""
    notified_on: dt.date | None = None
    is_open: bool = True
    notification_version: int = 0

    @property
    def overdue(self) -> bool:
        return any(c.state == ClockState.OVERDUE for c in self.clocks)

    @property
    def due_soon(self) -> bool:
        return any(c.state == ClockState.DUE_SOON for c in self.clocks)

    @property
    def amended(self) -> bool:
        """The notification was amended since it was first recorded."""
        return self.notification_version > 1

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label


@dataclass(frozen=True)
class RequestSummary:
    """One information request, for the agency it is addressed to ("My requests").

    `request_id` is "<case id>:<agency id>". `case_reference` is the case's
    short id: an agency is not given the child reference by any service (only
    the case readers of intake are), so the read model does not give it either.
    `status` is awaiting, returned, not_returned (the gathering closed without
    it) or withdrawn (the notification was withdrawn); `state` the request
    clock's `ClockState`; `due` is None only while the request's opening has not
    reached the read model yet."""

    request_id: str
    case_id: str
    case_reference: str
    agency_id: str
    status: str
    due: dt.date | None
    working_days_left: int | None
    agency_name: str = ""
    state: str = ""
    opened_on: dt.date | None = None
    provisional_due: bool = False
    latest_version: int = 0
    first_returned_on: dt.date | None = None
    late: bool = False
    last_chased_on: dt.date | None = None
    chase_count: int = 0


@dataclass(frozen=True)
class DashboardFilter:
    """What the dashboard shows; every filter combines with AND.

    `overdue_only`: cases with an open clock past its due date.
    `due_within_working_days`: cases with an open clock due within that many
    working days of today, overdue ones included (as intake's ListIncidents).
    `stage`: one `Stage` value (a closed stage shows closed cases).
    `reference`: the child reference (exact, ignoring case and spacing), the
    Panel's reference, or the start of the case id / short id.
    `include_closed`: also cases that need nothing more (withdrawn, not
    required, completed, published); the dashboard shows open cases by default."""

    overdue_only: bool = False
    due_within_working_days: int | None = None
    stage: str | None = None
    reference: str | None = None
    include_closed: bool = False


@dataclass(frozen=True)
class ReminderSent:
    """A deadline e-mail recorded for a case (never the addresses).

    `kind`: due_soon or overdue (an automatic reminder, once per clock,
    threshold and due date) or chase (the business unit chased an agency; the
    gathering service sends that e-mail). `recipient_role`: agency or
    business_unit. `status`: sent, failed (refused by the mail server for
    good), no_contact (no address configured), not_configured (e-mail delivery
    not configured), suppressed (not needed any more: the duty was done or the
    case withdrawn) or chased (a chase recorded by gathering)."""

    reminder_id: str
    case_id: str
    clock_id: str
    subject_ref: str
    kind: str
    due: dt.date
    recipient_role: str
    agency_id: str
    status: str
    recipients: int
    recorded_at: dt.datetime
    sent_at: dt.datetime | None = None
    reason: str = ""
