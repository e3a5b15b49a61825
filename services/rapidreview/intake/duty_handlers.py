"""Intake commands beyond the first notification: the notifications each duty
needs (Secretary of State, Ofsted, safeguarding partners, the home area's
partners), amendments of the notification, and the local authority's decision
on an agency's referral. Same rules as `handlers.py`: validate first (nothing
stored on failure), one transaction per command with its outbox events.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rapidreview.intake.domain import duty_clocks as DC
from rapidreview.intake.domain.amendments import changed_fields, duties_changed
from rapidreview.intake.domain.clocks import render_clock
from rapidreview.intake.domain.duties import case_facts
from rapidreview.intake.domain.validation import (
    parse_date, validate_notification_body, validate_reason, validate_reference,
)
from rapidreview.intake.storage import IncidentRepository
from rapidreview.kernel.auth import Grant
from rapidreview.kernel.errors import FailedPrecondition, Violations
from rapidreview.v1 import intake_pb2 as S

if TYPE_CHECKING:
    from rapidreview.kernel.runtime import Infrastructure

RECIPIENT_WORDS = {
    S.NOTIFICATION_RECIPIENT_PANEL: "the Panel",
    S.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE: "the Secretary of State",
    S.NOTIFICATION_RECIPIENT_OFSTED: "Ofsted",
    S.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS: "the safeguarding partners",
    S.NOTIFICATION_RECIPIENT_HOME_AREA_PARTNERS: "the home area's safeguarding partners",
}


class DutyCommands:
    """Mixed into IntakeHandlers, which provides the helpers used here."""

    infra: Infrastructure

    # -- notifications a duty needs -------------------------------------------------
    async def record_sent(self, repo: IncidentRepository, row, duty: str, recipient: int, sent: dt.date,  # type: ignore[no-untyped-def]
                          reference: str, grant: Grant, correlation_id: str, *, require_duty: bool = True) -> bool:
        """Records one notification of `duty` as sent and closes the duty's clock
        once every recipient it needs is recorded. False when exactly this was
        recorded already (nothing changes)."""
        spec = DC.BY_ID[duty]
        already = {(s.duty, s.recipient): s for s in await repo.notifications_sent(row.case_id)}
        same = already.get((duty, recipient))
        if same is not None:
            if same.sent_date == sent.isoformat() and same.reference == reference:
                return False
            raise FailedPrecondition(f"{duty}: the notification to {RECIPIENT_WORDS[recipient]} is already recorded "
                                     "with other details")
        facts = case_facts(repo.notification_of(row))
        edition = self.edition_of(row)  # type: ignore[attr-defined]
        if require_duty and not DC.arises(spec, DC.met(repo.duties_of(row)), facts, self.same_authority(edition)):  # type: ignore[attr-defined]
            raise FailedPrecondition(f"{duty} does not arise for this case on the recorded facts (see its duty's outcome)")
        clocks = {c.clock_id: c for c in await repo.get_clocks(row.case_id)}
        clock = clocks.get(duty)
        late = clock is not None and sent > clock.effective_due
        record = S.NotificationSent(duty=duty, recipient=recipient, sent_date=sent.isoformat(), reference=reference,
                                    late=late, recorded_by=grant.principal.subject)
        await repo.record_sent(row.case_id, record)
        told = {r: dt.date.fromisoformat(s.sent_date) for (d, r), s in already.items() if d == duty}
        told[recipient] = sent
        done = DC.completion(spec, told)
        if clock is not None and clock.is_open() and done is not None:
            clock.completed_on = done
            await repo.save_clock(row.case_id, clock)
        event = S.IncidentNotificationSent(case_id=row.case_id, notification=record)
        if clock is not None:
            event.clock.CopyFrom(render_clock(clock, self.calendar))  # type: ignore[attr-defined]
        await self._emit(repo, "incident.notification_sent", event, row, correlation_id)  # type: ignore[attr-defined]
        return True

    async def record_notification_sent(self, request: S.RecordNotificationSentRequest, grant: Grant,
                                       correlation_id: str) -> S.Incident:
        v = Violations()
        spec = DC.BY_ID.get(request.duty)
        if spec is None or not spec.recorded_by_notification:
            v.add("duty", "must be one of " + ", ".join(DC.recordable_duties()))
        if request.recipient not in RECIPIENT_WORDS:
            v.add("recipient", "required (a NotificationRecipient)")
        elif spec is not None and spec.recorded_by_notification and request.recipient not in spec.recipients:
            v.add("recipient", f"{request.duty} is sent to " + " and ".join(RECIPIENT_WORDS[r] for r in spec.recipients))
        sent = parse_date(request.sent_date, "sent_date", v, today=self.calendar.today())  # type: ignore[attr-defined]
        validate_reference(request.reference, "reference", v, required=False)
        async with self.infra.db.transaction() as session:
            repo = IncidentRepository(session, self.infra.cipher)
            row = await self._load(repo, request.case_id, grant, for_update=True)  # type: ignore[attr-defined]
            if sent is not None and sent < row.la_aware_date:
                v.add("sent_date", "must not be before the date the local authority became aware")
            v.raise_if_any()
            assert spec is not None and sent is not None
            if spec.ends_with_withdrawal and row.status == S.INCIDENT_STATUS_WITHDRAWN:
                raise FailedPrecondition("the incident was withdrawn")
            if spec.clock_id == "NOTIFY.PARTNERS":
                # Kept for readers of the deprecated field.
                row = await repo.updated_row(row.case_id, partners_informed_date=sent)
            changed = await self.record_sent(repo, row, spec.clock_id, request.recipient, sent, request.reference, grant,
                                             correlation_id)
            incident = await self.incident(repo, await repo.get_row(row.case_id))  # type: ignore[attr-defined]
        if changed:
            self.infra.outbox.wake()
        return incident

    # -- amendments --------------------------------------------------------------------
    async def amend(self, request: S.AmendNotificationRequest, grant: Grant, correlation_id: str) -> S.Incident:
        today = self.calendar.today()  # type: ignore[attr-defined]
        v = validate_reason(request.reason)
        if request.expected_version < 0:
            v.add("expected_version", "must be 0 (no check) or a version number")
        if not request.HasField("notification"):
            v.add("notification", "required")
        else:
            validate_notification_body(request.notification, v, today)
        async with self.infra.db.transaction() as session:
            repo = IncidentRepository(session, self.infra.cipher)
            row = await self._load(repo, request.case_id, grant, for_update=True)  # type: ignore[attr-defined]
            new = request.notification
            aware = None
            if not v:
                aware = dt.date.fromisoformat(new.la_aware_date)
                if row.panel_sent_date is not None and aware > row.panel_sent_date:
                    v.add("notification.la_aware_date", "must not be after the Panel notification was sent")
            v.raise_if_any()
            assert aware is not None
            if row.status == S.INCIDENT_STATUS_WITHDRAWN:
                raise FailedPrecondition("the incident was withdrawn")
            if request.expected_version and request.expected_version != row.notification_version:
                raise FailedPrecondition(f"the notification is at version {row.notification_version}, not "
                                         f"{request.expected_version}: read it again before amending")
            from rapidreview.intake.handlers import MAX_AMENDMENTS

            if row.notification_version > MAX_AMENDMENTS:
                raise FailedPrecondition(f"the notification was amended {MAX_AMENDMENTS} times, the most it may be: "
                                         "withdraw it and notify again")
            edition = self.rulebook.edition_for(aware)  # type: ignore[attr-defined]
            if edition.name != row.edition:
                raise FailedPrecondition(f"the new awareness date falls under {edition.name}, but the case is pinned to "
                                         f"{row.edition}: withdraw it and notify again")
            old = repo.notification_of(row)
            changed = changed_fields(old, new)
            if not changed:
                return await self.incident(repo, row)  # type: ignore[attr-defined]
            old_duties = repo.duties_of(row)
            decision = self.decide(repo, row, new)  # type: ignore[attr-defined]
            plan = await self.apply_clock_plan(repo, row, decision, allow_stop=True)  # type: ignore[attr-defined]
            version = row.notification_version + 1
            amendment = S.NotificationAmendment(
                version=version, reason=request.reason, changed_fields=changed,
                duties_changed=duties_changed(old_duties, decision.duties), clocks_started=plan.started,
                clocks_stopped=plan.stop, amended_by=grant.principal.subject)
            await repo.record_amendment(row.case_id, amendment, old)
            row = await repo.updated_row(row.case_id, notification=new, partnership=row.partnership, duties=decision.duties,
                                         notification_version=version)
            await self._emit(repo, "incident.amended", S.IncidentAmended(  # type: ignore[attr-defined]
                incident=await self.event_incident(repo, row), version=version, changed_fields=changed),  # type: ignore[attr-defined]
                row, correlation_id)
            incident = await self.incident(repo, row)  # type: ignore[attr-defined]
        self.infra.outbox.wake()
        return incident

    # -- agency referrals --------------------------------------------------------------
    async def record_referral_decision(self, request: S.RecordReferralDecisionRequest, grant: Grant,
                                       correlation_id: str) -> S.Incident:
        v = validate_reason(request.rationale, "rationale")
        if request.decision not in (S.REFERRAL_DECISION_KIND_NOTIFY, S.REFERRAL_DECISION_KIND_NOT_NOTIFY):
            v.add("decision", "required: NOTIFY or NOT_NOTIFY")
        decided = parse_date(request.decided_on, "decided_on", v, today=self.calendar.today())  # type: ignore[attr-defined]
        async with self.infra.db.transaction() as session:
            repo = IncidentRepository(session, self.infra.cipher)
            row = await self._load(repo, request.case_id, grant, for_update=True)  # type: ignore[attr-defined]
            if decided is not None and decided < row.la_aware_date:
                v.add("decided_on", "must not be before the date the local authority became aware")
            v.raise_if_any()
            assert decided is not None
            if row.referral_decision:
                if (row.referral_decision == request.decision and row.referral_decided_on == decided
                        and repo.referral_rationale_of(row) == request.rationale):
                    return await self.incident(repo, row)  # type: ignore[attr-defined]
                raise FailedPrecondition("the decision on this referral is already recorded")
            if not repo.notification_of(row).referred_by_agency:
                raise FailedPrecondition("no agency referral is recorded for this case (NOTIFY.AGENCY_REFERRAL): "
                                         "record the referring agency with AmendNotification first")
            if row.status == S.INCIDENT_STATUS_WITHDRAWN:
                raise FailedPrecondition("the incident was withdrawn")
            values: dict[str, object] = dict(referral_decision=request.decision, referral_rationale=request.rationale,
                                             referral_decided_on=decided, referral_recorded_by=grant.principal.subject,
                                             referral_recorded_at=dt.datetime.now(dt.UTC))
            withdraw = request.decision == S.REFERRAL_DECISION_KIND_NOT_NOTIFY
            if withdraw:
                if row.panel_sent_date is not None:
                    raise FailedPrecondition("the Panel notification was already sent: withdraw the notification instead")
                # Not notifying ends the case as a withdrawal does: no rapid review, no requests.
                values.update(status=S.INCIDENT_STATUS_WITHDRAWN, withdrawal_reason=request.rationale)
            row = await repo.updated_row(row.case_id, **values)
            if withdraw:
                await self._emit(repo, "incident.withdrawn", S.IncidentWithdrawn(case_id=row.case_id), row,  # type: ignore[attr-defined]
                                 correlation_id)
            incident = await self.incident(repo, row)  # type: ignore[attr-defined]
        if withdraw:
            self.infra.outbox.wake()
        return incident
