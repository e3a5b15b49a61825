"""What the events of intake, gathering and decisions do to a case. Each runs in
the consumer's transaction (with its inbox row); each that changes the facts
stores one evaluation and its criteria.evaluated event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from rapidreview.criteria.domain.facts import (
    as_withdrawn, facts_from_incident, with_amended_notification, with_clock_extension, with_collation,
    with_panel_notification, with_panel_response, with_panel_submission,
)
from rapidreview.criteria.evaluator import CaseEvaluator
from rapidreview.criteria.storage import DECIDED, OPEN, WITHDRAWN, CriteriaRepository, StoredCase
from rapidreview.kernel.consumer import PermanentEventError, RetryableEventError
from rapidreview.kernel.errors import FailedPrecondition
from rapidreview.kernel.events import EventRef
from rapidreview.rules import EditionNotFound
from rapidreview.v1 import criteria_pb2 as S
from rapidreview.v1 import decisions_pb2, facts_pb2, gathering_pb2, intake_pb2


@dataclass
class CaseEventHandlers:
    evaluator: CaseEvaluator
    #: The cases each open transaction has inserted or locked, as they stand in it: the events of
    #: a group share a transaction, and an event about a case an earlier one of the group already
    #: holds (inserted, or locked FOR UPDATE) needs not read and lock it again. Keyed weakly by
    #: the transaction, so a rolled-back or committed one takes its entries with it.
    _held: WeakKeyDictionary = field(default_factory=WeakKeyDictionary, init=False, repr=False)  # type: ignore[type-arg]

    def _repo(self, session) -> CriteriaRepository:  # type: ignore[no-untyped-def]
        return CriteriaRepository(session, self.evaluator.infra.cipher)

    @staticmethod
    def _transaction(repo: CriteriaRepository):  # type: ignore[no-untyped-def]
        connection = getattr(repo.session, "sync_connection", None)
        return connection.get_transaction() if connection is not None else None

    def _hold(self, repo: CriteriaRepository, case: StoredCase) -> None:
        transaction = self._transaction(repo)
        if transaction is not None:
            self._held.setdefault(transaction, {})[case.case_id] = case

    async def _known_case(self, repo: CriteriaRepository, case_id: str) -> StoredCase:
        transaction = self._transaction(repo)
        held = self._held.get(transaction) if transaction is not None else None
        if held is not None and case_id in held:
            return held[case_id]  # this transaction's own: locked, and as written
        case = await repo.get_case(case_id, for_update=True) if case_id else None
        if case is None:
            # Events from different producers are not ordered: the case may not be known yet.
            raise RetryableEventError("unknown case")
        self._hold(repo, case)
        return case

    async def _evaluate(self, repo: CriteriaRepository, case: StoredCase, trigger: int, ref: EventRef, **stored) -> None:  # type: ignore[no-untyped-def]
        """Evaluates the case; `stored` (write_case, collation, earlier_reviews): what
        `CaseEvaluator.evaluate` stores with the evaluation, or was read already."""
        try:
            await self.evaluator.evaluate(repo, case, trigger, correlation_id=ref.correlation_id, causation_id=ref.event_id,
                                          **stored)
        except FailedPrecondition as exc:  # pinned to a version not loaded (yet): an operator may restore it
            raise RetryableEventError(exc.message) from None

    async def on_incident_notified(self, session, ref: EventRef, payload: intake_pb2.IncidentNotified) -> None:  # type: ignore[no-untyped-def]
        """incident.notified: the case is pinned and gets its initial checklist."""
        incident = payload.incident
        case_id = incident.case_id or ref.case_id
        if not case_id:
            raise PermanentEventError("incident.notified without a case id")
        repo = self._repo(session)
        facts = facts_from_incident(incident)
        facts.case_id = case_id
        facts.partnership = facts.partnership or ref.partnership
        try:
            edition = self.evaluator.first_edition(incident)
        except (EditionNotFound, ValueError) as exc:
            if await repo.get_case(case_id) is not None:
                return  # already known: the same notification published again
            raise PermanentEventError(f"no edition for this notification: {exc}") from None
        case = StoredCase(case_id, facts.partnership, WITHDRAWN if facts.withdrawn else OPEN, edition.name, edition.version,
                          facts, 0, False, notification_version=max(incident.notification_version, 1))
        await repo.hold_earlier_reviews(case.partnership, to_change=False)  # no import in between
        reviews = await repo.insert_case_reading_reviews(case)
        if reviews is None:
            return  # already known: the same notification published again
        self._hold(repo, case)
        await self._evaluate(repo, case, S.EVALUATION_TRIGGER_INCIDENT_NOTIFIED, ref, earlier_reviews=reviews)

    async def on_panel_notified(self, session, ref: EventRef, payload: intake_pb2.IncidentPanelNotified) -> None:  # type: ignore[no-untyped-def]
        """incident.panel_notified: RR.DEADLINE starts."""
        sent = payload.panel_notification.sent_date
        if not sent:
            raise PermanentEventError("incident.panel_notified without a sent date")
        repo = self._repo(session)
        case = await self._known_case(repo, payload.case_id or ref.case_id)
        if case.facts.panel_notification_sent_date == sent:
            return
        case.facts = with_panel_notification(case.facts, sent)
        await self._evaluate(repo, case, S.EVALUATION_TRIGGER_PANEL_NOTIFIED, ref, write_case=True)

    async def on_withdrawn(self, session, ref: EventRef, payload: intake_pb2.IncidentWithdrawn) -> None:  # type: ignore[no-untyped-def]
        """incident.withdrawn: RR.REQUIRED no longer holds, and new themes no longer re-evaluate the case."""
        repo = self._repo(session)
        case = await self._known_case(repo, payload.case_id or ref.case_id)
        if case.facts.withdrawn:
            return
        case.facts = as_withdrawn(case.facts)
        case.status = WITHDRAWN
        await self._evaluate(repo, case, S.EVALUATION_TRIGGER_INCIDENT_WITHDRAWN, ref, write_case=True)

    async def on_information_collated(self, session, ref: EventRef, payload: gathering_pb2.InformationCollated) -> None:  # type: ignore[no-untyped-def]
        """information.collated: the full checklist. A collation version not newer than the last changes nothing."""
        repo = self._repo(session)
        case = await self._known_case(repo, payload.case_id or ref.case_id)
        if payload.collation_version <= case.collation_version:
            return
        case.facts = with_collation(case.facts, payload)
        case.collation_version = payload.collation_version
        case.partial = payload.partial
        await self._evaluate(repo, case, S.EVALUATION_TRIGGER_INFORMATION_COLLATED, ref, write_case=True, collation=payload)

    async def on_decision_recorded(self, session, ref: EventRef, payload: decisions_pb2.DecisionRecorded) -> None:  # type: ignore[no-untyped-def]
        """decision.recorded: the case is no longer open. RR.DEADLINE is not closed
        here: it closes when the rapid review reaches the Panel (decision.panel_submitted)."""
        repo = self._repo(session)
        case_id = payload.case_id or ref.case_id
        try:
            dt.date.fromisoformat(payload.decided_on)
        except ValueError:
            await self._known_case(repo, case_id)  # an unknown case is retried first, as any event about one
            raise PermanentEventError("decided_on is not a date") from None
        if not case_id or not await repo.mark_decided(case_id):
            raise RetryableEventError("unknown case")
        held = self._held.get(self._transaction(repo), {})
        if case_id in held and held[case_id].status == OPEN:
            held[case_id].status = DECIDED  # as the statement just wrote it

    async def on_panel_submitted(self, session, ref: EventRef, payload: decisions_pb2.PanelSubmissionRecorded) -> None:  # type: ignore[no-untyped-def]
        """decision.panel_submitted: RR.DEADLINE closes on the date the rapid review was sent (the first submission)."""
        repo = self._repo(session)
        case = await self._known_case(repo, payload.case_id or ref.case_id)
        try:
            dt.date.fromisoformat(payload.sent_date)
        except ValueError:
            raise PermanentEventError("sent_date is not a date") from None
        facts = with_panel_submission(case.facts, payload.sent_date)
        if facts.rapid_review_sent_date == case.facts.rapid_review_sent_date:
            return
        case.facts = facts
        await self._evaluate(repo, case, S.EVALUATION_TRIGGER_PANEL_SUBMITTED, ref, write_case=True)

    async def on_incident_amended(self, session, ref: EventRef, payload: intake_pb2.IncidentAmended) -> None:  # type: ignore[no-untyped-def]
        """incident.amended: the notification's facts change; the case is re-evaluated. An
        amendment older than the one the facts are of (delivered out of order) changes nothing."""
        repo = self._repo(session)
        case = await self._known_case(repo, payload.incident.case_id or ref.case_id)
        if 0 < payload.version <= case.notification_version:
            return
        facts = with_amended_notification(case.facts, payload.incident)
        case.notification_version = payload.version or case.notification_version
        if facts == case.facts:
            await repo.note_notification_version(case.case_id, case.notification_version)
            return
        case.facts = facts
        await self._evaluate(repo, case, S.EVALUATION_TRIGGER_NOTIFICATION_AMENDED, ref, write_case=True)

    async def on_clock_extended(self, session, ref: EventRef, payload: intake_pb2.IncidentClockExtended) -> None:  # type: ignore[no-untyped-def]
        """incident.clock_extended: the checklist shows the extended due date, as intake does."""
        repo = self._repo(session)
        case = await self._known_case(repo, payload.case_id or ref.case_id)
        facts = with_clock_extension(case.facts, payload.clock)
        if facts == case.facts:
            return
        case.facts = facts
        await self._evaluate(repo, case, S.EVALUATION_TRIGGER_CLOCK_EXTENDED, ref, write_case=True)

    async def on_panel_response(self, session, ref: EventRef, case_id: str, response: str) -> None:  # type: ignore[no-untyped-def]
        """The Panel's response (LOCAL.PANEL_VIEW), as CaseFacts spells it; re-evaluated when it
        changes. The newest response counts: one recorded before the response the facts hold
        (delivered after it: a retry, a replayed dead letter) changes nothing."""
        repo = self._repo(session)
        case = await self._known_case(repo, case_id or ref.case_id)
        at = ref.occurred_at
        if at is not None and case.panel_response_at is not None and at <= case.panel_response_at:
            return
        if case.facts.panel_response == response:
            if at is not None:  # the same answer again, later: an earlier one arriving now must not win
                case.panel_response_at = at
                await repo.note_panel_response_at(case.case_id, at)
            return
        try:
            case.facts = with_panel_response(case.facts, response)
        except ValueError as exc:
            raise PermanentEventError(str(exc)) from None
        case.panel_response_at = at or case.panel_response_at
        await self._evaluate(repo, case, S.EVALUATION_TRIGGER_PANEL_RESPONSE, ref, write_case=True)

    async def on_new_themes(self, session, ref: EventRef, partnership: str, review: facts_pb2.EarlierReview) -> None:  # type: ignore[no-untyped-def]
        """A completed review's learning themes join the partnership's earlier
        reviews; every open case of the partnership is re-evaluated."""
        if not partnership or not review.review_id or not review.themes:
            raise PermanentEventError("themes without partnership, review id or themes")
        repo = self._repo(session)
        await repo.hold_earlier_reviews(partnership, to_change=True)  # cases being stored are re-evaluated too
        await repo.upsert_earlier_review(partnership, review, "decisions")
        await self.evaluator.reevaluate_open_cases(repo, partnership, correlation_id=ref.correlation_id, causation_id=ref.event_id)
