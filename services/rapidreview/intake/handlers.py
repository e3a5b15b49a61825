"""Intake's service layer: each command runs in one transaction with its events
(outbox), after validation that stores nothing on failure.

This module holds the notification, the Panel notification, withdrawal, clock
extensions, the queries and the consumed events; the other notifications a
duty needs, amendments and referral decisions are in `duty_handlers.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

from google.protobuf import timestamp_pb2
from sqlalchemy.exc import IntegrityError

from rapidreview.intake.domain import duty_clocks as DC
from rapidreview.intake.domain.clocks import ClockState, Extension, render_clock
from rapidreview.intake.domain.duties import EDITION_ENUM, RuleBook, decide_duties, rule_parameters
from rapidreview.intake.domain.validation import parse_date, validate_notification, validate_reason
from rapidreview.intake.duty_handlers import DutyCommands
from rapidreview.intake.storage import MAX_DUPLICATES_LISTED, IncidentRepository
from rapidreview.kernel.outbox import Deferred
from rapidreview.kernel.auth import Grant
from rapidreview.kernel.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, Violations
from rapidreview.kernel.events import EventRef, new_event
from rapidreview.kernel.pagination import decode_page_token, encode_page_token
from rapidreview.kernel.responses import deliverable
from rapidreview.kernel.runtime import Infrastructure
from rapidreview.v1 import decisions_pb2, intake_pb2

PRODUCER = "intake"
NOTIFY_CLOCK, RR_CLOCK = "NOTIFY.DEADLINE", "RR.DEADLINE"
PANEL = intake_pb2.NOTIFICATION_RECIPIENT_PANEL
MAX_EXTENSION_DAYS = 366
#: Extensions of one clock: each is kept (with its reason) and travels with the incident.
MAX_EXTENSIONS = 10
#: Amendments a notification may have: each answer carries them all, within the message limit.
MAX_AMENDMENTS = 100
#: Bytes of incidents one ListIncidents page may carry (the rest of the 4 MB is framing).
PAGE_BYTES = 3 * 1024 * 1024
S = intake_pb2


def _ts(value: dt.datetime) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value)
    return ts


@dataclass
class IntakeHandlers(DutyCommands):
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

    async def incident(self, repo: IncidentRepository, row, *, redact_free_text: bool = False,  # type: ignore[no-untyped-def]
                       version: int = 0) -> S.Incident:
        """The API form of a stored incident (clocks rendered as of today): reads its clocks,
        duplicates, notifications sent and amendments; `version` shows that version of the
        notification (NotFound when none)."""
        # Most cases are never amended: no query for them.
        amendments = [(a, repo.amendment_of(a)) for a in await repo.amendment_rows(row.case_id)] \
            if row.notification_version > 1 else []
        notification = None
        if version and version != row.notification_version:
            replaced = next((stored for stored, a in amendments if a.version == version + 1), None)
            if replaced is None or version < 1:
                raise NotFound("no such version of the notification")
            notification = repo.previous_notification_of(replaced)
        parts = await repo.parts(row.case_id)  # clocks, duplicates and notifications sent: one statement
        return self.render(repo, row, repo.clocks_of_listed(parts), list(parts.duplicate_ids), repo.sent_of_listed(parts),
                           [a for _, a in amendments],
                           redact_free_text=redact_free_text, notification=notification, version=version or 0)

    def render(self, repo: IncidentRepository, row, clocks, duplicates: list[str],  # type: ignore[no-untyped-def]
               sent: list[S.NotificationSent], amendments: list[S.NotificationAmendment], *,
               redact_free_text: bool = False, notification: S.Notification | None = None, version: int = 0,
               current: S.Notification | None = None, duties=None) -> S.Incident:  # type: ignore[no-untyped-def]
        """The API form of an incident row with what it needs already read (`notification`:
        an earlier version to show instead of the current one; `current` and `duties`: the
        current notification and the duties, when known, instead of opening the row's)."""
        shown = version if notification is not None else row.notification_version
        if notification is None and current is not None:
            notification = S.Notification()
            notification.CopyFrom(current)
        elif notification is None:
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
            duties=repo.duties_of(row) if duties is None else duties,
            clocks=[render_clock(c, self.calendar) for c in clocks],
            possible_duplicate_of=duplicates,
            partners_informed_date=row.partners_informed_date.isoformat() if row.partners_informed_date else "",
            withdrawal_reason="" if redact_free_text else repo.withdrawal_reason_of(row),
            created_at=_ts(row.created_at),
            updated_at=_ts(row.updated_at),
            notifications_sent=sent,
            notification_version=shown,
            amendments=amendments,
        )
        if redact_free_text:
            for amendment in incident.amendments:
                amendment.reason = ""
        if row.referral_decision:
            decision = S.ReferralDecision(
                decision=row.referral_decision, decided_on=row.referral_decided_on.isoformat(),
                rationale="" if redact_free_text else repo.referral_rationale_of(row), recorded_by=row.referral_recorded_by or "")
            if row.referral_recorded_at is not None:
                decision.recorded_at.CopyFrom(_ts(row.referral_recorded_at))
            incident.referral_decision.CopyFrom(decision)
        if row.panel_sent_date is not None:
            incident.panel_notification.CopyFrom(
                S.PanelNotification(reference=row.panel_reference, sent_date=row.panel_sent_date.isoformat(), late=bool(row.panel_late))
            )
        # Built inside the command's transaction: an incident that could not be sent stores nothing.
        return deliverable(incident)

    async def _emit(self, repo: IncidentRepository, event_type: str, payload, row, correlation_id: str,  # type: ignore[no-untyped-def]
                    into: Deferred | None = None) -> None:
        """Adds the event to the outbox in the command's transaction (`into`: kept, to be written
        as part of the command's own statement)."""
        envelope = new_event(event_type, payload, producer=PRODUCER, case_id=row.case_id, partnership=row.partnership,
                             correlation_id=correlation_id)
        await self.infra.outbox.add(into if into is not None else repo.session, envelope)  # type: ignore[arg-type]

    def render_whole(self, repo: IncidentRepository, whole, amendments: list[S.NotificationAmendment]) -> S.Incident:  # type: ignore[no-untyped-def]
        """The API form of an incident read by `repo.whole` (no further query besides `amendments`)."""
        return self.render(repo, whole, repo.clocks_of_listed(whole), list(whole.duplicate_ids), repo.sent_of_listed(whole),
                           amendments)

    async def amendments_of(self, repo: IncidentRepository, row) -> list[S.NotificationAmendment]:  # type: ignore[no-untyped-def]
        """The amendment history, as `incident` reads it (most cases are never amended: no query for them)."""
        return [repo.amendment_of(a) for a in await repo.amendment_rows(row.case_id)] if row.notification_version > 1 else []

    async def event_incident(self, repo: IncidentRepository, row) -> S.Incident:  # type: ignore[no-untyped-def]
        """The incident as events carry it: free text omitted (events stay in the stream for days),
        and without the amendment history (consumers need the incident as it now stands; an event
        must stay within the bus's payload limit however often a case was amended)."""
        incident = await self.incident(repo, row, redact_free_text=True)
        del incident.amendments[:]
        return incident

    def edition_of(self, row):  # type: ignore[no-untyped-def]
        """The edition the case is pinned to (its latest version if the pinned one is no longer loaded)."""
        from rapidreview.rules import EditionNotFound

        try:
            return self.rulebook.edition(row.edition, row.edition_version)
        except EditionNotFound:
            return self.rulebook.edition(row.edition)

    def same_authority(self, edition) -> DC.SameAuthority:  # type: ignore[no-untyped-def]
        """How the edition's rule files compare local authorities (by code when they hold a register)."""
        register = getattr(self.rulebook.loaded(edition), "authorities", None)
        return register.same if register is not None else DC.same_name

    def decide(self, repo: IncidentRepository, row, notification: S.Notification | None = None, *,  # type: ignore[no-untyped-def]
               panel_sent: dt.date | None = None, withdrawn: bool | None = None, rapid_review_sent: dt.date | None = None):
        """The case's duties now, under its pinned edition (arguments override the stored row)."""
        panel = panel_sent or row.panel_sent_date
        rr_sent = rapid_review_sent or row.rapid_review_sent_date
        return decide_duties(
            self.rulebook, notification or repo.notification_of(row), self.calendar,
            edition=self.edition_of(row), partnership=row.partnership, case_id=row.case_id,
            panel_sent=panel.isoformat() if panel else "",
            withdrawn=(row.status == S.INCIDENT_STATUS_WITHDRAWN) if withdrawn is None else withdrawn,
            rapid_review_sent=rr_sent.isoformat() if rr_sent else "")

    def plan_clocks(self, row, decision, existing: dict[str, ClockState], *, allow_stop: bool) -> DC.ClockPlan:  # type: ignore[no-untyped-def]
        """The clocks of duties that arise to start (and others to move or stop) for `decision`,
        given the case's clocks `existing` (moved clocks are changed in place)."""
        edition = self.edition_of(row) if row is not None else None
        plan = DC.plan_clocks(decision.duties, decision.facts, rule_parameters(self.rulebook, edition), self.calendar,
                              existing, allow_stop=allow_stop, same=self.same_authority(edition))
        for clock in plan.start:
            # RR.DEADLINE of a rapid review that already reached the Panel starts closed.
            if clock.clock_id == RR_CLOCK and row.rapid_review_sent_date is not None:
                clock.completed_on = row.rapid_review_sent_date
        return plan

    async def apply_clock_plan(self, repo: IncidentRepository, row, decision, *, allow_stop: bool) -> DC.ClockPlan:  # type: ignore[no-untyped-def]
        """Starts the clocks of duties that arise (and moves or stops others) for `decision`."""
        existing = {c.clock_id: c for c in await repo.get_clocks(row.case_id)}
        plan = self.plan_clocks(row, decision, existing, allow_stop=allow_stop)
        case_id = decision.facts.case_id
        for clock in plan.start:
            await repo.save_clock(case_id, clock)
        for clock in plan.move:
            await repo.save_clock(case_id, clock)
            await repo.mark_emitted(case_id, clock.clock_id, due_soon_emitted=False, overdue_emitted=False)
        for clock_id in plan.stop:
            await repo.delete_clock(case_id, clock_id)
        return plan

    # -- commands ----------------------------------------------------------
    async def notify(self, request: S.NotifyIncidentRequest, grant: Grant, correlation_id: str) -> S.NotifyIncidentResponse:
        validate_notification(request, self.calendar.today()).raise_if_any()
        partnership = grant.principal.partnership
        body_hash = hashlib.sha256(request.notification.SerializeToString(deterministic=True)).hexdigest()
        case_id = str(uuid.uuid4())
        decision = decide_duties(self.rulebook, request.notification, self.calendar, partnership=partnership, case_id=case_id)
        try:
            async with self.infra.db.transaction() as session:
                repo = IncidentRepository(session, self.infra.cipher)
                notification = request.notification
                # One statement reads the key, the possible duplicates and the transaction's time;
                # one more writes the incident, its clocks, duplicates, key and event.
                before = await repo.before_notify(partnership, request.idempotency_key, notification.child.child_ref,
                                                  notification.incident_date)
                if before.key_case_id is not None:
                    return await self._replay(repo, (before.request_hash or "", before.key_case_id), body_hash)
                row, values = repo.new_incident(case_id=case_id, partnership=partnership, status=S.INCIDENT_STATUS_NOTIFIED,
                                                edition=decision.edition, edition_version=decision.edition_version,
                                                notification=notification, duties=decision.duties,
                                                child_ref_index=before.child_ref_index, now=before.now)
                # Each duty that arises gets its clock; a duty that does not, none (a new case has none yet).
                plan = self.plan_clocks(row, decision, {}, allow_stop=False)
                clocks = sorted(plan.start, key=lambda c: (c.starts_from, c.clock_id))
                incident = self.render(repo, row, clocks, before.same_child[:MAX_DUPLICATES_LISTED], [], [],
                                       current=notification, duties=decision.duties)
                deferred = Deferred()
                await self._emit(repo, "incident.notified", S.IncidentNotified(incident=event_form(incident)), row,
                                 correlation_id, into=deferred)
                await repo.write_notified(values, plan.start, before.same_child, request.idempotency_key, body_hash, deferred)
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
        whole = await repo.whole(case_id)
        return S.NotifyIncidentResponse(incident=self.render_whole(repo, whole, await self.amendments_of(repo, whole)),
                                        replayed=True)

    async def get(self, case_id: str, grant: Grant, version: int = 0) -> S.Incident:
        if version < 0:
            raise InvalidArgument([("notification_version", "must be 0 (current) or a version number")])
        # One moment for the incident, its amendments, clocks and notifications sent.
        async with self.infra.db.snapshot() as session:
            repo = IncidentRepository(session, self.infra.cipher)
            return await self.incident(repo, await self._load(repo, case_id, grant), version=version)

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
                # Read with the page, no query; the amendment history is GetIncident's.
                incident = self.render(repo, r, repo.clocks_of_listed(r), list(r.duplicate_ids), repo.sent_of_listed(r), [])
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
                    whole = await repo.whole(row.case_id)
                    return self.render_whole(repo, whole, await self.amendments_of(repo, whole))
                raise FailedPrecondition("the Panel notification is already recorded with different details")
            # The row is locked: its clocks, duplicates and notifications sent as they now stand, in
            # one read; the changes below are then written with one statement.
            whole = await repo.whole(row.case_id)
            clocks = {c.clock_id: c for c in repo.clocks_of_listed(whole)}
            saved: dict[str, ClockState] = {}
            notify_clock = clocks.get(NOTIFY_CLOCK)
            # Without a Panel duty on the recorded facts there is no NOTIFY.DEADLINE
            # clock: the authority notified anyway, and that is never late.
            late = notify_clock is not None and sent > notify_clock.effective_due
            if notify_clock is not None and notify_clock.is_open():
                notify_clock.completed_on = sent
                saved[NOTIFY_CLOCK] = notify_clock
            new_status = row.status if row.status == S.INCIDENT_STATUS_DECIDED else S.INCIDENT_STATUS_PANEL_NOTIFIED
            # Once the Panel is notified a rapid review is required (RR.REQUIRED), whatever
            # the facts first recorded said: re-decide the duties and start their clocks.
            notification = repo.notification_of(whole)
            decision = self.decide(repo, whole, notification, panel_sent=sent)
            row = repo.as_updated(whole, panel_reference=request.reference, panel_sent_date=sent, panel_late=late,
                                  status=new_status, duties=decision.duties)
            record = S.NotificationSent(duty=NOTIFY_CLOCK, recipient=PANEL, sent_date=sent.isoformat(), reference=request.reference,
                                        late=late, recorded_by=grant.principal.subject)
            plan = self.plan_clocks(row, decision, clocks, allow_stop=False)
            for clock in [*plan.start, *plan.move]:
                clocks[clock.clock_id] = saved[clock.clock_id] = clock
            for clock_id in plan.stop:
                clocks.pop(clock_id, None)
                saved.pop(clock_id, None)
            # As the notifications sent are read back: ordered by duty and recipient (`recorded_at`
            # is the transaction's time, which the INSERT stores).
            stored_record = S.NotificationSent()
            stored_record.CopyFrom(record)
            stored_record.recorded_at.FromDatetime(whole.now)
            sent_now = sorted([*repo.sent_of_listed(whole), stored_record], key=lambda n: (n.duty, n.recipient))
            incident = self.render(repo, row, sorted(clocks.values(), key=lambda c: (c.starts_from, c.clock_id)),
                                   list(whole.duplicate_ids), sent_now, await self.amendments_of(repo, row),
                                   current=notification, duties=decision.duties)
            rr_clock = clocks.get(RR_CLOCK)
            panel = S.PanelNotification(reference=request.reference, sent_date=sent.isoformat(), late=late)
            event = S.IncidentPanelNotified(case_id=row.case_id, panel_notification=panel, incident=event_form(incident))
            if rr_clock is not None:
                event.rapid_review_clock.CopyFrom(render_clock(rr_clock, self.calendar))
            deferred = Deferred()
            await self._emit(repo, "incident.panel_notified", event, row, correlation_id, into=deferred)
            await repo.write_panel_notified(row, record, list(saved.values()), reset=[c.clock_id for c in plan.move],
                                            stop=plan.stop, deferred=deferred)
        self.infra.outbox.wake()
        return incident

    async def record_partners_informed(self, request: S.RecordPartnersInformedRequest, grant: Grant,
                                       correlation_id: str = "") -> S.Incident:
        """RecordNotificationSent(NOTIFY.PARTNERS, SAFEGUARDING_PARTNERS) under its older name; also
        publishes incident.partners_informed for the consumers of that event."""
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
            # Another date than one recorded is refused here, as RecordNotificationSent refuses it.
            await self.record_sent(repo, row, "NOTIFY.PARTNERS", S.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS, informed, "",
                                   grant, correlation_id, require_duty=False)
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
        if request.clock_id not in DC.BY_ID:
            v.add("clock_id", "must be one of " + ", ".join(DC.BY_ID))
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
            await repo.mark_emitted(row.case_id, clock.clock_id, due_soon_emitted=False, overdue_emitted=False)
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
        """decision.recorded marks the incident decided. RR.DEADLINE is not closed
        here: it closes when the rapid review reaches the Panel (decision.panel_submitted)."""
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
        await repo.update(row.case_id, status=S.INCIDENT_STATUS_DECIDED, decided_on=decided_on)

    async def on_panel_submitted(self, session, ref: EventRef, payload: decisions_pb2.PanelSubmissionRecorded) -> None:  # type: ignore[no-untyped-def]
        """decision.panel_submitted: the rapid review reached the Panel, which closes
        RR.DEADLINE on the date sent (the first submission, the earliest date; a later
        round's does not reopen or move it, even when its event is delivered first). The
        date is kept so that a clock started later starts closed."""
        from rapidreview.kernel.consumer import PermanentEventError, RetryableEventError

        repo = IncidentRepository(session, self.infra.cipher)
        row = await repo.get_row(payload.case_id or ref.case_id, for_update=True)
        if row is None:
            raise RetryableEventError("unknown case")
        try:
            sent = dt.date.fromisoformat(payload.sent_date)
        except ValueError:
            raise PermanentEventError("sent_date is not a date") from None
        earlier = row.rapid_review_sent_date
        if earlier is not None and earlier <= sent:
            return  # the first submission closed it
        await repo.update(row.case_id, rapid_review_sent_date=sent)
        for clock in await repo.get_clocks(row.case_id):
            # Open, or closed by a later round's submission whose event came first.
            if clock.clock_id == RR_CLOCK and (clock.is_open() or (earlier is not None and clock.completed_on == earlier)):
                clock.completed_on = sent
                await repo.save_clock(row.case_id, clock)


def event_form(incident: S.Incident) -> S.Incident:
    """The incident as events carry it (as `event_incident` renders it): free text omitted and
    without the amendment history."""
    out = S.Incident()
    out.CopyFrom(incident)
    out.notification.harm_description = ""
    out.withdrawal_reason = ""
    if out.HasField("referral_decision"):
        out.referral_decision.rationale = ""
    del out.amendments[:]
    return out


def watch_clock_state(row) -> ClockState:  # type: ignore[no-untyped-def]
    return ClockState(row.clock_id, row.starts_from, row.due, row.completed_on)
