"""Intake's service layer: each command runs in one transaction with its events
(outbox), after validation that stores nothing on failure."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

from google.protobuf import timestamp_pb2
from sqlalchemy.exc import IntegrityError

from rapidreview.intake.domain.clocks import ClockState, Extension, render_clock, start_clock
from rapidreview.intake.domain.duties import EDITION_ENUM, RuleBook, decide_duties
from rapidreview.intake.domain.validation import parse_date, validate_notification, validate_reason
from rapidreview.intake.storage import IncidentRepository
from rapidreview.kernel.auth import Grant
from rapidreview.kernel.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, Violations
from rapidreview.kernel.events import EventRef, new_event
from rapidreview.kernel.pagination import decode_page_token, encode_page_token
from rapidreview.kernel.responses import deliverable
from rapidreview.kernel.runtime import Infrastructure
from rapidreview.v1 import decisions_pb2, intake_pb2

PRODUCER = "intake"
NOTIFY_CLOCK, RR_CLOCK = "NOTIFY.DEADLINE", "RR.DEADLINE"
MAX_EXTENSION_DAYS = 366
#: Extensions of one clock: each is kept (with its reason) and travels with the incident.
MAX_EXTENSIONS = 10
#: Bytes of incidents one ListIncidents page may carry (the rest of the 4 MB is framing).
PAGE_BYTES = 3 * 1024 * 1024
S = intake_pb2


def _ts(value: dt.datetime) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value)
    return ts


@dataclass
class IntakeHandlers:
    infra: Infrastructure
    rulebook: RuleBook

    @property
    def calendar(self):  # type: ignore[no-untyped-def]
        return self.infra.calendar

    # -- helpers -----------------------------------------------------------
    async def _load(self, repo: IncidentRepository, case_id: str, grant: Grant | None, *, for_update: bool = False):  # type: ignore[no-untyped-def]
        try:
            uuid.UUID(case_id)
        except ValueError:
            raise InvalidArgument([("case_id", "must be a case id (UUID)")]) from None
        row = await repo.get_row(case_id, for_update=for_update)
        if row is None:
            raise NotFound("no such case")
        if grant is not None:
            grant.require_partnership(row.partnership)
        return row

    async def incident(self, repo: IncidentRepository, row, *, redact_free_text: bool = False) -> S.Incident:  # type: ignore[no-untyped-def]
        """The API form of a stored incident (clocks rendered as of today); reads its clocks and duplicates."""
        return self.render(repo, row, await repo.get_clocks(row.case_id), await repo.duplicates_of(row.case_id),
                           redact_free_text=redact_free_text)

    def render(self, repo: IncidentRepository, row, clocks, duplicates: list[str], *,  # type: ignore[no-untyped-def]
               redact_free_text: bool = False) -> S.Incident:
        """The API form of an incident row with its clocks and duplicates already read."""
        notification = repo.notification_of(row)
        if redact_free_text:
            notification.harm_description = ""
        incident = S.Incident(
            case_id=row.case_id,
            partnership=row.partnership,
            status=row.status,
            edition=EDITION_ENUM[row.edition],
            edition_version=row.edition_version,
            notification=notification,
            duties=repo.duties_of(row),
            clocks=[render_clock(c, self.calendar) for c in clocks],
            possible_duplicate_of=duplicates,
            partners_informed_date=row.partners_informed_date.isoformat() if row.partners_informed_date else "",
            withdrawal_reason="" if redact_free_text else repo.withdrawal_reason_of(row),
            created_at=_ts(row.created_at),
            updated_at=_ts(row.updated_at),
        )
        if row.panel_sent_date is not None:
            incident.panel_notification.CopyFrom(
                S.PanelNotification(reference=row.panel_reference, sent_date=row.panel_sent_date.isoformat(), late=bool(row.panel_late))
            )
        # Built inside the command's transaction: an incident that could not be sent stores nothing.
        return deliverable(incident)

    async def _emit(self, repo: IncidentRepository, event_type: str, payload, row, correlation_id: str) -> None:  # type: ignore[no-untyped-def]
        envelope = new_event(event_type, payload, producer=PRODUCER, case_id=row.case_id, partnership=row.partnership,
                             correlation_id=correlation_id)
        await self.infra.outbox.add(repo.session, envelope)

    # -- commands ----------------------------------------------------------
    async def notify(self, request: S.NotifyIncidentRequest, grant: Grant, correlation_id: str) -> S.NotifyIncidentResponse:
        validate_notification(request, self.calendar.today()).raise_if_any()
        partnership = grant.principal.partnership
        body_hash = hashlib.sha256(request.notification.SerializeToString(deterministic=True)).hexdigest()
        decision = decide_duties(self.rulebook, request.notification, self.calendar)
        try:
            async with self.infra.db.transaction() as session:
                repo = IncidentRepository(session, self.infra.cipher)
                existing = await repo.find_key(partnership, request.idempotency_key)
                if existing is not None:
                    return await self._replay(repo, existing, body_hash)
                case_id = str(uuid.uuid4())
                row = await repo.insert(case_id=case_id, partnership=partnership, status=S.INCIDENT_STATUS_NOTIFIED,
                                  edition=decision.edition, edition_version=decision.edition_version,
                                  notification=request.notification, duties=decision.duties)
                aware = dt.date.fromisoformat(request.notification.la_aware_date)
                await repo.save_clock(case_id, start_clock(NOTIFY_CLOCK, aware, decision.notify_working_days, self.calendar))
                duplicates = [c for c in await repo.find_same_child_and_date(
                    partnership, request.notification.child.child_ref, request.notification.incident_date) if c != case_id]
                await repo.flag_duplicates(case_id, duplicates)
                await repo.record_key(partnership, request.idempotency_key, body_hash, case_id)
                incident = await self.incident(repo, row)
                event_incident = S.Incident()
                event_incident.CopyFrom(incident)
                event_incident.notification.harm_description = ""
                await self._emit(repo, "incident.notified", S.IncidentNotified(incident=event_incident), row, correlation_id)
        except IntegrityError:
            # A concurrent call with the same key won the race: answer as a replay.
            async with self.infra.db.transaction() as session:
                repo = IncidentRepository(session, self.infra.cipher)
                existing = await repo.find_key(partnership, request.idempotency_key)
                if existing is None:
                    raise
                return await self._replay(repo, existing, body_hash)
        self.infra.outbox.wake()
        return S.NotifyIncidentResponse(incident=incident)

    async def _replay(self, repo: IncidentRepository, existing: tuple[str, str], body_hash: str) -> S.NotifyIncidentResponse:
        stored_hash, case_id = existing
        if stored_hash != body_hash:
            raise AlreadyExists("this idempotency key was already used with a different notification")
        row = await repo.get_row(case_id)
        return S.NotifyIncidentResponse(incident=await self.incident(repo, row), replayed=True)

    async def get(self, case_id: str, grant: Grant) -> S.Incident:
        async with self.infra.db.transaction() as session:
            repo = IncidentRepository(session, self.infra.cipher)
            return await self.incident(repo, await self._load(repo, case_id, grant))

    async def list(self, request: S.ListIncidentsRequest, grant: Grant) -> S.ListIncidentsResponse:
        v = Violations()
        if request.page_size < 0 or request.page_size > 200:
            v.add("page_size", "must be between 1 and 200 (0 means 50)")
        if request.due_within_working_days < 0 or request.due_within_working_days > 60:
            v.add("due_within_working_days", "must be between 0 and 60")
        if request.status and request.status not in S.IncidentStatus.values():
            v.add("status", "unknown value")
        after = None
        if request.page_token:
            try:
                created, case_id = decode_page_token(request.page_token, 2)
                after = (dt.datetime.fromisoformat(created), case_id)
                if after[0].tzinfo is None or not 1970 <= after[0].year <= 9000:
                    raise ValueError("not a creation time the service issued")
            except ValueError:
                v.add("page_token", "not a token from a previous response")
        v.raise_if_any()
        limit = request.page_size or 50
        today = self.calendar.today()
        due_by = self.calendar.add_working_days(today, request.due_within_working_days) if request.due_within_working_days else None
        from rapidreview.kernel.auth import Scope

        partnership = None if grant.scope is Scope.ANY else grant.principal.partnership
        async with self.infra.db.transaction() as session:
            repo = IncidentRepository(session, self.infra.cipher)
            rows = await repo.list_rows(partnership=partnership, status=request.status, notifying_la=request.notifying_la,
                                        overdue_before=today if request.overdue_only else None, due_by=due_by,
                                        after=after, limit=limit + 1)
            # A page holds at most `limit` incidents and at most what the server may send: a page
            # of large incidents is shorter, and the token continues after its last incident.
            page, size = [], 0
            response = S.ListIncidentsResponse()
            for r in rows[:limit]:
                incident = self.render(repo, r, repo.clocks_of_listed(r), list(r.duplicate_ids))  # read with the page: no query
                size += incident.ByteSize() + 8
                if page and size > PAGE_BYTES:
                    break
                page.append(r)
                response.incidents.append(incident)
        if len(rows) > len(page):
            last = page[-1]
            response.next_page_token = encode_page_token(last.created_at.isoformat(), last.case_id)
        return response

    async def record_panel_notification(self, request: S.RecordPanelNotificationRequest, grant: Grant, correlation_id: str) -> S.Incident:
        v = Violations()
        if not 1 <= len(request.reference) <= 64 or not request.reference.isprintable():
            v.add("reference", "1 to 64 printable characters")
        sent = parse_date(request.sent_date, "sent_date", v, today=self.calendar.today())
        async with self.infra.db.transaction() as session:
            repo = IncidentRepository(session, self.infra.cipher)
            row = await self._load(repo, request.case_id, grant, for_update=True)
            if sent is not None and sent < row.la_aware_date:
                v.add("sent_date", "must not be before the date the local authority became aware")
            v.raise_if_any()
            assert sent is not None
            if row.status == S.INCIDENT_STATUS_WITHDRAWN:
                raise FailedPrecondition("the incident was withdrawn")
            if row.panel_sent_date is not None:
                if row.panel_reference == request.reference and row.panel_sent_date == sent:
                    return await self.incident(repo, row)
                raise FailedPrecondition("the Panel notification is already recorded with different details")
            clocks = {c.clock_id: c for c in await repo.get_clocks(row.case_id)}
            notify_clock = clocks[NOTIFY_CLOCK]
            notify_clock.completed_on = sent
            await repo.save_clock(row.case_id, notify_clock)
            late = sent > notify_clock.effective_due
            decision_days = int(self.rulebook.deadline_params(RR_CLOCK, self.rulebook.edition_for(row.la_aware_date))["working_days"])
            rr_start = row.la_aware_date if self.infra.settings.rr_clock_from == "awareness" else sent
            rr_clock = start_clock(RR_CLOCK, rr_start, decision_days, self.calendar)
            await repo.save_clock(row.case_id, rr_clock)
            new_status = row.status if row.status == S.INCIDENT_STATUS_DECIDED else S.INCIDENT_STATUS_PANEL_NOTIFIED
            row = await repo.updated_row(row.case_id, panel_reference=request.reference, panel_sent_date=sent, panel_late=late,
                                         status=new_status)
            panel = S.PanelNotification(reference=request.reference, sent_date=sent.isoformat(), late=late)
            await self._emit(repo, "incident.panel_notified", S.IncidentPanelNotified(
                case_id=row.case_id, panel_notification=panel, rapid_review_clock=render_clock(rr_clock, self.calendar)), row, correlation_id)
            incident = await self.incident(repo, row)
        self.infra.outbox.wake()
        return incident

    async def record_partners_informed(self, request: S.RecordPartnersInformedRequest, grant: Grant,
                                       correlation_id: str = "") -> S.Incident:
        v = Violations()
        informed = parse_date(request.informed_date, "informed_date", v, today=self.calendar.today())
        async with self.infra.db.transaction() as session:
            repo = IncidentRepository(session, self.infra.cipher)
            row = await self._load(repo, request.case_id, grant, for_update=True)
            if informed is not None and informed < row.la_aware_date:
                v.add("informed_date", "must not be before the date the local authority became aware")
            v.raise_if_any()
            assert informed is not None
            if row.status == S.INCIDENT_STATUS_WITHDRAWN:
                raise FailedPrecondition("the incident was withdrawn")
            if row.partners_informed_date == informed:
                return await self.incident(repo, row)  # recorded already: nothing changes, nothing published
            row = await repo.updated_row(row.case_id, partners_informed_date=informed)
            await self._emit(repo, "incident.partners_informed", S.IncidentPartnersInformed(
                case_id=row.case_id, informed_date=informed.isoformat()), row, correlation_id)
            incident = await self.incident(repo, row)
        self.infra.outbox.wake()
        return incident

    async def withdraw(self, request: S.WithdrawIncidentRequest, grant: Grant, correlation_id: str) -> S.Incident:
        violations = validate_reason(request.reason)
        async with self.infra.db.transaction() as session:
            repo = IncidentRepository(session, self.infra.cipher)
            row = await self._load(repo, request.case_id, grant, for_update=True)
            violations.raise_if_any()
            if row.status == S.INCIDENT_STATUS_DECIDED:
                raise FailedPrecondition("a rapid review decision exists; the notification can no longer be withdrawn")
            if row.status == S.INCIDENT_STATUS_WITHDRAWN:
                return await self.incident(repo, row)
            row = await repo.updated_row(row.case_id, status=S.INCIDENT_STATUS_WITHDRAWN, withdrawal_reason=request.reason)
            await self._emit(repo, "incident.withdrawn", S.IncidentWithdrawn(case_id=row.case_id), row, correlation_id)
            incident = await self.incident(repo, row)
        self.infra.outbox.wake()
        return incident

    async def extend_clock(self, request: S.ExtendClockRequest, grant: Grant, correlation_id: str = "") -> S.Incident:
        v = validate_reason(request.reason)
        if request.clock_id not in (NOTIFY_CLOCK, RR_CLOCK):
            v.add("clock_id", "must be NOTIFY.DEADLINE or RR.DEADLINE")
        try:
            extended_to = dt.date.fromisoformat(request.extended_to)
        except ValueError:
            v.add("extended_to", "must be a date YYYY-MM-DD")
            extended_to = None
        # Clocks are rendered day by day on every read: a due date centuries ahead would
        # make every read of the case (and the service's event loop) crawl.
        if extended_to is not None and extended_to > self.calendar.today() + dt.timedelta(days=MAX_EXTENSION_DAYS):
            v.add("extended_to", f"must be at most {MAX_EXTENSION_DAYS} days ahead")
        async with self.infra.db.transaction() as session:
            repo = IncidentRepository(session, self.infra.cipher)
            row = await self._load(repo, request.case_id, grant, for_update=True)
            clocks = {c.clock_id: c for c in await repo.get_clocks(row.case_id)}
            clock = clocks.get(request.clock_id)
            if clock is not None and extended_to is not None and extended_to <= clock.effective_due:
                v.add("extended_to", "must be after the current due date")
            v.raise_if_any()
            if clock is None:
                raise FailedPrecondition(f"{request.clock_id} has not started")
            if not clock.is_open():
                raise FailedPrecondition(f"{request.clock_id} is already closed")
            if len(clock.extensions) >= MAX_EXTENSIONS:
                raise FailedPrecondition(f"{request.clock_id} has been extended {MAX_EXTENSIONS} times, the most a clock may be")
            assert extended_to is not None
            clock.extensions.append(Extension(extended_to, request.reason, grant.principal.subject))
            await repo.save_clock(row.case_id, clock)
            await repo.mark_emitted(row.case_id, clock.clock_id, due_soon_emitted=False)
            # The event carries the clock without its extensions' reasons (free text).
            event_clock = render_clock(clock, self.calendar)
            for extension in event_clock.extensions:
                extension.reason = ""
            await self._emit(repo, "incident.clock_extended", S.IncidentClockExtended(case_id=row.case_id, clock=event_clock),
                             row, correlation_id)
            incident = await self.incident(repo, await repo.get_row(row.case_id))
        self.infra.outbox.wake()
        return incident

    # -- events ------------------------------------------------------------
    async def on_decision_recorded(self, session, ref: EventRef, payload: decisions_pb2.DecisionRecorded) -> None:  # type: ignore[no-untyped-def]
        """decision.recorded closes RR.DEADLINE and marks the incident decided."""
        from rapidreview.kernel.consumer import PermanentEventError, RetryableEventError

        repo = IncidentRepository(session, self.infra.cipher)
        row = await repo.get_row(payload.case_id or ref.case_id, for_update=True)
        if row is None:
            raise RetryableEventError("unknown case")
        try:
            decided_on = dt.date.fromisoformat(payload.decided_on)
        except ValueError:
            raise PermanentEventError("decided_on is not a date") from None
        if row.status == S.INCIDENT_STATUS_WITHDRAWN:
            raise PermanentEventError("decision for a withdrawn incident")
        for clock in await repo.get_clocks(row.case_id):
            if clock.clock_id == RR_CLOCK and clock.is_open():
                clock.completed_on = decided_on
                await repo.save_clock(row.case_id, clock)
        await repo.update(row.case_id, status=S.INCIDENT_STATUS_DECIDED, decided_on=decided_on)


def watch_clock_state(row) -> ClockState:  # type: ignore[no-untyped-def]
    return ClockState(row.clock_id, row.starts_from, row.due, row.completed_on)
