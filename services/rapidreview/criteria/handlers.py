"""The criteria service layer: every command and every event runs in one
transaction; each stored evaluation and its criteria.evaluated event commit
together (outbox), so each evaluation is published exactly once.

A case is pinned to the edition version it was first evaluated with (intake's,
when this service has it loaded) and stays on it until ReevaluateCase names
another. Each evaluation stores its inputs (the CaseFacts exactly as
evaluated, earlier reviews included), the edition version, its ruleset and the
day its clocks were computed for, so it can be replayed to the same result.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass

from rapidreview.criteria.domain.checklist import build_checklist, differences, edition_enum, for_event
from rapidreview.criteria.domain.facts import (
    as_withdrawn, facts_from_incident, with_collation, with_decision, with_earlier_reviews, with_judgements,
    with_panel_notification, with_panel_response,
)
from rapidreview.criteria.domain.summary import Summary, build_summary
from rapidreview.criteria.domain.validation import (
    optional_evaluation_id, parse_edition_ref, require_case_id, validate_earlier_reviews, validate_reevaluation,
)
from rapidreview.criteria.storage import DECIDED, OPEN, WITHDRAWN, CriteriaRepository, StoredCase, StoredEvaluation
from rapidreview.criteria.summary.render import MEDIA_TYPES, render
from rapidreview.kernel.auth import Grant, Role
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.consumer import PermanentEventError, RetryableEventError
from rapidreview.kernel.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied, Unavailable, Violations
from rapidreview.kernel.events import EventRef, new_event
from rapidreview.kernel.runtime import Infrastructure
from rapidreview.rules import (
    EditionInfo, EditionNotFound, EngineBusy, Evaluation, InvalidFacts, RuleNotFound, Rulebook, ThemeVocabulary, validate_facts,
)
from rapidreview.v1 import common_pb2, criteria_pb2, decisions_pb2, facts_pb2, gathering_pb2, intake_pb2

PRODUCER = "criteria"
EVALUATION_TIMEOUT = 10.0
EDITION_NAMES = {common_pb2.EDITION_WT2018: "wt2018", common_pb2.EDITION_WT2023: "wt2023"}
_PARTNERSHIP = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
S = criteria_pb2


def _pinned_calendar(day: dt.date) -> WorkingDayCalendar:
    return WorkingDayCalendar(lambda: day)


@dataclass
class CriteriaHandlers:
    infra: Infrastructure
    rulebook: Rulebook

    @property
    def calendar(self) -> WorkingDayCalendar:
        return self.infra.calendar

    def _repo(self, session) -> CriteriaRepository:  # type: ignore[no-untyped-def]
        return CriteriaRepository(session, self.infra.cipher)

    # -- editions -----------------------------------------------------------
    def _available(self) -> str:
        return ", ".join(info.describe() for info in self.rulebook.editions)

    def _pinned(self, case: StoredCase) -> EditionInfo:
        try:
            return self.rulebook.edition(case.pinned_edition, case.pinned_version)
        except EditionNotFound:
            raise FailedPrecondition(
                f"the case is pinned to {case.pinned_edition} {case.pinned_version}, which is not loaded; "
                f"re-evaluate it under one of: {self._available()}"
            ) from None

    def _chosen(self, ref: str, aware: dt.date, field: str) -> EditionInfo:
        """An edition named "wt2023" or "wt2023@2023.1" that covers `aware`."""
        parsed = parse_edition_ref(ref)
        if parsed is None:
            raise InvalidArgument([(field, 'an edition name, optionally with a version: "wt2023" or "wt2023@2023.1"')])
        try:
            info = self.rulebook.edition(*parsed)
        except EditionNotFound:
            raise FailedPrecondition(f"no such rule edition loaded; available: {self._available()}") from None
        if not info.covers(aware):
            raise FailedPrecondition(f"edition {info.name} does not cover the awareness date; available: {self._available()}")
        return info

    def _in_force(self, aware: dt.date) -> EditionInfo:
        try:
            return self.rulebook.edition_for(aware)
        except EditionNotFound:
            raise FailedPrecondition(f"no rule edition covers the awareness date; available: {self._available()}") from None

    def _first_edition(self, incident: intake_pb2.Incident) -> EditionInfo:
        """Intake's edition version when loaded here too, else the one in force on the awareness date."""
        name = EDITION_NAMES.get(incident.edition)
        if name and incident.edition_version:
            try:
                return self.rulebook.edition(name, incident.edition_version)
            except EditionNotFound:
                pass
        return self.rulebook.edition_for(dt.date.fromisoformat(incident.notification.la_aware_date))

    # -- evaluation ---------------------------------------------------------
    async def _run(self, facts: facts_pb2.CaseFacts, edition: EditionInfo, calendar: WorkingDayCalendar) -> Evaluation:
        try:
            return await self.rulebook.evaluate_async(facts, edition=edition, calendar=calendar, timeout=EVALUATION_TIMEOUT)
        except EngineBusy:
            raise Unavailable("the rules engine is busy; retry shortly") from None
        except InvalidFacts as exc:
            raise InvalidArgument([(f"facts.{field}", text) for field, text in exc.violations]) from None

    async def _evaluate(self, repo: CriteriaRepository, case: StoredCase, trigger: int, *, correlation_id: str = "",
                        causation_id: str = "", reason: str = "", edition: EditionInfo | None = None) -> S.Checklist:
        """Evaluates the case as it stands, stores the evaluation and adds its
        criteria.evaluated event to the outbox, in the caller's transaction."""
        edition = edition or self._pinned(case)
        facts = with_earlier_reviews(case.facts, await repo.earlier_reviews(case.partnership))
        evaluation = await self._run(facts, edition, self.calendar)
        evaluation_id = str(uuid.uuid4())
        now = dt.datetime.now(dt.UTC)
        checklist = build_checklist(evaluation, facts, trigger=trigger, evaluation_id=evaluation_id, evaluated_at=now,
                                    partial=case.partial, collation_version=case.collation_version, reason=reason)
        stored = StoredEvaluation(
            evaluation_id=evaluation_id, case_id=case.case_id, partnership=case.partnership, edition=evaluation.edition,
            edition_version=evaluation.version, ruleset=evaluation.ruleset, evaluated_on=evaluation.today,
            collation_version=case.collation_version, facts=facts, checklist=checklist,
        )
        await repo.add_evaluation(stored, trigger=trigger, evaluated_at=now, causation_id=causation_id)
        envelope = new_event("criteria.evaluated", S.CriteriaEvaluated(checklist=for_event(checklist)), producer=PRODUCER,
                             case_id=case.case_id, partnership=case.partnership, correlation_id=correlation_id,
                             causation_id=causation_id, occurred_at=now)
        await self.infra.outbox.add(repo.session, envelope)
        return checklist

    # -- reads --------------------------------------------------------------
    async def _case(self, repo: CriteriaRepository, case_id: str, grant: Grant | None, *, for_update: bool = False) -> StoredCase:
        v = Violations()
        require_case_id(case_id, v)
        v.raise_if_any()
        case = await repo.get_case(case_id, for_update=for_update)
        if case is None:
            raise NotFound("no such case")
        if grant is not None:
            grant.require_partnership(case.partnership)
        return case

    async def _stored(self, repo: CriteriaRepository, case_id: str, evaluation_id: str, grant: Grant) -> StoredEvaluation:
        v = Violations()
        require_case_id(case_id, v)
        optional_evaluation_id(evaluation_id, v)
        v.raise_if_any()
        await self._case(repo, case_id, grant)
        stored = await repo.get_evaluation(case_id, evaluation_id)
        if stored is None:
            raise NotFound("no such evaluation of this case" if evaluation_id else "the case has not been evaluated yet")
        return stored

    def _loaded(self, stored: StoredEvaluation) -> EditionInfo:
        try:
            return self.rulebook.edition(stored.edition, stored.edition_version)
        except EditionNotFound:
            raise FailedPrecondition(
                f"the evaluation used {stored.edition} {stored.edition_version}, which is not loaded; available: {self._available()}"
            ) from None

    # -- RPCs ---------------------------------------------------------------
    async def evaluate_case(self, request: S.EvaluateCaseRequest) -> S.Checklist:
        """A what-if evaluation: stores nothing."""
        v = Violations()
        if not request.HasField("facts"):
            v.add("facts", "required")
        else:
            for field, text in validate_facts(request.facts, self.calendar.today()):
                v.add(f"facts.{field}", text)
        v.raise_if_any()
        aware = dt.date.fromisoformat(request.facts.la_aware_date)
        edition = self._chosen(request.edition, aware, "edition") if request.edition else self._in_force(aware)
        evaluation = await self._run(request.facts, edition, self.calendar)
        return build_checklist(evaluation, request.facts)

    async def get_checklist(self, case_id: str, evaluation_id: str, grant: Grant) -> S.Checklist:
        async with self.infra.db.transaction() as session:
            return (await self._stored(self._repo(session), case_id, evaluation_id, grant)).checklist

    async def list_evaluations(self, case_id: str, grant: Grant) -> S.ListEvaluationsResponse:
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            await self._case(repo, case_id, grant)
            rows = await repo.list_evaluations(case_id)
        response = S.ListEvaluationsResponse()
        for row in rows:
            item = response.evaluations.add(
                evaluation_id=row.evaluation_id, trigger=row.trigger, edition=edition_enum(row.edition),
                edition_version=row.edition_version, evaluated_on=row.evaluated_on.isoformat(),
                fired_rules=row.fired_rules.split(), collation_version=row.collation_version,
            )
            item.evaluated_at.FromDatetime(row.evaluated_at)
        return response

    def summary_of(self, stored: StoredEvaluation, collated: gathering_pb2.InformationCollated | None) -> Summary:
        """The summary model of a stored evaluation (titles from its edition when loaded)."""
        versions = [i for i in self.rulebook.editions if i.name == stored.edition]
        exact = [i for i in versions if i.version == stored.edition_version]
        info = (exact or versions or [None])[-1]
        if info is None:
            titles, title, vocabulary = {}, stored.edition, None
        else:
            titles = {rule.id: rule.title for rule in self.rulebook.rules(info)}
            title, vocabulary = self.rulebook.loaded(info).title, self.rulebook.themes(info)
        return build_summary(stored.checklist, stored.facts, collated, titles=titles, edition_title=title,
                             vocabulary=vocabulary or ThemeVocabulary(()))

    async def render_summary(self, request: S.RenderSummaryRequest, grant: Grant, correlation_id: str) -> S.RenderSummaryResponse:
        if request.format not in MEDIA_TYPES:
            v = Violations()
            require_case_id(request.case_id, v)
            v.add("format", "SUMMARY_FORMAT_MARKDOWN, SUMMARY_FORMAT_HTML or SUMMARY_FORMAT_PDF")
            v.raise_if_any()
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            stored = await self._stored(repo, request.case_id, request.evaluation_id, grant)
            collated = await repo.get_collation(stored.case_id, stored.collation_version)
        content = await asyncio.to_thread(render, self.summary_of(stored, collated), request.format)
        digest = hashlib.sha256(content).hexdigest()
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            await repo.record_summary(summary_id=str(uuid.uuid4()), evaluation_id=stored.evaluation_id, case_id=stored.case_id,
                                      fmt=request.format, sha256=digest, rendered_by=grant.principal.subject[:200])
            ready = S.SummaryReady(case_id=stored.case_id, evaluation_id=stored.evaluation_id, format=request.format, sha256=digest)
            await self.infra.outbox.add(session, new_event("summary.ready", ready, producer=PRODUCER, case_id=stored.case_id,
                                                           partnership=stored.partnership, correlation_id=correlation_id))
        self.infra.outbox.wake()
        return S.RenderSummaryResponse(content=content, media_type=MEDIA_TYPES[request.format], evaluation_id=stored.evaluation_id)

    def list_editions(self) -> S.ListRuleEditionsResponse:
        editions = sorted(self.rulebook.editions, key=lambda i: (i.effective_from, i.name))
        return S.ListRuleEditionsResponse(editions=[
            S.RuleEdition(
                name=info.name, version=info.version, effective_from=info.effective_from.isoformat(),
                effective_to=info.effective_to.isoformat() if info.effective_to else "",
                rule_ids=[rule.id for rule in self.rulebook.rules(info)],
            )
            for info in editions
        ])

    async def explain(self, request: S.ExplainCriterionRequest, grant: Grant) -> S.ExplainCriterionResponse:
        if not request.rule_id.strip():
            v = Violations()
            require_case_id(request.case_id, v)
            v.add("rule_id", "required: a RULES.md id such as LOCAL.MULTI_AGENCY")
            v.raise_if_any()
        async with self.infra.db.transaction() as session:
            stored = await self._stored(self._repo(session), request.case_id, request.evaluation_id, grant)
        outcome = next((c for c in stored.checklist.criteria if c.rule_id == request.rule_id), None)
        if outcome is None:
            raise NotFound("this evaluation has no criterion with that id")
        info = self._loaded(stored)
        try:
            rule = self.rulebook.rule(request.rule_id, info)
        except RuleNotFound:
            raise NotFound("the edition has no rule with that id") from None
        lines = self.rulebook.facts_read(request.rule_id, stored.facts, info, _pinned_calendar(stored.evaluated_on))
        return S.ExplainCriterionResponse(outcome=outcome, title=rule.title, condition=rule.condition_text, facts_read=lines,
                                          edition_version=f"{stored.edition}@{stored.edition_version}")

    async def reevaluate(self, request: S.ReevaluateCaseRequest, grant: Grant, correlation_id: str) -> S.Checklist:
        validate_reevaluation(request).raise_if_any()
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            case = await self._case(repo, request.case_id, grant, for_update=True)
            if request.edition_version:
                edition = self._chosen(request.edition_version, dt.date.fromisoformat(case.facts.la_aware_date), "edition_version")
            else:
                edition = self._pinned(case)
            case.facts = with_judgements(
                case.facts,
                no_agency_involvement_concern=request.no_agency_involvement_concern
                if request.HasField("no_agency_involvement_concern") else None,
                family_moved_between_areas=request.family_moved_between_areas
                if request.HasField("family_moved_between_areas") else None,
            )
            case.pinned_edition, case.pinned_version = edition.name, edition.version
            await repo.update_case(case)
            checklist = await self._evaluate(repo, case, S.EVALUATION_TRIGGER_MANUAL, correlation_id=correlation_id,
                                             reason=request.reason, edition=edition)
        self.infra.outbox.wake()
        return checklist

    async def import_earlier_reviews(self, request: S.ImportEarlierReviewsRequest, grant: Grant,
                                     correlation_id: str) -> S.ImportEarlierReviewsResponse:
        v = validate_earlier_reviews(request, self.calendar.today())
        if grant.principal.role is Role.SERVICE:
            partnership = request.partnership
            if not _PARTNERSHIP.match(partnership):
                v.add("partnership", "required for the service role: 2-64 lower-case letters, digits or hyphens")
        else:
            partnership = grant.principal.partnership
            if request.partnership and request.partnership != partnership:
                raise PermissionDenied("earlier reviews can only be imported for your own partnership")
        v.raise_if_any()
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            for review in request.reviews:
                await repo.upsert_earlier_review(partnership, review, "import")
            reevaluated = await self._reevaluate_open_cases(repo, partnership, correlation_id=correlation_id)
        self.infra.outbox.wake()
        return S.ImportEarlierReviewsResponse(imported=len(request.reviews), reevaluated_case_ids=reevaluated)

    async def _reevaluate_open_cases(self, repo: CriteriaRepository, partnership: str, *, correlation_id: str,
                                     causation_id: str = "") -> list[str]:
        done = []
        for case in await repo.open_cases(partnership):
            try:
                edition = self._pinned(case)
            except FailedPrecondition:
                continue  # pinned to a version no longer loaded: it waits for an explicit re-evaluation
            await self._evaluate(repo, case, S.EVALUATION_TRIGGER_NEW_THEMES, correlation_id=correlation_id,
                                 causation_id=causation_id, edition=edition)
            done.append(case.case_id)
        return done

    async def replay(self, request: S.ReplayEvaluationRequest, grant: Grant) -> S.ReplayEvaluationResponse:
        async with self.infra.db.transaction() as session:
            stored = await self._stored(self._repo(session), request.case_id, request.evaluation_id, grant)
        return await self.replay_stored(stored)

    async def replay_stored(self, stored: StoredEvaluation) -> S.ReplayEvaluationResponse:
        """Evaluates a stored evaluation's inputs again under its edition version
        and day, and compares the result with what was stored."""
        info = self._loaded(stored)
        evaluation = await self._run(stored.facts, info, _pinned_calendar(stored.evaluated_on))
        original = stored.checklist
        replayed = build_checklist(evaluation, stored.facts, trigger=original.trigger, evaluation_id=original.evaluation_id,
                                   evaluated_at=original.evaluated_at.ToDatetime(dt.UTC), partial=original.partial,
                                   collation_version=original.collation_version, reason=original.reason)
        diffs = differences(original, replayed)
        if evaluation.ruleset != stored.ruleset:
            diffs.insert(0, "ruleset (the rule conditions of this edition version changed)")
        return S.ReplayEvaluationResponse(replayed=replayed, identical=not diffs, differences=diffs)

    # -- events -------------------------------------------------------------
    async def _known_case(self, repo: CriteriaRepository, case_id: str) -> StoredCase:
        case = await repo.get_case(case_id, for_update=True) if case_id else None
        if case is None:
            # Events from different producers are not ordered: the case may not be known yet.
            raise RetryableEventError("unknown case")
        return case

    async def _evaluate_event(self, repo: CriteriaRepository, case: StoredCase, trigger: int, ref: EventRef) -> None:
        try:
            await self._evaluate(repo, case, trigger, correlation_id=ref.correlation_id, causation_id=ref.event_id)
        except FailedPrecondition as exc:
            raise RetryableEventError(exc.message) from None

    async def on_incident_notified(self, session, ref: EventRef, payload: intake_pb2.IncidentNotified) -> None:  # type: ignore[no-untyped-def]
        """incident.notified: the case is pinned and gets its initial checklist."""
        incident = payload.incident
        case_id = incident.case_id or ref.case_id
        if not case_id:
            raise PermanentEventError("incident.notified without a case id")
        repo = self._repo(session)
        if await repo.get_case(case_id) is not None:
            return  # already known: the same notification published again
        facts = facts_from_incident(incident)
        facts.case_id = case_id
        facts.partnership = facts.partnership or ref.partnership
        try:
            edition = self._first_edition(incident)
        except (EditionNotFound, ValueError) as exc:
            raise PermanentEventError(f"no edition for this notification: {exc}") from None
        case = StoredCase(case_id, facts.partnership, WITHDRAWN if facts.withdrawn else OPEN, edition.name, edition.version,
                          facts, 0, False)
        await repo.insert_case(case)
        await self._evaluate_event(repo, case, S.EVALUATION_TRIGGER_INCIDENT_NOTIFIED, ref)

    async def on_panel_notified(self, session, ref: EventRef, payload: intake_pb2.IncidentPanelNotified) -> None:  # type: ignore[no-untyped-def]
        """incident.panel_notified: RR.DEADLINE starts; re-evaluated."""
        sent = payload.panel_notification.sent_date
        if not sent:
            raise PermanentEventError("incident.panel_notified without a sent date")
        repo = self._repo(session)
        case = await self._known_case(repo, payload.case_id or ref.case_id)
        if case.facts.panel_notification_sent_date == sent:
            return
        case.facts = with_panel_notification(case.facts, sent)
        await repo.update_case(case)
        await self._evaluate_event(repo, case, S.EVALUATION_TRIGGER_PANEL_NOTIFIED, ref)

    async def on_withdrawn(self, session, ref: EventRef, payload: intake_pb2.IncidentWithdrawn) -> None:  # type: ignore[no-untyped-def]
        """incident.withdrawn: RR.REQUIRED no longer holds; re-evaluated, and no longer re-evaluated on new themes."""
        repo = self._repo(session)
        case = await self._known_case(repo, payload.case_id or ref.case_id)
        if case.facts.withdrawn:
            return
        case.facts = as_withdrawn(case.facts)
        case.status = WITHDRAWN
        await repo.update_case(case)
        await self._evaluate_event(repo, case, S.EVALUATION_TRIGGER_INCIDENT_WITHDRAWN, ref)

    async def on_information_collated(self, session, ref: EventRef, payload: gathering_pb2.InformationCollated) -> None:  # type: ignore[no-untyped-def]
        """information.collated: the full checklist. An older or repeated collation version changes nothing."""
        repo = self._repo(session)
        case = await self._known_case(repo, payload.case_id or ref.case_id)
        if payload.collation_version <= case.collation_version:
            return
        case.facts = with_collation(case.facts, payload)
        case.collation_version = payload.collation_version
        case.partial = payload.partial
        await repo.add_collation(case.case_id, payload)
        await repo.update_case(case)
        await self._evaluate_event(repo, case, S.EVALUATION_TRIGGER_INFORMATION_COLLATED, ref)

    async def on_decision_recorded(self, session, ref: EventRef, payload: decisions_pb2.DecisionRecorded) -> None:  # type: ignore[no-untyped-def]
        """decision.recorded: RR.DEADLINE closes on the decision date (as in intake); the case is no longer open."""
        repo = self._repo(session)
        case = await self._known_case(repo, payload.case_id or ref.case_id)
        try:
            dt.date.fromisoformat(payload.decided_on)
        except ValueError:
            raise PermanentEventError("decided_on is not a date") from None
        if case.status == DECIDED and case.facts.rapid_review_sent_date == payload.decided_on:
            return
        case.facts = with_decision(case.facts, payload.decided_on)
        if case.status != WITHDRAWN:
            case.status = DECIDED
        await repo.update_case(case)
        await self._evaluate_event(repo, case, S.EVALUATION_TRIGGER_DECISION_RECORDED, ref)

    async def apply_panel_response(self, session, ref: EventRef, case_id: str, response: str) -> None:  # type: ignore[no-untyped-def]
        """The Panel's response (LOCAL.PANEL_VIEW); re-evaluated when it changes."""
        repo = self._repo(session)
        case = await self._known_case(repo, case_id or ref.case_id)
        if case.facts.panel_response == response:
            return
        try:
            case.facts = with_panel_response(case.facts, response)
        except ValueError as exc:
            raise PermanentEventError(str(exc)) from None
        await repo.update_case(case)
        await self._evaluate_event(repo, case, S.EVALUATION_TRIGGER_PANEL_RESPONSE, ref)

    async def apply_new_themes(self, session, ref: EventRef, partnership: str, review: facts_pb2.EarlierReview) -> None:  # type: ignore[no-untyped-def]
        """A completed review's learning themes join the partnership's earlier
        reviews; every open case of the partnership is re-evaluated."""
        if not partnership or not review.review_id or not review.themes:
            raise PermanentEventError("themes without partnership, review id or themes")
        repo = self._repo(session)
        await repo.upsert_earlier_review(partnership, review, "decisions")
        await self._reevaluate_open_cases(repo, partnership, correlation_id=ref.correlation_id, causation_id=ref.event_id)
