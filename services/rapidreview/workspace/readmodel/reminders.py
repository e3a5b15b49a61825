"""Reminders: every deadline.due_soon / deadline.overdue event, from whichever
service watches the clock, becomes one e-mail: to the agency's contacts for an
information request's clock (RR.AGENCIES), to the business unit for every
other clock, through the delivery mechanism (Mailer, RR_DELIVERY_CONFIG_FILE)
with the addresses of the partnership configuration's `contacts`.

Once per clock, threshold and due date: the reminder's row is inserted first
under a unique key, in the consumer's transaction with its inbox row, so a
redelivered or duplicated event finds it and sends nothing. A moved deadline
(an extension, a provisional due date moved to the Panel notification) is a
new deadline and warns again. A reminder no longer needed when it is handled
(the duty done, the return in, the case withdrawn, the clock extended since)
is recorded as suppressed. A transient SMTP failure rolls the row back and
the event is retried with the consumer's backoff (dead-lettered after the
last delivery); a permanent one is recorded as failed. At least once: if the
commit fails after the mail went out, the redelivery sends it again with the
same Message-ID. Addresses are never logged or stored, only how many.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from rapidreview.kernel.db import Transaction

from rapidreview.delivery.config import DeliveryConfig, short_id
from rapidreview.delivery.contacts import Contacts
from rapidreview.delivery.mailer import DeliveryFailed, Mailer
from rapidreview.delivery.notices import DUE_SOON, OVERDUE, DeadlineNotice, compose
from rapidreview.kernel.consumer import PermanentEventError, RetryableEventError, Route
from rapidreview.kernel.events import EventRef
from rapidreview.kernel.logging import get_logger
from rapidreview.v1 import events_pb2
from rapidreview.workspace.readmodel import storage as t
from rapidreview.workspace.readmodel.domain.clocks import AGENCIES, SURVIVE_WITHDRAWAL

log = get_logger(__name__)

AGENCY, BUSINESS_UNIT = "agency", "business_unit"

_RECORD = (
    pg_insert(t.reminders)
    .values({c: bindparam(c) for c in ("reminder_id", "case_id", "partnership", "clock_id", "subject_ref", "kind", "due",
                                        "recipient_role", "agency_id", "status", "event_id")})
    .on_conflict_do_nothing(index_elements=["case_id", "clock_id", "subject_ref", "kind", "due"])
    .returning(t.reminders.c.reminder_id)
)
_CASE = select(t.cases.c.partnership, t.cases.c.withdrawn, t.cases.c.gathering_open).where(t.cases.c.case_id == bindparam("case_id"))
_REQUEST = select(t.requests.c.agency_name, t.requests.c.latest_version).where(and_(
    t.requests.c.case_id == bindparam("case_id"), t.requests.c.agency_id == bindparam("agency_id")))
_CLOCK = select(t.clocks.c.effective_due, t.clocks.c.completed_on, t.clocks.c.closed, t.clocks.c.stopped).where(and_(
    t.clocks.c.case_id == bindparam("case_id"), t.clocks.c.clock_id == bindparam("clock_id")))


@dataclass
class Reminders:
    """The deadline event handler. `delivery` None: delivery is not configured, and
    reminders are recorded as `not_configured` (nothing is sent)."""

    delivery: DeliveryConfig | None
    contacts: Contacts
    link_template: str = ""
    mailer: Mailer | None = None
    sent: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.mailer is None and self.delivery is not None:
            self.mailer = Mailer(self.delivery)

    def routes(self) -> dict[str, Route]:
        return {
            "deadline.due_soon": Route(events_pb2.DeadlineDueSoon, self.on_deadline),
            "deadline.overdue": Route(events_pb2.DeadlineOverdue, self.on_deadline),
        }

    async def on_deadline(self, session: Transaction, ref: EventRef,
                          payload: events_pb2.DeadlineDueSoon | events_pb2.DeadlineOverdue) -> None:
        overdue = isinstance(payload, events_pb2.DeadlineOverdue)
        kind = OVERDUE if overdue else DUE_SOON
        try:
            due = dt.date.fromisoformat(payload.due)
        except ValueError:
            raise PermanentEventError("deadline due is not a date") from None
        if not ref.case_id or not payload.clock_id or not payload.subject_ref:
            raise PermanentEventError("deadline without a case, clock or subject")
        case = (await session.execute(_CASE, {"case_id": ref.case_id})).first()
        partnership = ref.partnership or (case.partnership if case else "")
        if not partnership:
            raise RetryableEventError("unknown case and no partnership in the event")
        for_agency = payload.clock_id == AGENCIES
        role, agency_id = (AGENCY, payload.subject_ref) if for_agency else (BUSINESS_UNIT, "")
        reminder_id = str(uuid.uuid4())
        inserted = (await session.execute(_RECORD, dict(
            reminder_id=reminder_id, case_id=ref.case_id, partnership=partnership, clock_id=payload.clock_id,
            subject_ref=payload.subject_ref, kind=kind, due=due, recipient_role=role, agency_id=agency_id, status="pending",
            event_id=ref.event_id))).first()
        if inserted is None:
            return  # this clock, threshold and due date had its reminder already

        agency_name = ""
        request = None
        if for_agency:
            request = (await session.execute(_REQUEST, {"case_id": ref.case_id, "agency_id": agency_id})).first()
            agency_name = request.agency_name if request else ""
        reason = await self._not_needed(session, ref.case_id, payload.clock_id, due, case, request)
        if reason:
            await self._finish(session, reminder_id, status="suppressed", reason=reason)
            return
        recipients = self.contacts.agency(partnership, agency_id) if for_agency else self.contacts.business_unit(partnership)
        if not recipients:
            log.warning("no contact configured for a reminder", clock_id=payload.clock_id, recipient_role=role)
            await self._finish(session, reminder_id, status="no_contact", reason=f"no {role.replace('_', ' ')} contact configured")
            return
        if self.delivery is None or self.mailer is None:
            await self._finish(session, reminder_id, status="not_configured", reason="e-mail delivery is not configured")
            return
        notice = DeadlineNotice(
            partnership=partnership, case_id=ref.case_id, clock_id=payload.clock_id, subject_ref=payload.subject_ref, kind=kind,
            due=due, working_days=payload.working_days_overdue if overdue else payload.working_days_left,  # type: ignore[union-attr]
            agency_name=agency_name, link=self._link(ref.case_id, partnership))
        message = compose(notice, recipients, sender=self.delivery.smtp.sender, sender_domain=self.delivery.smtp.sender_domain)
        try:
            result = await self.mailer.send(message)
        except DeliveryFailed as failure:
            if not failure.permanent:
                raise RetryableEventError(f"reminder e-mail failed after {failure.attempts} attempts: {failure.reason}") from None
            log.error("reminder e-mail refused; fix the delivery configuration", cause=failure.reason, attempts=failure.attempts)
            await self._finish(session, reminder_id, status="failed", reason=failure.reason, recipients=len(recipients),
                               message_id=str(message["Message-ID"]))
            return
        await self._finish(session, reminder_id, status="sent", recipients=len(recipients) - len(result.refused),
                           message_id=result.message_id, sent_at=dt.datetime.now(dt.UTC),
                           reason=f"{len(result.refused)} address(es) refused" if result.refused else "")
        self.sent += 1
        log.info("reminder e-mailed", clock_id=payload.clock_id, kind=kind, recipient_role=role, attempts=result.attempts)

    @staticmethod
    async def _not_needed(session: Transaction, case_id: str, clock_id: str, due: dt.date, case: Any, request: Any) -> str:
        """Why the reminder is no longer needed, as far as the read model knows; "" when it is."""
        clock = None if clock_id == AGENCIES else (await session.execute(_CLOCK, {"case_id": case_id, "clock_id": clock_id})).first()
        if clock is not None and clock.stopped:
            return "the duty no longer arises (the notification was amended)"
        if case is not None and case.withdrawn and clock_id not in SURVIVE_WITHDRAWAL:
            return "the notification was withdrawn"
        if clock_id == AGENCIES:
            if request is not None and request.latest_version > 0:
                return "the return was received"
            if case is not None and not case.gathering_open:
                return "the gathering was closed"
            return ""
        if clock is None:
            return ""
        if clock.completed_on is not None:
            return "the duty was done"
        if clock.effective_due > due:
            return "the deadline was extended"
        return ""

    def _link(self, case_id: str, partnership: str) -> str:
        if not self.link_template:
            return ""
        return self.link_template.format(case_id=case_id, short_id=short_id(case_id), partnership=partnership)

    @staticmethod
    async def _finish(session: Transaction, reminder_id: str, **values: Any) -> None:
        if "reason" in values:
            values["reason"] = str(values["reason"])[:200]
        await session.execute(t.reminders.update().where(t.reminders.c.reminder_id == reminder_id).values(**values))
