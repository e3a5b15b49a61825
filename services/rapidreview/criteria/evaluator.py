"""Evaluating a case and storing the evaluation: what commands and events share.

A case is pinned to the edition version it was first evaluated with (intake's,
when this service has it loaded) and stays on it until ReevaluateCase names
another. Each evaluation stores its inputs (the CaseFacts exactly as
evaluated, earlier reviews included), the edition version, its ruleset and the
day its clocks were computed for, so it can be replayed to the same result; it
is stored in the caller's transaction together with its criteria.evaluated
event (outbox), so each evaluation is published exactly once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from rapidreview.criteria.domain.checklist import build_checklist, differences, for_event
from rapidreview.criteria.domain.facts import with_earlier_reviews
from rapidreview.criteria.domain.national_themes import NationalThemeList
from rapidreview.criteria.domain.validation import parse_edition_ref
from rapidreview.criteria.storage import CriteriaRepository, StoredCase, StoredEvaluation
from rapidreview.kernel.outbox import Deferred
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.errors import FailedPrecondition, InvalidArgument, Unavailable
from rapidreview.kernel.events import new_event
from rapidreview.kernel.runtime import Infrastructure
from rapidreview.rules import EditionInfo, EditionNotFound, EngineBusy, Evaluation, InvalidFacts, Rulebook
from rapidreview.v1 import common_pb2, criteria_pb2, facts_pb2, gathering_pb2, intake_pb2

PRODUCER = "criteria"
#: Seconds an evaluation waits for a free slot of the engine: none. Evaluations run on the
#: event loop, one at a time, so a slot is always free unless something else holds them all,
#: and the loop must never block waiting for one.
EVALUATION_TIMEOUT = 0.0
EDITION_NAMES = {common_pb2.EDITION_WT2018: "wt2018", common_pb2.EDITION_WT2023: "wt2023"}


def pinned_calendar(day: dt.date) -> WorkingDayCalendar:
    """A calendar whose today is `day`: clocks as they were on that day."""
    return WorkingDayCalendar(lambda: day)


@dataclass
class CaseEvaluator:
    infra: Infrastructure
    rulebook: Rulebook
    #: The national themes list in force (None: none configured). Swapped by the
    #: national themes watcher when a new version is loaded.
    national_themes: NationalThemeList | None = None

    def reference_reviews(self) -> list[facts_pb2.EarlierReview]:
        """The national list's entries, attached to every case's facts next to its partnership's reviews."""
        return self.national_themes.reviews() if self.national_themes is not None else []

    @property
    def calendar(self) -> WorkingDayCalendar:
        return self.infra.calendar

    # -- editions -----------------------------------------------------------
    def available(self) -> str:
        """The loaded editions, for messages: "wt2018 2018.1 (2018-06-29 to 2023-12-14), ..."."""
        return ", ".join(info.describe() for info in self.rulebook.editions)

    def pinned(self, case: StoredCase) -> EditionInfo:
        """The edition version the case is pinned to; FAILED_PRECONDITION when it is not loaded."""
        try:
            return self.rulebook.edition(case.pinned_edition, case.pinned_version)
        except EditionNotFound:
            raise FailedPrecondition(
                f"the case is pinned to {case.pinned_edition} {case.pinned_version}, which is not loaded; "
                f"re-evaluate it under one of: {self.available()}"
            ) from None

    def chosen(self, ref: str, aware: dt.date, field: str) -> EditionInfo:
        """An edition named "wt2023" or "wt2023@2023.1" that covers `aware`."""
        parsed = parse_edition_ref(ref)
        if parsed is None:
            raise InvalidArgument([(field, 'an edition name, optionally with a version: "wt2023" or "wt2023@2023.1"')])
        try:
            info = self.rulebook.edition(*parsed)
        except EditionNotFound:
            raise FailedPrecondition(f"no such rule edition loaded; available: {self.available()}") from None
        if not info.covers(aware):
            raise FailedPrecondition(f"edition {info.name} does not cover the awareness date; available: {self.available()}")
        return info

    def in_force(self, aware: dt.date) -> EditionInfo:
        """The edition in force on an awareness date; FAILED_PRECONDITION naming the editions when none is."""
        try:
            return self.rulebook.edition_for(aware)
        except EditionNotFound:
            raise FailedPrecondition(f"no rule edition covers the awareness date; available: {self.available()}") from None

    def first_edition(self, incident: intake_pb2.Incident) -> EditionInfo:
        """Intake's edition version when loaded here too, else the one in force on the
        awareness date (EditionNotFound when none is)."""
        name = EDITION_NAMES.get(incident.edition)
        if name and incident.edition_version:
            try:
                return self.rulebook.edition(name, incident.edition_version)
            except EditionNotFound:
                pass
        return self.rulebook.edition_for(dt.date.fromisoformat(incident.notification.la_aware_date))

    def loaded(self, stored: StoredEvaluation) -> EditionInfo:
        """The edition version a stored evaluation used; FAILED_PRECONDITION when no longer loaded."""
        try:
            return self.rulebook.edition(stored.edition, stored.edition_version)
        except EditionNotFound:
            raise FailedPrecondition(
                f"the evaluation used {stored.edition} {stored.edition_version}, which is not loaded; available: {self.available()}"
            ) from None

    # -- evaluating ---------------------------------------------------------
    async def run(self, facts: facts_pb2.CaseFacts, edition: EditionInfo, calendar: WorkingDayCalendar) -> Evaluation:
        """Evaluates on the event loop, as intake decides its duties: an evaluation takes about a
        millisecond, most of it holding the GIL, so the engine's thread pool ran it no sooner and
        its hand-off cost a fifth more CPU (docs/performance.md, seventh round). UNAVAILABLE
        when the engine has no slot free."""
        try:
            return self.rulebook.evaluate(facts, edition=edition, calendar=calendar, timeout=EVALUATION_TIMEOUT)
        except EngineBusy:
            raise Unavailable("the rules engine is busy; retry shortly") from None
        except InvalidFacts as exc:
            raise InvalidArgument([(f"facts.{field}", text) for field, text in exc.violations]) from None

    async def evaluate(self, repo: CriteriaRepository, case: StoredCase, trigger: int, *, correlation_id: str = "",
                       causation_id: str = "", reason: str = "", edition: EditionInfo | None = None,
                       earlier_reviews: list[facts_pb2.EarlierReview] | None = None, write_case: bool = False,
                       collation: gathering_pb2.InformationCollated | None = None) -> criteria_pb2.Checklist:
        """Evaluates the case as it stands, stores the evaluation and adds its
        criteria.evaluated event to the outbox, in the caller's transaction.

        `earlier_reviews`: the partnership's, when the caller read them already in this
        transaction. `write_case` (the case as it now stands) and `collation` are stored with
        the evaluation; the evaluation, those and the outbox row are one statement."""
        edition = edition or self.pinned(case)
        if earlier_reviews is None:
            earlier_reviews = await repo.earlier_reviews(case.partnership)
        facts = with_earlier_reviews(case.facts, [*earlier_reviews, *self.reference_reviews()])
        evaluation = await self.run(facts, edition, self.calendar)
        evaluation_id = str(uuid.uuid4())
        now = dt.datetime.now(dt.UTC)
        checklist = build_checklist(evaluation, facts, trigger=trigger, evaluation_id=evaluation_id, evaluated_at=now,
                                    partial=case.partial, collation_version=case.collation_version, reason=reason,
                                    vocabulary=self.rulebook.themes(edition))
        stored = StoredEvaluation(
            evaluation_id=evaluation_id, case_id=case.case_id, partnership=case.partnership, edition=evaluation.edition,
            edition_version=evaluation.version, ruleset=evaluation.ruleset, evaluated_on=evaluation.today,
            collation_version=case.collation_version, facts=facts, checklist=checklist,
        )
        envelope = new_event("criteria.evaluated", criteria_pb2.CriteriaEvaluated(checklist=for_event(checklist)),
                             producer=PRODUCER, case_id=case.case_id, partnership=case.partnership,
                             correlation_id=correlation_id, causation_id=causation_id, occurred_at=now)
        # The outbox's INSERT (its checks included) runs as part of the evaluation's statement.
        deferred = Deferred()
        await self.infra.outbox.add(deferred, envelope)  # type: ignore[arg-type]
        await repo.add_evaluation(stored, trigger=trigger, evaluated_at=now, causation_id=causation_id,
                                  case=case if write_case else None, collation=collation, deferred=deferred)
        return checklist

    async def reevaluate_open_cases(self, repo: CriteriaRepository, partnership: str | None, *, correlation_id: str,
                                    causation_id: str = "") -> list[str]:
        """Re-evaluates (trigger NEW_THEMES) every open case of the partnership
        (of every partnership when None); returns their ids."""
        done = []
        reviews: dict[str, list[facts_pb2.EarlierReview]] = {}  # each partnership's, read once
        for case in await repo.open_cases(partnership):
            try:
                edition = self.pinned(case)
            except FailedPrecondition:
                continue  # pinned to a version no longer loaded: it waits for an explicit re-evaluation
            if case.partnership not in reviews:
                reviews[case.partnership] = await repo.earlier_reviews(case.partnership)
            await self.evaluate(repo, case, criteria_pb2.EVALUATION_TRIGGER_NEW_THEMES, correlation_id=correlation_id,
                                causation_id=causation_id, edition=edition, earlier_reviews=reviews[case.partnership])
            done.append(case.case_id)
        return done

    async def replay(self, stored: StoredEvaluation) -> criteria_pb2.ReplayEvaluationResponse:
        """Evaluates a stored evaluation's inputs again under its edition version
        and day, and compares the result with what was stored."""
        info = self.loaded(stored)
        evaluation = await self.run(stored.facts, info, pinned_calendar(stored.evaluated_on))
        original = stored.checklist
        replayed = build_checklist(evaluation, stored.facts, trigger=original.trigger, evaluation_id=original.evaluation_id,
                                   evaluated_at=original.evaluated_at.ToDatetime(dt.UTC), partial=original.partial,
                                   collation_version=original.collation_version, reason=original.reason,
                                   vocabulary=self.rulebook.themes(info))
        diffs = differences(original, replayed)
        if evaluation.ruleset != stored.ruleset:
            diffs.insert(0, "ruleset (the rule conditions of this edition version changed)")
        return criteria_pb2.ReplayEvaluationResponse(replayed=replayed, identical=not diffs, differences=diffs)
