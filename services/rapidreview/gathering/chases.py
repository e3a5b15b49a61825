"""Chasing an agency for its return (ChaseAgency) and the e-mail that follows.

The RPC records the chase and its agency.chased event in one transaction
(outbox); gathering's own `gathering-chases` consumer then e-mails the
agency's contacts (partnership configuration `contacts`) through the delivery
mechanism and keeps the outcome on the chase, as criteria does for the
advisory-group summary: an RPC never waits on a mail server, and a mail
server that is down delays the e-mail, never the chase. At most one chase per
request and day (a double click, or two people at once, record one).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from google.protobuf import timestamp_pb2

from rapidreview.delivery.config import DeliveryConfig
from rapidreview.delivery.contacts import Contacts
from rapidreview.delivery.mailer import DeliveryFailed, Mailer
from rapidreview.delivery.notices import CHASE, DeadlineNotice, compose
from rapidreview.gathering.domain.requests import render_request
from rapidreview.gathering.domain.validation import validate_agency_id, validate_case_id
from rapidreview.gathering.storage import GatheringRepository
from rapidreview.kernel.auth import Grant
from rapidreview.kernel.consumer import ConsumerSpec, RetryableEventError, Route
from rapidreview.kernel.errors import FailedPrecondition, NotFound, Violations
from rapidreview.kernel.events import EventRef, new_event
from rapidreview.kernel.logging import get_logger
from rapidreview.kernel.runtime import Infrastructure
from rapidreview.v1 import gathering_pb2 as G

log = get_logger(__name__)

DURABLE = "gathering-chases"
PRODUCER = "gathering"


def _ts(value: dt.datetime) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value)
    return ts


@dataclass
class ChaseHandlers:
    """ChaseAgency and the agency.chased e-mail. `delivery` None: e-mail delivery is
    not configured, and chases are kept as NOT_CONFIGURED."""

    infra: Infrastructure
    contacts: Contacts
    delivery: DeliveryConfig | None = None
    mailer: Mailer | None = None

    def __post_init__(self) -> None:
        if self.mailer is None and self.delivery is not None:
            self.mailer = Mailer(self.delivery)

    @staticmethod
    def _chase(row) -> G.AgencyChase:  # type: ignore[no-untyped-def]
        return G.AgencyChase(chase_id=row.chase_id, agency_id=row.agency_id, chased_on=row.chased_on.isoformat(),
                             chased_at=_ts(row.chased_at), chased_by=row.chased_by, delivery_status=row.delivery_status)

    async def chase(self, request: G.ChaseAgencyRequest, grant: Grant, correlation_id: str) -> G.ChaseAgencyResponse:
        v = Violations()
        validate_case_id(request.case_id, v)
        validate_agency_id(request.agency_id, v, "agency_id")
        v.raise_if_any()
        calendar = self.infra.calendar
        today = calendar.today()
        async with self.infra.db.transaction() as session:
            repo = GatheringRepository(session, self.infra.cipher)
            row = await repo.get_case(request.case_id, for_update=True)
            if row is None:
                raise NotFound("no gathering for this case")
            grant.require_partnership(row.partnership)
            state = await repo.get_request(row.case_id, request.agency_id)
            if state is None:
                raise NotFound("no information request for this agency on this case")
            if state.returned:
                raise FailedPrecondition("the agency's return is already in: there is nothing to chase")
            if row.status != G.GATHERING_STATUS_OPEN:
                raise FailedPrecondition("the gathering is not open: reopen it before chasing an agency")
            if state.last_chased_on == today:
                earlier = await repo.chase_on(row.case_id, request.agency_id, today)
                return G.ChaseAgencyResponse(chase=self._chase(earlier), request=render_request(state, True, calendar), replayed=True)
            chased = await repo.record_chase(chase_id=str(uuid.uuid4()), case_id=row.case_id, agency_id=request.agency_id,
                                             chased_on=today, chased_by=grant.principal.subject,
                                             delivery_status=G.CHASE_DELIVERY_STATUS_PENDING)
            if chased is None:  # chased by someone else a moment ago, same day
                earlier = await repo.chase_on(row.case_id, request.agency_id, today)
                return G.ChaseAgencyResponse(chase=self._chase(earlier), request=render_request(state, True, calendar), replayed=True)
            state.last_chased_on, state.chase_count = today, state.chase_count + 1
            await self.infra.outbox.add(session, new_event(
                "agency.chased",
                G.AgencyChased(case_id=row.case_id, agency=state.agency, chase_id=chased.chase_id, chased_on=today.isoformat(),
                               due=state.due.isoformat(), working_days_left=calendar.working_days_left(state.due, today)),
                producer=PRODUCER, case_id=row.case_id, partnership=row.partnership, correlation_id=correlation_id))
            response = G.ChaseAgencyResponse(chase=self._chase(chased), request=render_request(state, True, calendar))
        self.infra.outbox.wake()
        return response

    async def on_agency_chased(self, session, ref: EventRef, payload: G.AgencyChased) -> None:  # type: ignore[no-untyped-def]
        """E-mails the chased agency's contacts, once per chase."""
        repo = GatheringRepository(session, self.infra.cipher)
        chase = await repo.get_chase(payload.chase_id, for_update=True)
        if chase is None:
            raise RetryableEventError("unknown chase")
        if chase.delivery_status != G.CHASE_DELIVERY_STATUS_PENDING:
            return  # e-mailed (or settled) already
        partnership = ref.partnership
        recipients = self.contacts.agency(partnership, chase.agency_id)
        if not recipients:
            log.warning("no contact configured for a chased agency")
            await repo.update_chase(chase.chase_id, delivery_status=G.CHASE_DELIVERY_STATUS_NO_CONTACT,
                                    delivery_reason="no agency contact configured")
            return
        if self.delivery is None or self.mailer is None:
            await repo.update_chase(chase.chase_id, delivery_status=G.CHASE_DELIVERY_STATUS_NOT_CONFIGURED,
                                    delivery_reason="e-mail delivery is not configured")
            return
        try:
            due = dt.date.fromisoformat(payload.due)
        except ValueError:
            due = chase.chased_on
        notice = DeadlineNotice(partnership=partnership, case_id=chase.case_id, clock_id="RR.AGENCIES", subject_ref=chase.agency_id,
                                kind=CHASE, due=due, working_days=payload.working_days_left, agency_name=payload.agency.name,
                                chase_id=chase.chase_id)
        message = compose(notice, recipients, sender=self.delivery.smtp.sender, sender_domain=self.delivery.smtp.sender_domain)
        try:
            result = await self.mailer.send(message)
        except DeliveryFailed as failure:
            if not failure.permanent:
                raise RetryableEventError(f"chase e-mail failed after {failure.attempts} attempts: {failure.reason}") from None
            log.error("chase e-mail refused; fix the delivery configuration", cause=failure.reason, attempts=failure.attempts)
            await repo.update_chase(chase.chase_id, delivery_status=G.CHASE_DELIVERY_STATUS_FAILED, delivery_reason=failure.reason[:200],
                                    recipients=len(recipients), message_id=str(message["Message-ID"]))
            return
        await repo.update_chase(chase.chase_id, delivery_status=G.CHASE_DELIVERY_STATUS_SENT, recipients=len(recipients),
                                message_id=result.message_id, sent_at=dt.datetime.now(dt.UTC))
        log.info("chase e-mailed", attempts=result.attempts)

    def consumer_spec(self, ack_wait: float, max_deliver: int, backoff: tuple[float, ...]) -> ConsumerSpec:
        """The durable consumer of agency.chased; its ack wait outlasts the slowest possible e-mail."""
        if self.delivery is not None:
            ack_wait = max(ack_wait, self.delivery.worst_case_seconds() + 10.0)
        return ConsumerSpec(durable=DURABLE, routes={"agency.chased": Route(G.AgencyChased, self.on_agency_chased)},
                            ack_wait=ack_wait, max_deliver=max_deliver, backoff=backoff)
