"""The query side: the dashboard, one case's summary, an agency's requests and a
case's reminders, each in one or two SQL statements whatever the number of
cases (filters and sorting run in the database; working days left are
computed per clock from `today` with the kernel's calendar).

Every query is confined to one partnership (and, for "My requests", one
agency): the caller passes the signed-in person's, after checking their role
with `readmodel.access` exactly as the services would.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from sqlalchemy import String, and_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from rapidreview.delivery.config import short_id
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.crypto import FieldCipher
from rapidreview.kernel.db import Database
from rapidreview.v1 import gathering_pb2
from rapidreview.workspace.readmodel import storage as t
from rapidreview.workspace.readmodel.domain.clocks import DASHBOARD_CLOCKS, ClockFacts, ClockState, clock_state, is_late
from rapidreview.workspace.readmodel.domain.progress import Stage
from rapidreview.workspace.readmodel.projection import reference_ad, reference_index
from rapidreview.workspace.readmodel.views import CaseSummary, ClockView, DashboardFilter, ReminderSent, RequestSummary

MAX_DUE_WITHIN_WORKING_DAYS = 260  # a year of working days
_CASE_ID_START = re.compile(r"^[0-9a-f][0-9a-f-]{3,35}$")
_ORDER = {clock_id: i for i, clock_id in enumerate(DASHBOARD_CLOCKS)}

# Only the columns a summary shows: the cases table keeps forty (the facts the stage is derived
# from), and decoding every one of them for 500 rows was a third of the dashboard's query time.
_SUMMARY_COLUMNS = tuple(t.cases.c[name] for name in (
    "case_id", "partnership", "case_ref_enc", "stage", "next_step", "requests_total", "returns_in", "withdrawn",
    "updated_at", "panel_reference", "notified_on", "is_open", "notification_version"))
# One array parameter rather than an IN list of 500: the statement stays the same whatever the count.
_CLOCKS_OF = (select(*(t.clocks.c[name] for name in ("case_id", "clock_id", "due", "effective_due", "completed_on", "closed")))
              .where(and_(t.clocks.c.case_id == func.any(bindparam("case_ids", type_=ARRAY(String))), t.clocks.c.stopped.is_(False))))
_REQUESTS_OF_AGENCY = (
    select(t.requests, t.cases.c.withdrawn, t.cases.c.gathering_open)
    .join(t.cases, t.cases.c.case_id == t.requests.c.case_id)
    .where(and_(t.requests.c.partnership == bindparam("partnership"), t.requests.c.agency_id == bindparam("agency_id"),
                t.cases.c.partnership == bindparam("partnership")))
)
_REMINDERS_OF = (
    select(t.reminders)
    .where(and_(t.reminders.c.partnership == bindparam("partnership"), t.reminders.c.case_id == bindparam("case_id")))
    .order_by(t.reminders.c.recorded_at, t.reminders.c.reminder_id)
)


class ReadModel:
    """Answers the workspace's list pages from the `workspace` schema."""

    def __init__(self, db: Database, cipher: FieldCipher, calendar: WorkingDayCalendar, *, due_soon_working_days: int = 2) -> None:
        self.db = db
        self.cipher = cipher
        self.calendar = calendar
        self.due_soon_working_days = due_soon_working_days

    # -- dashboard ----------------------------------------------------------------------------
    async def cases(self, partnership: str, flt: DashboardFilter, today: dt.date) -> list[CaseSummary]:
        """The partnership's cases matching `flt`, most urgent first (earliest open due
        date, then newest notification). ValueError names a filter out of range."""
        query = select(*_SUMMARY_COLUMNS).where(and_(t.cases.c.partnership == partnership, t.cases.c.notified.is_(True)))
        if flt.stage:
            try:
                query = query.where(t.cases.c.stage == Stage(flt.stage).value)
            except ValueError:
                raise ValueError("stage: not a stage of the dashboard") from None
        elif not flt.include_closed:
            query = query.where(t.cases.c.is_open.is_(True))
        if flt.overdue_only:
            query = query.where(t.cases.c.next_due < today)
        if flt.due_within_working_days is not None:
            if not 0 <= flt.due_within_working_days <= MAX_DUE_WITHIN_WORKING_DAYS:
                raise ValueError(f"due_within_working_days: between 0 and {MAX_DUE_WITHIN_WORKING_DAYS}")
            query = query.where(t.cases.c.next_due <= self.calendar.add_working_days(today, flt.due_within_working_days))
        reference = (flt.reference or "").strip()
        if reference:
            query = query.where(self._reference_matches(partnership, reference))
        query = query.order_by(t.cases.c.next_due.asc().nulls_last(), t.cases.c.notified_on.desc().nulls_last(), t.cases.c.case_id)
        return await self._summaries(query, today)

    async def case(self, partnership: str, case_id: str, today: dt.date) -> CaseSummary | None:
        """One case of the partnership, or None (unknown, not notified yet, or another partnership's)."""
        query = select(*_SUMMARY_COLUMNS).where(and_(t.cases.c.partnership == partnership, t.cases.c.case_id == case_id,
                                                     t.cases.c.notified.is_(True)))
        found = await self._summaries(query, today)
        return found[0] if found else None

    def _reference_matches(self, partnership: str, reference: str) -> Any:
        conditions = [
            t.cases.c.case_ref_index == reference_index(self.cipher, partnership, reference),
            func.lower(t.cases.c.panel_reference) == reference.lower(),
        ]
        if _CASE_ID_START.match(reference.lower()):
            conditions.append(t.cases.c.case_id.startswith(reference.lower(), autoescape=True))
        return or_(*conditions)

    async def _summaries(self, query: Any, today: dt.date) -> list[CaseSummary]:
        # Rows are unpacked as tuples in the order of _SUMMARY_COLUMNS / _CLOCKS_OF: a dashboard reads
        # about 20,000 values, and a tuple unpack costs a fraction of a named lookup on each.
        # One moment for the cases and their clocks (a case's clocks closed by a change committed
        # between the two reads would otherwise show against the case as it was before it).
        async with self.db.snapshot() as conn:
            rows = (await conn.execute(query)).all()
            clocks: dict[str, list[Any]] = defaultdict(list)
            if rows:
                for clock in await conn.execute(_CLOCKS_OF, {"case_ids": [r[0] for r in rows]}):
                    clocks[clock[0]].append(clock)
        return [self._summary(row, clocks[row[0]], today) for row in rows]

    def _summary(self, row: Any, clock_rows: list[Any], today: dt.date) -> CaseSummary:
        (case_id, partnership, case_ref_enc, stage, next_step, requests_total, returns_in, withdrawn, updated_at,
         panel_reference, notified_on, is_open, notification_version) = row
        views = sorted((self._clock(c, today) for c in clock_rows if c[1] in _ORDER), key=lambda c: _ORDER[c.clock_id])
        return CaseSummary(
            case_id=case_id,
            partnership=partnership,
            case_reference=self.cipher.open(case_ref_enc, reference_ad(case_id)),
            stage=stage,
            next_step=next_step,
            clocks=tuple(views),
            requests_total=requests_total,
            returns_in=returns_in,
            withdrawn=withdrawn,
            updated_at=updated_at,
            short_id=short_id(case_id),
            panel_reference=panel_reference,
            notified_on=notified_on,
            is_open=is_open,
            notification_version=notification_version,
        )

    def _clock(self, row: Any, today: dt.date) -> ClockView:
        _case_id, clock_id, due, effective_due, completed_on, closed = row
        facts = ClockFacts(clock_id, due, effective_due, completed_on, closed)
        state, left = clock_state(facts, today, self.calendar, self.due_soon_working_days)
        return ClockView(clock_id=clock_id, due=due, effective_due=effective_due, state=state.value,
                         working_days_left=left, completed_on=completed_on, late=is_late(facts))

    # -- "My requests" ------------------------------------------------------------------------
    async def agency_requests(self, partnership: str, agency: str, today: dt.date) -> list[RequestSummary]:
        """The agency's information requests across the partnership's cases: awaited ones
        first (earliest due first), then the others (most recently opened first)."""
        async with self.db.connection() as conn:
            rows = (await conn.execute(_REQUESTS_OF_AGENCY, {"partnership": partnership, "agency_id": agency})).all()
        summaries = [self._request(r, today) for r in rows]
        far = dt.date.max

        def order(s: RequestSummary) -> tuple[int, dt.date, int, str]:
            awaited = s.status == "awaiting"
            opened = s.opened_on.toordinal() if s.opened_on else 0
            return (0 if awaited else 1, (s.due or far) if awaited else far, -opened, s.case_id)

        return sorted(summaries, key=order)

    def _request(self, row: Any, today: dt.date) -> RequestSummary:
        returned = row.latest_version > 0
        if row.withdrawn:
            status = "withdrawn"
        elif returned:
            status = "returned"
        else:
            status = "awaiting" if row.gathering_open else "not_returned"
        state, left = "", None
        if row.due is not None:
            facts = ClockFacts("RR.AGENCIES", row.due, row.due, row.first_returned_on, closed=status in ("withdrawn", "not_returned"))
            clock, left = clock_state(facts, today, self.calendar, self.due_soon_working_days)
            state = clock.value
        return RequestSummary(
            request_id=f"{row.case_id}:{row.agency_id}",
            case_id=row.case_id,
            case_reference=short_id(row.case_id),
            agency_id=row.agency_id,
            status=status,
            due=row.due,
            working_days_left=left,
            agency_name=row.agency_name,
            state=state,
            opened_on=row.opened_on,
            provisional_due=row.due_basis == gathering_pb2.DUE_BASIS_AWARENESS,
            latest_version=row.latest_version,
            first_returned_on=row.first_returned_on,
            late=row.first_returned_on is not None and row.due is not None and row.first_returned_on > row.due,
            last_chased_on=row.last_chased_on,
            chase_count=row.chase_count,
        )

    # -- reminders ----------------------------------------------------------------------------
    async def reminders(self, partnership: str, case_id: str) -> list[ReminderSent]:
        """The deadline e-mails and chases recorded for a case of the partnership, oldest first."""
        async with self.db.connection() as conn:
            rows = (await conn.execute(_REMINDERS_OF, {"partnership": partnership, "case_id": case_id})).all()
        return [
            ReminderSent(reminder_id=r.reminder_id, case_id=r.case_id, clock_id=r.clock_id, subject_ref=r.subject_ref, kind=r.kind,
                         due=r.due, recipient_role=r.recipient_role, agency_id=r.agency_id, status=r.status, recipients=r.recipients,
                         recorded_at=r.recorded_at, sent_at=r.sent_at, reason=r.reason)
            for r in rows
        ]


__all__ = ["ClockState", "ReadModel"]
