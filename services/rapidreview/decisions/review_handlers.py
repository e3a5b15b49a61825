"""The CSPR lifecycle and the action plan: commissioning with the independence
check, milestones, extensions, progress checks, anonymisation, publication,
actions and dissemination. Same rules as `handlers.py`: validate, open the case
locked, check the order, store, audit every change, outbox the events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from rapidreview.decisions import storage as T
from rapidreview.decisions.casefile import Actor, CaseFile, case_state, check_case_id, clock_json, new_id, now, open_case, timestamp
from rapidreview.decisions.domain import clocks as C
from rapidreview.decisions.domain import lifecycle
from rapidreview.decisions.domain.anonymisation import Detail, find_identifying_details, refusal_summary
from rapidreview.decisions.domain.independence import CaseAgency, Involvement, independence_conflicts
from rapidreview.decisions.domain.validation import (
    CLOSED_STATUSES, parse_date, validate_add_action, validate_check, validate_commission, validate_dissemination,
    validate_extension, validate_identifying_details, validate_milestone, validate_progress_check, validate_publish,
    validate_update_action,
)
from rapidreview.decisions.storage import DecisionRepository
from rapidreview.kernel.auth import Grant
from rapidreview.kernel.errors import FailedPrecondition, NotFound
from rapidreview.kernel.responses import deliverable
from rapidreview.rules import EditionNotFound
from rapidreview.v1 import decisions_pb2 as D

if TYPE_CHECKING:
    from rapidreview.kernel.runtime import Infrastructure
    from rapidreview.rules.parameters import RuleParameters


def check_deadlines(rules: RuleParameters) -> None:
    """ValueError naming the first edition whose section 4 rule files this service
    cannot use (checked at start-up, so a bad file stops the service)."""
    for edition in rules.editions:
        C.Deadlines.from_rules(lambda rule_id, e=edition: rules.deadline_params(rule_id, e), f"{edition.name} {edition.version}")


#: Extensions of POST.SIX_MONTHS (as intake allows for its clocks): each is kept with the case.
MAX_EXTENSIONS = 10


class ReviewCommands:
    """Commands of the CSPR lifecycle and the action plan (mixed into DecisionHandlers)."""

    infra: Infrastructure
    rules: RuleParameters

    @property
    def calendar(self):  # type: ignore[no-untyped-def]
        return self.infra.calendar

    def deadlines_of(self, row) -> C.Deadlines:  # type: ignore[no-untyped-def]
        """The section 4 deadlines of the edition the case is pinned to (cases opened
        before editions were recorded here: the edition in force when they were opened)."""
        try:
            if row.edition:
                edition = self.rules.edition(row.edition, row.edition_version or None)
            else:
                edition = self.rules.edition_for(row.created_at.date())
        except EditionNotFound:
            edition = self.rules.edition(row.edition) if row.edition else self.rules.editions[-1]
        return C.Deadlines.from_rules(lambda rule_id: self.rules.deadline_params(rule_id, edition),
                                      f"{edition.name} {edition.version}")

    # -- commissioning ------------------------------------------------------------
    async def commission_review(self, r: D.CommissionReviewRequest, grant: Grant, correlation_id: str) -> D.CommissionReviewResponse:
        v = validate_commission(r, self.calendar.today())
        v.raise_if_any()
        async with open_case(self.infra, r.case_id, grant, Actor.of(grant, correlation_id), self.deadlines_of) as case:
            replay = await case.replayed("CommissionReview", r)
            if replay:
                state = await case_state(case)
                return deliverable(D.CommissionReviewResponse(review=state.review, case=state, replayed=True))
            step = lifecycle.require_commissioning_allowed(await case.progress())
            decision = await case.repo.record(T.decisions, step.id, D.Decision, case_id=case.case_id)
            if r.commissioned_on < decision.decided_on:
                v.add("commissioned_on", "must not be before the CSPR decision")
            v.raise_if_any()
            agencies = [CaseAgency(a["agency_id"], a["name"]) for a in case.repo.agencies_of(case.row)]
            conflicts = independence_conflicts(
                r.reviewer.involved_in_case, [Involvement(i.agency_id, i.agency_name) for i in r.reviewer.involvements], agencies)
            if conflicts:
                raise FailedPrecondition("POST.REVIEWER_INDEPENDENT: the reviewer is not independent: " + "; ".join(conflicts))
            deadlines = case.deadlines
            assert deadlines is not None
            weeks = r.progress_check_weeks or deadlines.progress_check_weeks
            review = D.Review(review_id=new_id(), case_id=case.case_id, decision_id=decision.decision_id,
                              commissioned_on=r.commissioned_on, reviewer=r.reviewer, panel=r.panel,
                              terms_of_reference=r.terms_of_reference, progress_check_weeks=weeks, recorded_by=case.actor.subject)
            recorded_at = now()
            review.recorded_at.CopyFrom(timestamp(recorded_at))
            commissioned_on = dt.date.fromisoformat(r.commissioned_on)
            await case.repo.insert_record(T.reviews, review.review_id, case.case_id, review, recorded_at,
                                          decision_id=decision.decision_id, commissioned_on=commissioned_on, progress_check_weeks=weeks)
            await case.audit("review.commissioned", "review", review.review_id, None, review)
            decided_on = dt.date.fromisoformat(decision.decided_on)
            target = C.six_month_target(decided_on, deadlines.six_months)
            # POST.PROGRESS_CHECKS counts from the decision (its rule file): the first check is the
            # first date of that schedule after commissioning.
            for clock in (C.ClockState(C.SIX_MONTHS, "review", decided_on, target),
                          C.ClockState(C.PROGRESS_CHECKS, "check-1", decided_on, C.progress_check_due(decided_on, weeks, commissioned_on))):
                await case.repo.save_clock(case.case_id, clock)
                await case.audit("clock.started", "clock", f"{clock.clock_id}:{clock.subject_ref}", None, clock_json(clock))
            await case.emit("review.commissioned", D.ReviewCommissioned(
                case_id=case.case_id, review_id=review.review_id, decision_id=decision.decision_id,
                commissioned_on=r.commissioned_on, six_month_target=target.isoformat()))
            await case.remember("CommissionReview", r, review.review_id)
            return deliverable(D.CommissionReviewResponse(review=review, case=await case_state(case)))

    # -- milestones, extensions, progress checks -------------------------------------
    async def record_milestone(self, r: D.RecordMilestoneRequest, grant: Grant, correlation_id: str) -> D.RecordMilestoneResponse:
        v = validate_milestone(r, self.calendar.today())
        v.raise_if_any()
        async with open_case(self.infra, r.case_id, grant, Actor.of(grant, correlation_id), self.deadlines_of) as case:
            replay = await case.replayed("RecordMilestone", r)
            if replay:
                found = await case.repo.record(T.milestones, replay, D.Milestone, case_id=case.case_id)
                return deliverable(D.RecordMilestoneResponse(milestone=found, case=await case_state(case), replayed=True))
            progress = await case.progress()
            lifecycle.require_milestone_allowed(progress, r.kind)
            earlier = await case.repo.records(T.milestones, case.case_id, D.Milestone)
            if r.kind in lifecycle.INFORM_MILESTONES:
                decision = await case.repo.record(T.decisions, progress.last_cspr_decision.id, D.Decision, case_id=case.case_id)  # type: ignore[union-attr]
                if r.occurred_on < decision.decided_on:
                    v.add("occurred_on", "must not be before the CSPR decision")
            else:
                review = await case.repo.record(T.reviews, progress.review_id, D.Review, case_id=case.case_id)
                if r.occurred_on < review.commissioned_on:
                    v.add("occurred_on", "must not be before the review was commissioned")
                agreed = [m.occurred_on for m in earlier if m.kind == D.MILESTONE_KIND_FINAL_REPORT_AGREED]
                if r.kind == D.MILESTONE_KIND_SENT_TO_PANEL_AND_SOS and agreed and r.occurred_on < max(agreed):
                    v.add("occurred_on", "must not be before the final report was agreed")
            v.raise_if_any()
            milestone = D.Milestone(milestone_id=new_id(), kind=r.kind, occurred_on=r.occurred_on, note=r.note,
                                    recorded_by=case.actor.subject)
            recorded_at = now()
            milestone.recorded_at.CopyFrom(timestamp(recorded_at))
            await case.repo.insert_record(T.milestones, milestone.milestone_id, case.case_id, milestone, recorded_at,
                                          kind=r.kind, occurred_on=dt.date.fromisoformat(r.occurred_on))
            await case.audit("milestone.recorded", "milestone", milestone.milestone_id, None, milestone)
            if r.kind in lifecycle.INFORM_MILESTONES:
                await self._close_inform_clock(case, [*earlier, milestone])
            await case.remember("RecordMilestone", r, milestone.milestone_id)
            return deliverable(D.RecordMilestoneResponse(milestone=milestone, case=await case_state(case)))

    async def _close_inform_clock(self, case: CaseFile, all_milestones: list[D.Milestone]) -> None:
        """POST.INFORM is done once the Panel, Ofsted and DfE have all been told."""
        dates = {m.kind: m.occurred_on for m in all_milestones if m.kind in lifecycle.INFORM_MILESTONES}
        if set(dates) != set(lifecycle.INFORM_MILESTONES):
            return
        for clock in await case.repo.clocks_of(case.case_id):
            if clock.clock_id == C.INFORM and clock.is_open():
                before = clock_json(clock)
                clock.completed_on = dt.date.fromisoformat(max(dates.values()))
                await case.repo.save_clock(case.case_id, clock)
                await case.audit("clock.completed", "clock", f"{C.INFORM}:case", before, clock_json(clock))

    async def record_extension(self, r: D.RecordExtensionRequest, grant: Grant, correlation_id: str) -> D.RecordExtensionResponse:
        v = validate_extension(r)
        v.raise_if_any()
        async with open_case(self.infra, r.case_id, grant, Actor.of(grant, correlation_id), self.deadlines_of) as case:
            replay = await case.replayed("RecordExtension", r)
            if replay:
                found = await case.repo.record(T.extensions, replay, D.ReviewExtension, case_id=case.case_id)
                return deliverable(D.RecordExtensionResponse(extension=found, case=await case_state(case), replayed=True))
            lifecycle.require_review(await case.progress(), "extending POST.SIX_MONTHS")
            clock = next(c for c in await case.repo.clocks_of(case.case_id) if c.clock_id == C.SIX_MONTHS)
            extended_to = dt.date.fromisoformat(r.extended_to)
            if extended_to <= clock.effective_due:
                v.add("extended_to", f"must be after the target in force ({clock.effective_due.isoformat()})")
            v.raise_if_any()
            if len(await case.repo.records(T.extensions, case.case_id, D.ReviewExtension)) >= MAX_EXTENSIONS:
                raise FailedPrecondition(f"POST.SIX_MONTHS has been extended {MAX_EXTENSIONS} times, the most a clock may be")
            extension = D.ReviewExtension(extension_id=new_id(), reason=r.reason, explanation=r.explanation,
                                          extended_to=r.extended_to, recorded_by=case.actor.subject)
            recorded_at = now()
            extension.recorded_at.CopyFrom(timestamp(recorded_at))
            await case.repo.insert_record(T.extensions, extension.extension_id, case.case_id, extension, recorded_at,
                                          extended_to=extended_to)
            await case.audit("extension.recorded", "extension", extension.extension_id, None, extension)
            before = clock_json(clock)
            clock.extensions = [C.Extension(extended_to, "", case.actor.subject)]
            await case.repo.save_clock(case.case_id, clock)
            await case.audit("clock.extended", "clock", f"{C.SIX_MONTHS}:review", before, clock_json(clock))
            await case.remember("RecordExtension", r, extension.extension_id)
            return deliverable(D.RecordExtensionResponse(extension=extension, case=await case_state(case)))

    async def record_progress_check(self, r: D.RecordProgressCheckRequest, grant: Grant, correlation_id: str) -> D.RecordProgressCheckResponse:
        v = validate_progress_check(r, self.calendar.today())
        v.raise_if_any()
        async with open_case(self.infra, r.case_id, grant, Actor.of(grant, correlation_id), self.deadlines_of) as case:
            replay = await case.replayed("RecordProgressCheck", r)
            if replay:
                found = await case.repo.record(T.progress_checks, replay, D.ProgressCheck, case_id=case.case_id)
                return deliverable(D.RecordProgressCheckResponse(check=found, case=await case_state(case), replayed=True))
            progress = await case.progress()
            review_id = lifecycle.require_review(progress, "recording a progress check")
            review = await case.repo.record(T.reviews, review_id, D.Review, case_id=case.case_id)
            decision = await case.repo.record(T.decisions, review.decision_id, D.Decision, case_id=case.case_id)
            if r.checked_on < review.commissioned_on:
                v.add("checked_on", "must not be before the review was commissioned")
            v.raise_if_any()
            check = D.ProgressCheck(check_id=new_id(), checked_on=r.checked_on, findings=r.findings,
                                    written_request_made=r.written_request_made, written_request=r.written_request,
                                    recorded_by=case.actor.subject)
            recorded_at = now()
            check.recorded_at.CopyFrom(timestamp(recorded_at))
            checked_on = dt.date.fromisoformat(r.checked_on)
            await case.repo.insert_record(T.progress_checks, check.check_id, case.case_id, check, recorded_at, checked_on=checked_on)
            await case.audit("progress_check.recorded", "progress_check", check.check_id, None, check)
            schedule = [c for c in await case.repo.clocks_of(case.case_id) if c.clock_id == C.PROGRESS_CHECKS]
            covered = checked_on
            for clock in schedule:
                if clock.is_open():
                    before = clock_json(clock)
                    clock.completed_on = checked_on
                    covered = max(covered, clock.due)
                    await case.repo.save_clock(case.case_id, clock)
                    await case.audit("clock.completed", "clock", f"{C.PROGRESS_CHECKS}:{clock.subject_ref}", before, clock_json(clock))
            # The schedule stays anchored on the decision: the next check is its next date after
            # both this check and the one it covered.
            decided_on = dt.date.fromisoformat(decision.decided_on)
            following = C.ClockState(C.PROGRESS_CHECKS, f"check-{len(schedule) + 1}", decided_on,
                                     C.progress_check_due(decided_on, review.progress_check_weeks, covered))
            await case.repo.save_clock(case.case_id, following)
            await case.audit("clock.started", "clock", f"{C.PROGRESS_CHECKS}:{following.subject_ref}", None, clock_json(following))
            await case.remember("RecordProgressCheck", r, check.check_id)
            return deliverable(D.RecordProgressCheckResponse(check=check, case=await case_state(case)))

    # -- anonymisation and publication -------------------------------------------------
    async def record_identifying_details(self, r: D.RecordIdentifyingDetailsRequest, grant: Grant,
                                         correlation_id: str) -> D.RecordIdentifyingDetailsResponse:
        validate_identifying_details(r).raise_if_any()
        async with open_case(self.infra, r.case_id, grant, Actor.of(grant, correlation_id), self.deadlines_of) as case:
            replay = await case.replayed("RecordIdentifyingDetails", r)
            if replay is None:
                ids = []
                for detail in r.details:
                    stored = D.IdentifyingDetail(detail_id=new_id(), kind=detail.kind, value=" ".join(detail.value.split()),
                                                 label=detail.label)
                    await case.repo.insert_record(T.identifying_details, stored.detail_id, case.case_id, stored, now(),
                                                  kind=stored.kind)
                    await case.audit("identifying_detail.recorded", "identifying_detail", stored.detail_id, None, stored)
                    ids.append(stored.detail_id)
                await case.remember("RecordIdentifyingDetails", r, ",".join(ids))
            else:
                ids = replay.split(",")
            total = len(await case.repo.records(T.identifying_details, case.case_id, D.IdentifyingDetail)) + 1
            return deliverable(D.RecordIdentifyingDetailsResponse(total=total, detail_ids=ids, replayed=replay is not None))

    async def _details(self, repo: DecisionRepository, row) -> list[Detail]:  # type: ignore[no-untyped-def]
        details = [Detail(D.IDENTIFYING_DETAIL_KIND_CHILD_REFERENCE, repo.child_ref_of(row), "child reference")]
        details += [Detail(d.kind, d.value, d.label) for d in await repo.records(T.identifying_details, row.case_id, D.IdentifyingDetail)]
        return [d for d in details if d.value.strip()]

    async def check_anonymisation(self, r: D.CheckAnonymisationRequest, grant: Grant) -> D.CheckAnonymisationResponse:
        validate_check(r).raise_if_any()
        async with self.infra.db.transaction() as session:
            repo = DecisionRepository(session, self.infra.cipher)
            check_case_id(r.case_id)
            row = await repo.case_row(r.case_id)
            if row is None:
                raise NotFound("no such case")
            grant.require_partnership(row.partnership)
            details = await self._details(repo, row)
        findings = find_identifying_details(r.text, details)
        return D.CheckAnonymisationResponse(
            anonymised=not findings, details_checked=len(details),
            findings=[D.AnonymisationFinding(kind=f.kind, label=f.label, line=f.line, column=f.column, offset=f.offset,
                                             length=f.length, matched_text=f.matched_text) for f in findings])

    async def publish(self, r: D.PublishRequest, grant: Grant, correlation_id: str) -> D.PublishResponse:
        v = validate_publish(r, self.calendar.today())
        v.raise_if_any()
        async with open_case(self.infra, r.case_id, grant, Actor.of(grant, correlation_id), self.deadlines_of) as case:
            replay = await case.replayed("Publish", r)
            if replay:
                state = await case_state(case)
                return deliverable(D.PublishResponse(publication=state.publication, case=state, replayed=True))
            review_id = lifecycle.require_publication_allowed(await case.progress())
            published_on = dt.date.fromisoformat(r.published_on)
            sent = max(m.occurred_on for m in await case.repo.records(T.milestones, case.case_id, D.Milestone)
                       if m.kind == D.MILESTONE_KIND_SENT_TO_PANEL_AND_SOS)
            presend = case.deadlines.presend_working_days  # type: ignore[union-attr]
            earliest = C.earliest_publication(dt.date.fromisoformat(sent), self.calendar, presend)
            if published_on < earliest:
                raise FailedPrecondition(
                    f"POST.PRESEND: the report must reach the Panel and the Secretary of State at least "
                    f"{presend} working days before publication; it was sent on {sent}, so the earliest "
                    f"allowed publication date is {earliest.isoformat()}")
            findings = find_identifying_details(r.text, await self._details(case.repo, case.row))
            if findings:
                raise FailedPrecondition(refusal_summary(findings))
            six_months = next(c for c in await case.repo.clocks_of(case.case_id) if c.clock_id == C.SIX_MONTHS)
            publication = D.Publication(
                review_id=review_id, kind=r.kind, published_on=r.published_on, location=r.location,
                available_until=r.available_until or C.minimum_availability(published_on).isoformat(),
                not_publishing_rationale=r.not_publishing_rationale,
                learning_themes=[" ".join(t.split()) for t in r.learning_themes],
                text_sha256=hashlib.sha256(r.text.encode("utf-8")).hexdigest(), text_length=len(r.text),
                late=published_on > six_months.effective_due, recorded_by=case.actor.subject)
            recorded_at = now()
            publication.recorded_at.CopyFrom(timestamp(recorded_at))
            record_id = new_id()
            await case.repo.insert_record(T.publications, record_id, case.case_id, publication, recorded_at, published_on=published_on,
                                          text_enc=case.repo.seal_publication_text(record_id, r.text))
            await case.audit("review.published", "publication", review_id, None, publication)
            before = clock_json(six_months)
            six_months.completed_on = published_on
            await case.repo.save_clock(case.case_id, six_months)
            await case.audit("clock.completed", "clock", f"{C.SIX_MONTHS}:review", before, clock_json(six_months))
            for clock in await case.repo.clocks_of(case.case_id):
                if clock.clock_id == C.PROGRESS_CHECKS and clock.is_open():
                    await case.repo.delete_clock(case.case_id, clock.clock_id, clock.subject_ref)
                    await case.audit("clock.stopped", "clock", f"{clock.clock_id}:{clock.subject_ref}", clock_json(clock), None)
            await case.emit("review.published", D.ReviewPublished(
                case_id=case.case_id, review_id=review_id, partnership=case.partnership, kind=r.kind,
                published_on=r.published_on, available_until=publication.available_until, location=r.location,
                late=publication.late))
            await case.emit("review.themes_published", D.ReviewThemesPublished(
                partnership=case.partnership, review_id=review_id, year=published_on.year,
                themes=publication.learning_themes, case_id=case.case_id))
            await case.remember("Publish", r, review_id)
            return deliverable(D.PublishResponse(publication=publication, case=await case_state(case)))

    # -- action plan and dissemination -------------------------------------------------
    async def add_action(self, r: D.AddActionRequest, grant: Grant, correlation_id: str) -> D.AddActionResponse:
        v = validate_add_action(r)
        parse_date(r.agreed_on, "agreed_on", v, today=self.calendar.today(), required=False)
        v.raise_if_any()
        async with open_case(self.infra, r.case_id, grant, Actor.of(grant, correlation_id), self.deadlines_of) as case:
            replay = await case.replayed("AddAction", r)
            if replay:
                return deliverable(D.AddActionResponse(
                    action=await case.repo.record(T.actions, replay, D.Action, case_id=case.case_id), replayed=True))
            if case.row.withdrawn:
                raise FailedPrecondition("the notification was withdrawn; nothing more can be recorded for this case")
            recorded_at = now()
            action = D.Action(action_id=new_id(), case_id=case.case_id, description=r.description,
                              owner_agency_id=r.owner_agency_id, due_date=r.due_date, status=D.ACTION_STATUS_OPEN, theme=r.theme,
                              updated_by=case.actor.subject, updated_at=timestamp(recorded_at),
                              created_on=r.agreed_on or self.calendar.today().isoformat())
            due = dt.date.fromisoformat(r.due_date)
            await case.repo.insert_record(T.actions, action.action_id, case.case_id, action, recorded_at,
                                          status=action.status, due_date=due)
            await case.audit("action.added", "action", action.action_id, None, action)
            await case.repo.save_clock(case.case_id, C.ClockState(C.ACTION_PLAN, action.action_id, self.calendar.today(), due))
            await case.remember("AddAction", r, action.action_id)
            action.overdue = due < self.calendar.today()
            return deliverable(D.AddActionResponse(action=action))

    async def update_action(self, r: D.UpdateActionRequest, grant: Grant, correlation_id: str) -> D.UpdateActionResponse:
        v = validate_update_action(r, self.calendar.today())
        v.raise_if_any()
        async with open_case(self.infra, r.case_id, grant, Actor.of(grant, correlation_id), self.deadlines_of) as case:
            action = await case.repo.record(T.actions, r.action_id, D.Action, case_id=case.case_id)
            if action is None:
                raise NotFound("no such action in this case")
            if action.status in CLOSED_STATUSES:
                raise FailedPrecondition("the action is closed (completed or cancelled) and cannot change")
            before = D.Action()
            before.CopyFrom(action)
            if r.status:
                action.status = r.status
            if r.due_date:
                action.due_date = r.due_date
            if r.evidence:
                action.evidence = r.evidence
            if r.closed_on:
                action.closed_on = r.closed_on
            recorded_at = now()
            action.updated_by = case.actor.subject
            action.updated_at.CopyFrom(timestamp(recorded_at))
            due = dt.date.fromisoformat(action.due_date)
            await case.repo.update_record(T.actions, action.action_id, action, status=action.status, due_date=due)
            await case.audit("action.updated", "action", action.action_id, before, action)
            clock = next((c for c in await case.repo.clocks_of(case.case_id)
                          if c.clock_id == C.ACTION_PLAN and c.subject_ref == action.action_id), None)
            if clock is not None:
                clock.due, clock.extensions = due, []
                clock.completed_on = dt.date.fromisoformat(action.closed_on) if action.closed_on else None
                await case.repo.save_clock(case.case_id, clock)
            action.overdue = action.status not in CLOSED_STATUSES and due < self.calendar.today()
            return deliverable(D.UpdateActionResponse(action=action))

    async def record_dissemination(self, r: D.RecordDisseminationRequest, grant: Grant, correlation_id: str) -> D.RecordDisseminationResponse:
        validate_dissemination(r, self.calendar.today()).raise_if_any()
        async with open_case(self.infra, r.case_id, grant, Actor.of(grant, correlation_id), self.deadlines_of) as case:
            replay = await case.replayed("RecordDissemination", r)
            if replay:
                return deliverable(D.RecordDisseminationResponse(
                    dissemination=await case.repo.record(T.disseminations, replay, D.Dissemination, case_id=case.case_id), replayed=True))
            record = D.Dissemination(dissemination_id=new_id(), kind=r.kind, occurred_on=r.occurred_on, audience=r.audience,
                                     reach=r.reach, note=r.note, recorded_by=case.actor.subject)
            recorded_at = now()
            record.recorded_at.CopyFrom(timestamp(recorded_at))
            await case.repo.insert_record(T.disseminations, record.dissemination_id, case.case_id, record, recorded_at,
                                          occurred_on=dt.date.fromisoformat(r.occurred_on))
            await case.audit("dissemination.recorded", "dissemination", record.dissemination_id, None, record)
            await case.remember("RecordDissemination", r, record.dissemination_id)
            return deliverable(D.RecordDisseminationResponse(dissemination=record))
