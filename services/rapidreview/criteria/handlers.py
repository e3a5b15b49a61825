"""The criteria service layer for the API: each command runs in one transaction
with its events (outbox), after validation that stores nothing on failure.
What the events of other services do is in `event_handlers.py`; evaluating and
storing is shared through `evaluator.py`."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass

from rapidreview.criteria.domain.checklist import build_checklist, edition_enum
from rapidreview.criteria.domain.facts import with_judgements
from rapidreview.criteria.domain.summary import Summary, build_summary
from rapidreview.criteria.domain.validation import (
    optional_evaluation_id, require_case_id, validate_earlier_reviews, validate_reevaluation,
)
from rapidreview.criteria.evaluator import PRODUCER, CaseEvaluator, pinned_calendar
from rapidreview.criteria.storage import CriteriaRepository, StoredCase, StoredEvaluation
from rapidreview.criteria.summary.render import MEDIA_TYPES, render
from rapidreview.kernel.auth import Grant, Role
from rapidreview.kernel.errors import FailedPrecondition, NotFound, PermissionDenied, Violations
from rapidreview.kernel.events import new_event
from rapidreview.kernel.runtime import Infrastructure
from rapidreview.rules import EditionNotFound, RuleNotFound, ThemeVocabulary, validate_facts
from rapidreview.v1 import criteria_pb2 as S
from rapidreview.v1 import gathering_pb2

_PARTNERSHIP = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
MAX_THEME_CASES = 500
#: A RULES.md id, e.g. LOCAL.MULTI_AGENCY (anything else names no rule).
_RULE_ID = re.compile(r"^[A-Z][A-Z0-9_]{0,31}(\.[A-Z0-9_]{1,32}){1,2}$")


@dataclass
class CriteriaHandlers:
    infra: Infrastructure
    evaluator: CaseEvaluator

    @property
    def rulebook(self):  # type: ignore[no-untyped-def]
        return self.evaluator.rulebook

    def _repo(self, session) -> CriteriaRepository:  # type: ignore[no-untyped-def]
        return CriteriaRepository(session, self.infra.cipher)

    # -- reads --------------------------------------------------------------
    async def _case(self, repo: CriteriaRepository, case_id: str, grant: Grant, *, for_update: bool = False) -> StoredCase:
        v = Violations()
        require_case_id(case_id, v)
        v.raise_if_any()
        case = await repo.get_case(case_id, for_update=for_update)
        if case is None:
            raise NotFound("no such case")
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

    # -- RPCs ---------------------------------------------------------------
    async def evaluate_case(self, request: S.EvaluateCaseRequest) -> S.Checklist:
        """A what-if evaluation: stores nothing."""
        v = Violations()
        if not request.HasField("facts"):
            v.add("facts", "required")
        else:
            for field, text in validate_facts(request.facts, self.infra.calendar.today()):
                v.add(f"facts.{field}", text)
        v.raise_if_any()
        aware = dt.date.fromisoformat(request.facts.la_aware_date)
        edition = self.evaluator.chosen(request.edition, aware, "edition") if request.edition else self.evaluator.in_force(aware)
        evaluation = await self.evaluator.run(request.facts, edition, self.infra.calendar)
        return build_checklist(evaluation, request.facts, vocabulary=self.rulebook.themes(edition))

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
            return build_summary(stored.checklist, stored.facts, collated, titles={}, edition_title=stored.edition,
                                 vocabulary=ThemeVocabulary(()))
        return build_summary(stored.checklist, stored.facts, collated,
                             titles={rule.id: rule.title for rule in self.rulebook.rules(info)},
                             edition_title=self.rulebook.loaded(info).title, vocabulary=self.rulebook.themes(info))

    async def render_document(self, case_id: str, evaluation_id: str, fmt: int = S.SUMMARY_FORMAT_PDF) -> bytes:
        """The rendered summary of a stored evaluation, for the service's own
        delivery to the advisory group: no caller, nothing recorded or published."""
        from rapidreview.kernel.auth import Principal, Role, Scope

        service = Grant(Principal(subject="service:criteria", role=Role.SERVICE, partnership=""), Scope.ANY)
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            stored = await self._stored(repo, case_id, evaluation_id, service)
            collated = await repo.get_collation(stored.case_id, stored.collation_version)
        return await asyncio.to_thread(render, self.summary_of(stored, collated), fmt)

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
        try:
            content = await asyncio.to_thread(render, self.summary_of(stored, collated), request.format)
        except (ImportError, OSError):
            # WeasyPrint (the "pdf" extra) or the pango library it loads is not installed in this deployment.
            raise FailedPrecondition("PDF rendering is not installed here; Markdown and HTML are available") from None
        digest = hashlib.sha256(content).hexdigest()
        async with self.infra.db.transaction() as session:
            await self._repo(session).record_summary(
                summary_id=str(uuid.uuid4()), evaluation_id=stored.evaluation_id, case_id=stored.case_id,
                fmt=request.format, sha256=digest, rendered_by=grant.principal.subject[:200])
            ready = S.SummaryReady(case_id=stored.case_id, evaluation_id=stored.evaluation_id, format=request.format, sha256=digest)
            await self.infra.outbox.add(session, new_event("summary.ready", ready, producer=PRODUCER, case_id=stored.case_id,
                                                           partnership=stored.partnership, correlation_id=correlation_id))
        self.infra.outbox.wake()
        return S.RenderSummaryResponse(content=content, media_type=MEDIA_TYPES[request.format], evaluation_id=stored.evaluation_id)

    def list_editions(self) -> S.ListRuleEditionsResponse:
        editions = sorted(self.rulebook.editions, key=lambda i: (i.effective_from, i.name, i.version))
        return S.ListRuleEditionsResponse(editions=[
            S.RuleEdition(
                name=info.name, version=info.version, effective_from=info.effective_from.isoformat(),
                effective_to=info.effective_to.isoformat() if info.effective_to else "",
                rule_ids=[rule.id for rule in self.rulebook.rules(info)],
            )
            for info in editions
        ])

    async def explain(self, request: S.ExplainCriterionRequest, grant: Grant) -> S.ExplainCriterionResponse:
        if not _RULE_ID.match(request.rule_id):
            v = Violations()
            require_case_id(request.case_id, v)
            v.add("rule_id", "required: a RULES.md id such as LOCAL.MULTI_AGENCY")
            v.raise_if_any()
        async with self.infra.db.transaction() as session:
            stored = await self._stored(self._repo(session), request.case_id, request.evaluation_id, grant)
        outcome = next((c for c in stored.checklist.criteria if c.rule_id == request.rule_id), None)
        if outcome is None:
            raise NotFound("this evaluation has no criterion with that id")
        info = self.evaluator.loaded(stored)
        try:
            rule = self.rulebook.rule(request.rule_id, info)
        except RuleNotFound:
            raise NotFound("the edition has no rule with that id") from None
        lines = self.rulebook.facts_read(request.rule_id, stored.facts, info, pinned_calendar(stored.evaluated_on))
        return S.ExplainCriterionResponse(outcome=outcome, title=rule.title, condition=rule.condition_text, facts_read=lines,
                                          edition_version=f"{stored.edition}@{stored.edition_version}")

    async def reevaluate(self, request: S.ReevaluateCaseRequest, grant: Grant, correlation_id: str) -> S.Checklist:
        validate_reevaluation(request).raise_if_any()
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            case = await self._case(repo, request.case_id, grant, for_update=True)
            if request.edition_version:
                aware = dt.date.fromisoformat(case.facts.la_aware_date)
                edition = self.evaluator.chosen(request.edition_version, aware, "edition_version")
            else:
                edition = self.evaluator.pinned(case)
            case.facts = with_judgements(
                case.facts,
                no_agency_involvement_concern=request.no_agency_involvement_concern
                if request.HasField("no_agency_involvement_concern") else None,
                family_moved_between_areas=request.family_moved_between_areas
                if request.HasField("family_moved_between_areas") else None,
            )
            case.pinned_edition, case.pinned_version = edition.name, edition.version
            checklist = await self.evaluator.evaluate(repo, case, S.EVALUATION_TRIGGER_MANUAL, correlation_id=correlation_id,
                                                      reason=request.reason, edition=edition, write_case=True)
        self.infra.outbox.wake()
        return checklist

    async def import_earlier_reviews(self, request: S.ImportEarlierReviewsRequest, grant: Grant,
                                     correlation_id: str) -> S.ImportEarlierReviewsResponse:
        v = validate_earlier_reviews(request, self.infra.calendar.today())
        if grant.principal.role is Role.SERVICE:
            partnership = request.partnership
            if not _PARTNERSHIP.match(partnership):
                v.add("partnership", "required for the service role: 2-64 lower-case letters, digits or hyphens")
        else:
            partnership = grant.principal.partnership
            if request.partnership and request.partnership != partnership:
                raise PermissionDenied("earlier reviews can only be imported for your own partnership")
        v.raise_if_any()

        async def import_and_reevaluate() -> list[str]:
            # Locks every open case of the partnership, in creation order; a group of events
            # (one transaction) may hold some of them in another order: PostgreSQL breaks such a
            # deadlock by failing one side, and this side runs again (`Database.retrying`).
            async with self.infra.db.transaction() as session:
                repo = self._repo(session)
                # After the cases being stored commit, so that they are among the open cases read
                # below; a case notified from now on reads the imported reviews.
                await repo.hold_earlier_reviews(partnership, to_change=True)
                for review in request.reviews:
                    await repo.upsert_earlier_review(partnership, review, "import")
                return await self.evaluator.reevaluate_open_cases(repo, partnership, correlation_id=correlation_id)

        reevaluated = await self.infra.db.retrying(import_and_reevaluate)
        self.infra.outbox.wake()
        return S.ImportEarlierReviewsResponse(imported=len(request.reviews), reevaluated_case_ids=reevaluated)

    async def replay(self, request: S.ReplayEvaluationRequest, grant: Grant) -> S.ReplayEvaluationResponse:
        async with self.infra.db.transaction() as session:
            stored = await self._stored(self._repo(session), request.case_id, request.evaluation_id, grant)
        return await self.evaluator.replay(stored)

    async def list_case_themes(self, request: S.ListCaseThemesRequest, grant: Grant) -> S.ListCaseThemesResponse:
        """Each case's learning themes as its latest evaluation saw them, mapped
        onto its pinned edition's vocabulary; one statement for all the cases."""
        v = Violations()
        if not 1 <= len(request.case_ids) <= MAX_THEME_CASES:
            v.add("case_ids", f"1 to {MAX_THEME_CASES} case ids")
        for i, case_id in enumerate(request.case_ids[:MAX_THEME_CASES]):
            require_case_id(case_id, v, f"case_ids[{i}]")
        v.raise_if_any()
        wanted = list(dict.fromkeys(request.case_ids))
        async with self.infra.db.transaction() as session:
            rows = await self._repo(session).latest_facts(wanted)
        found = {}
        for case_id, partnership, edition, version, evaluation_id, facts in rows:
            grant.require_partnership(partnership)
            found[case_id] = (edition, version, evaluation_id, facts)
        response = S.ListCaseThemesResponse(not_found=[c for c in wanted if c not in found])
        for case_id in wanted:
            if case_id not in found:
                continue
            edition, version, evaluation_id, facts = found[case_id]
            item = response.cases.add(case_id=case_id, evaluation_id=evaluation_id)
            if facts is None:
                continue
            vocabulary = self._vocabulary(edition, version)
            mapping = vocabulary.map_tags(t for a in facts.agencies for learning in a.learning for t in learning.themes)
            item.themes.extend(mapping.matched)
            item.unmatched_tags.extend(mapping.unmatched)
        return response

    def _vocabulary(self, edition: str, version: str) -> ThemeVocabulary:
        """The vocabulary of an edition version (its latest version, or the newest edition's, when not loaded)."""
        try:
            return self.rulebook.themes(self.rulebook.edition(edition, version))
        except Exception:  # noqa: BLE001 - no longer loaded: the vocabulary is the same list in every edition so far
            return self.rulebook.themes(self.rulebook.editions[-1])

    def learning_themes(self, request: S.GetLearningThemesRequest) -> S.GetLearningThemesResponse:
        """The themes vocabulary of the edition in force on `on_date` (default today)."""
        day = self.infra.calendar.today()
        if request.on_date:
            try:
                day = dt.date.fromisoformat(request.on_date)
            except ValueError:
                day = None
            if day is None or len(request.on_date) != 10:
                v = Violations()
                v.add("on_date", "must be a date YYYY-MM-DD")
                v.raise_if_any()
        try:
            info = self.rulebook.edition_for(day)
        except EditionNotFound as exc:
            raise FailedPrecondition(str(exc)) from None
        vocabulary = self.rulebook.themes(info)
        return S.GetLearningThemesResponse(
            edition=info.name, edition_version=info.version,
            themes=[S.LearningTheme(name=t.name, synonyms=list(t.synonyms)) for t in vocabulary.themes])

    def national_themes(self) -> S.GetNationalThemesResponse:
        themes = self.evaluator.national_themes
        return themes.to_proto() if themes is not None else S.GetNationalThemesResponse()
