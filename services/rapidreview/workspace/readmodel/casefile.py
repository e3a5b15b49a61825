"""One case's rows while an event is applied to it: the case row locked for the
transaction, the changes the event makes, and `save()`, which derives
everything the dashboard filters on (clock completions, the RR.AGENCIES
clock, moved due dates, stage, next step, next due date, counts) from what
is stored and writes it back.

Order tolerance lives here and in the upserts: values that only grow are kept
with GREATEST/LEAST, values that change both ways keep the one of the latest
event (`occurred_at`), and derived values are recomputed from the stored
facts on every event, so the result does not depend on arrival order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from rapidreview.kernel.db import Transaction

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.consumer import PermanentEventError, RetryableEventError
from rapidreview.kernel.events import EventRef
from rapidreview.v1 import gathering_pb2
from rapidreview.workspace.readmodel import storage as t
from rapidreview.workspace.readmodel.domain.clocks import (
    AGENCIES, DASHBOARD_CLOCKS, NOTIFY, RAPID_REVIEW, SIX_MONTHS, SURVIVE_WITHDRAWAL, RequestFacts, agencies_clock,
    intake_clock_shown, moved_due,
)
from rapidreview.workspace.readmodel.domain.notifications import NOTIFICATION_DUTIES, NotificationDue, completion, outstanding
from rapidreview.workspace.readmodel.domain.progress import CaseFacts, is_open, next_step, stage

_ORDER = {clock_id: i for i, clock_id in enumerate(DASHBOARD_CLOCKS)}


def newer(at: dt.datetime | None, stored: dt.datetime | None) -> bool:
    """True when an event of time `at` should overwrite a value set at `stored`
    (equal times: the later arrival wins; an event without a time never wins
    over one with a time)."""
    return stored is None or (at is not None and at >= stored)


def _upsert_clock_statement(knows_due: bool):  # type: ignore[no-untyped-def]
    """The upsert of a case clock: the effective due date of the latest event wins; the
    statutory due date is taken only from events that carry it (`knows_due`), the latest of
    them winning (an amendment moves it); a completion date, once known, stays (the earliest:
    intake never reopens a clock); `seen_at` keeps the latest event that carried the clock."""
    stmt = pg_insert(t.clocks)
    ex, c = stmt.excluded, t.clocks.c
    wins = or_(c.due_at.is_(None), and_(ex.due_at.is_not(None), ex.due_at >= c.due_at))
    set_ = {
        "effective_due": case((wins, ex.effective_due), else_=c.effective_due),
        "due_at": case((wins, ex.due_at), else_=c.due_at),
        # PostgreSQL's LEAST and GREATEST ignore NULLs.
        "completed_on": func.least(c.completed_on, ex.completed_on),
        "seen_at": func.greatest(c.seen_at, ex.seen_at),
    }
    if knows_due:
        due_wins = or_(c.due_set_at.is_(None), and_(ex.due_set_at.is_not(None), ex.due_set_at >= c.due_set_at))
        set_["due"] = case((due_wins, ex.due), else_=c.due)
        set_["due_set_at"] = case((due_wins, ex.due_set_at), else_=c.due_set_at)
    return stmt.on_conflict_do_update(index_elements=[c.case_id, c.clock_id], set_=set_)


_UPSERT_CLOCK = {True: _upsert_clock_statement(True), False: _upsert_clock_statement(False)}


def _upsert_request_statement():  # type: ignore[no-untyped-def]
    stmt = pg_insert(t.requests)
    ex, c = stmt.excluded, t.requests.c
    due_wins = and_(ex.due.is_not(None), or_(c.due_at.is_(None), c.due.is_(None), and_(ex.due_at.is_not(None), ex.due_at >= c.due_at)))
    return stmt.on_conflict_do_update(
        index_elements=[c.case_id, c.agency_id],
        set_={
            "agency_name": func.coalesce(func.nullif(ex.agency_name, ""), c.agency_name),
            "opened_at": func.coalesce(c.opened_at, ex.opened_at),
            "opened_on": func.coalesce(c.opened_on, ex.opened_on),
            "starts_from": case((due_wins, ex.starts_from), else_=c.starts_from),
            "due": case((due_wins, ex.due), else_=c.due),
            "due_basis": case((due_wins, ex.due_basis), else_=c.due_basis),
            "due_at": case((due_wins, ex.due_at), else_=c.due_at),
            "latest_version": func.greatest(c.latest_version, ex.latest_version),
            "first_returned_on": func.least(c.first_returned_on, ex.first_returned_on),
            "last_chased_on": func.greatest(c.last_chased_on, ex.last_chased_on),
            "chase_count": c.chase_count + ex.chase_count,
        },
    )


_UPSERT_REQUEST = _upsert_request_statement()
_REQUEST_DEFAULTS: dict[str, Any] = dict(agency_name="", opened_at=None, opened_on=None, starts_from=None, due=None, due_basis=0,
                                         due_at=None, latest_version=0, first_returned_on=None, last_chased_on=None, chase_count=0)


class CaseFile:
    """The locked case row of one event, and what the event changes."""

    def __init__(self, session: Transaction, row: Any, at: dt.datetime | None) -> None:
        self.session = session
        self.row = dict(row._mapping)
        self.at = at
        self.changes: dict[str, Any] = {}

    @classmethod
    async def open(cls, session: Transaction, ref: EventRef, case_id: str, partnership: str = "") -> CaseFile:
        """Locks the case's row for this transaction, creating it when this is the
        first event of the case to arrive (hidden until incident.notified)."""
        case_id = case_id or ref.case_id
        partnership = partnership or ref.partnership
        if not case_id:
            raise PermanentEventError("event without a case id")
        if partnership:
            await session.execute(t.ENSURE_CASE, {"case_id": case_id, "partnership": partnership, "at": ref.occurred_at})
        row = (await session.execute(t.LOCK_CASE, {"case_id": case_id})).first()
        if row is None:
            raise RetryableEventError("unknown case and no partnership in the event")
        if partnership and row.partnership != partnership:
            # Never let an event move a case into another partnership's dashboard.
            raise PermanentEventError("the event's partnership is not the case's")
        return cls(session, row, ref.occurred_at)

    @property
    def case_id(self) -> str:
        return str(self.row["case_id"])

    @property
    def partnership(self) -> str:
        return str(self.row["partnership"])

    def get(self, name: str) -> Any:
        return self.changes.get(name, self.row[name])

    def set(self, **values: Any) -> None:
        self.changes.update(values)

    def set_if_newer(self, stamp: str, **values: Any) -> bool:
        """Sets `values` (and `stamp` to the event's time) when this event is newer than the one that set them."""
        if not newer(self.at, self.get(stamp)):
            return False
        self.set(**values, **{stamp: self.at})
        return True

    def grow(self, name: str, value: Any) -> None:
        """Keeps the greater of the stored value and `value` (None never wins)."""
        current = self.get(name)
        if value is not None and (current is None or value > current):
            self.set(**{name: value})

    def shrink(self, name: str, value: Any) -> None:
        """Keeps the smaller of the stored value and `value` (None never wins)."""
        current = self.get(name)
        if value is not None and (current is None or value < current):
            self.set(**{name: value})

    # -- clocks and requests ------------------------------------------------------------------
    async def upsert_clock(self, clock_id: str, due: dt.date, effective_due: dt.date, *, knows_due: bool = True,
                           completed_on: dt.date | None = None, from_owner: bool = True) -> None:
        """Records a case clock's due dates as this event saw them: the effective due date
        of the latest event wins; `knows_due`: the event carries the statutory due date
        (a deadline event only knows the effective one); `completed_on`: the event says the
        duty was done; `from_owner`: the event is the clock owner's own (intake's for its clocks),
        which alone says the clock runs (`seen_at`): a deadline event published just before an
        amendment stopped the clock must not bring it back, whatever its time."""
        await self.session.execute(_UPSERT_CLOCK[knows_due], dict(
            case_id=self.case_id, clock_id=clock_id, due=due, effective_due=effective_due, due_at=self.at, completed_on=completed_on,
            closed=False, due_set_at=self.at if knows_due else None, seen_at=self.at if from_owner else None, stopped=False))

    async def record_notifications(self, sent: list[tuple[str, int, dt.date]]) -> None:
        """Records notifications intake recorded as sent: (duty, recipient, date)."""
        if sent:
            await self.session.execute(t.RECORD_NOTIFICATION, [
                dict(case_id=self.case_id, duty=duty, recipient=recipient, sent_on=on) for duty, recipient, on in sent])

    async def upsert_requests(self, rows: list[dict[str, Any]]) -> None:
        """Records what events say of information requests (one statement for all)."""
        if rows:
            await self.session.execute(_UPSERT_REQUEST, [
                {**_REQUEST_DEFAULTS, **r, "case_id": self.case_id, "partnership": self.partnership} for r in rows])

    # -- deriving and writing -----------------------------------------------------------------
    async def save(self, calendar: WorkingDayCalendar) -> None:
        """Derives the dashboard's values from the stored facts and writes the case."""
        session, case_id = self.session, self.case_id
        clock_rows = {r.clock_id: dict(r._mapping) for r in await session.execute(t.CASE_CLOCKS, {"case_id": case_id})}
        request_rows = [dict(r._mapping) for r in await session.execute(t.CASE_REQUESTS, {"case_id": case_id})]
        withdrawn = bool(self.get("withdrawn"))

        panel_sent_on = self.get("panel_sent_on")
        if panel_sent_on is not None:
            for r in request_rows:
                if r["due_basis"] == gathering_pb2.DUE_BASIS_AWARENESS and r["starts_from"] is not None and r["due"] is not None:
                    r.update(starts_from=panel_sent_on, due=moved_due(r["starts_from"], r["due"], panel_sent_on, calendar),
                             due_basis=gathering_pb2.DUE_BASIS_PANEL_NOTIFICATION)
                    await session.execute(t.requests.update().where(and_(
                        t.requests.c.case_id == case_id, t.requests.c.agency_id == r["agency_id"])).values(
                        starts_from=r["starts_from"], due=r["due"], due_basis=r["due_basis"]))

        agencies = agencies_clock([RequestFacts(r["due"], r["first_returned_on"]) for r in request_rows],
                                  gathering_open=bool(self.get("gathering_open")), withdrawn=withdrawn)
        if agencies is not None:
            clock_rows[AGENCIES] = dict(case_id=case_id, clock_id=AGENCIES, due=agencies.due, effective_due=agencies.effective_due,
                                        due_at=None, completed_on=agencies.completed_on, closed=agencies.closed, _agencies=True)
        told: dict[str, dict[int, dt.date]] = {}
        for n in await session.execute(t.CASE_NOTIFICATIONS, {"case_id": case_id}):
            told.setdefault(n.duty, {})[n.recipient] = n.sent_on
        completions = {NOTIFY: panel_sent_on, RAPID_REVIEW: self.get("first_submitted_on"), SIX_MONTHS: self.get("published_on"),
                       **{duty: completion(duty, told.get(duty, {})) for duty in NOTIFICATION_DUTIES}}
        snapshot_at = self.get("clocks_snapshot_at")
        snapshot = frozenset(filter(None, (self.get("clocks_snapshot") or "").split(",")))
        next_due = None
        owed: list[tuple[dt.date, int, NotificationDue]] = []
        for clock_id, clock in clock_rows.items():
            before = (clock["completed_on"], clock["closed"], clock.get("stopped", False))
            done = completions.get(clock_id)
            if done is not None and (clock["completed_on"] is None or done < clock["completed_on"]):
                clock["completed_on"] = done
            if clock_id != AGENCIES:
                clock["closed"] = withdrawn and clock["completed_on"] is None and clock_id not in SURVIVE_WITHDRAWAL
                clock["stopped"] = not intake_clock_shown(clock_id, clock["seen_at"], snapshot_at, snapshot)
            if clock.pop("_agencies", False):
                await session.execute(pg_insert(t.clocks).values(**clock).on_conflict_do_update(
                    index_elements=[t.clocks.c.case_id, t.clocks.c.clock_id],
                    set_={k: clock[k] for k in ("due", "effective_due", "completed_on", "closed")}))
            elif (clock["completed_on"], clock["closed"], clock["stopped"]) != before:
                await session.execute(t.clocks.update().where(and_(t.clocks.c.case_id == case_id, t.clocks.c.clock_id == clock_id))
                                      .values(completed_on=clock["completed_on"], closed=clock["closed"], stopped=clock["stopped"]))
            if clock["completed_on"] is None and not clock["closed"] and not clock.get("stopped", False):
                next_due = clock["effective_due"] if next_due is None else min(next_due, clock["effective_due"])
                if clock_id in NOTIFICATION_DUTIES:
                    due = NotificationDue(clock_id, outstanding(clock_id, told.get(clock_id, {})))
                    owed.append((clock["effective_due"], _ORDER.get(clock_id, 99), due))

        returns_in = sum(1 for r in request_rows if r["latest_version"] > 0)
        facts = self.facts(requests_total=len(request_rows), returns_in=returns_in,
                           notifications_due=tuple(due for _d, _o, due in sorted(owed, key=lambda o: o[:2]) if due.outstanding))
        current = stage(facts)
        updated_at = self.row["updated_at"] if self.at is None else max(self.row["updated_at"], self.at)
        self.set(stage=current.value, next_step=next_step(facts)[:400], is_open=is_open(facts), next_due=next_due,
                 requests_total=len(request_rows), returns_in=returns_in, updated_at=updated_at)
        await session.execute(t.cases.update().where(t.cases.c.case_id == case_id).values(**self.changes))

    def facts(self, *, requests_total: int, returns_in: int, notifications_due: tuple[NotificationDue, ...] = ()) -> CaseFacts:
        g = self.get
        return CaseFacts(
            withdrawn=bool(g("withdrawn")), rapid_review_required=bool(g("rapid_review_required")),
            panel_notified=g("panel_sent_on") is not None, gathering_open=bool(g("gathering_open")),
            requests_total=requests_total, returns_in=returns_in, collation_version=g("collation_version"),
            evaluated_collation_version=g("evaluated_collation_version"), recommendation_round=g("rec_round"),
            decision_round=g("dec_round"), decision_id=g("dec_id"), decision_kind=g("dec_kind"),
            submitted_decision_id=g("sub_decision_id"), submission_id=g("sub_id"), responded_submission_id=g("resp_submission_id"),
            response_kind=g("resp_kind"), review_commissioned=bool(g("review_id")), published=g("published_on") is not None,
            six_month_target=g("six_month_target"), notifications_due=notifications_due,
        )
