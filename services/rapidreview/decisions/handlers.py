"""Decisions' service layer: each command validates (storing nothing on
failure), opens the case locked in one transaction, checks the order of steps,
stores the record, chains an audit entry for every change and puts its events
in the outbox, all in that one transaction.

This module holds the rapid review decision (recommendation, decision, Panel
submission and response), the queries and the consumed events; the CSPR
lifecycle and the action plan are in `review_handlers.py`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from types import SimpleNamespace

from rapidreview.decisions import storage as T
from rapidreview.decisions.casefile import (
    Actor, CaseFile, attach_case, case_file, case_state, check_case_id, clock_json, new_id, now, open_case, render_case,
    timestamp,
)
from rapidreview.decisions.domain import audit as chain
from rapidreview.decisions.domain import clocks as C
from rapidreview.decisions.domain import lifecycle
from rapidreview.decisions.domain.validation import (
    validate_decision, validate_recommendation, validate_response, validate_submission,
)
from rapidreview.decisions.review_handlers import ReviewCommands
from rapidreview.decisions.storage import DecisionRepository
from rapidreview.kernel.auth import Grant, Scope
from rapidreview.kernel.consumer import PermanentEventError, RetryableEventError
from rapidreview.kernel.errors import InvalidArgument, NotFound, Violations
from rapidreview.kernel.events import EventRef
from rapidreview.kernel.pagination import bigint, decode_page_token, encode_page_token
from rapidreview.kernel.responses import deliverable
from rapidreview.kernel.runtime import Infrastructure
from rapidreview.rules.parameters import RuleParameters
from rapidreview.v1 import common_pb2, criteria_pb2, gathering_pb2, intake_pb2
from rapidreview.v1 import decisions_pb2 as D


@dataclass
class DecisionHandlers(ReviewCommands):
    infra: Infrastructure
    rules: RuleParameters

    @property
    def calendar(self):  # type: ignore[no-untyped-def]
        return self.infra.calendar

    # -- the rapid review decision ------------------------------------------------
    async def record_recommendation(self, r: D.RecordRecommendationRequest, grant: Grant, correlation_id: str) -> D.RecordRecommendationResponse:
        validate_recommendation(r, self.calendar.today()).raise_if_any()
        async with open_case(self.infra, r.case_id, grant, Actor.of(grant, correlation_id), self.deadlines_of) as case:
            replay = await case.replayed("RecordRecommendation", r)
            if replay:
                rec = await case.repo.record(T.recommendations, replay, D.Recommendation, case_id=case.case_id)
                return deliverable(D.RecordRecommendationResponse(recommendation=rec, case=await case_state(case), replayed=True))
            progress = await case.progress()
            lifecycle.require_recommendation_allowed(progress)
            evaluation = await case.repo.evaluation(r.evaluation_id)
            if evaluation is None:
                raise InvalidArgument([("evaluation_id", "no criteria evaluation with this id has been received")])
            if evaluation.case_id != case.case_id:
                raise InvalidArgument([("evaluation_id", "this criteria evaluation belongs to another case")])
            new_round = progress.decision is not None or progress.round == 0
            rec = D.Recommendation(
                recommendation_id=new_id(), case_id=case.case_id, round=progress.round + 1 if new_round else progress.round,
                recommendation=r.recommendation, rationale=r.rationale, evaluation_id=r.evaluation_id, criteria=r.criteria,
                national_importance=r.national_importance, immediate_learning=r.immediate_learning, meeting_date=r.meeting_date,
                recorded_by=case.actor.subject)
            recorded_at = now()
            rec.recorded_at.CopyFrom(timestamp(recorded_at))
            if progress.recommendation is not None and progress.decision is None:
                await case.audit("recommendation.superseded", "recommendation", progress.recommendation.id,
                                 {"superseded": False}, {"superseded": True, "superseded_by": rec.recommendation_id})
            await case.repo.insert_record(T.recommendations, rec.recommendation_id, case.case_id, rec, recorded_at,
                                          round=rec.round, kind=rec.recommendation, evaluation_id=rec.evaluation_id)
            await case.audit("recommendation.recorded", "recommendation", rec.recommendation_id, None, rec)
            await case.emit("decision.recommendation_recorded", D.RecommendationRecorded(
                case_id=case.case_id, recommendation_id=rec.recommendation_id, recommendation=rec.recommendation,
                evaluation_id=rec.evaluation_id, round=rec.round, national_importance=rec.national_importance,
                meeting_date=rec.meeting_date))
            await case.remember("RecordRecommendation", r, rec.recommendation_id)
            return deliverable(D.RecordRecommendationResponse(recommendation=rec, case=await case_state(case)))

    async def record_decision(self, r: D.RecordDecisionRequest, grant: Grant, correlation_id: str) -> D.RecordDecisionResponse:
        v = validate_decision(r, self.calendar.today())
        v.raise_if_any()
        async with open_case(self.infra, r.case_id, grant, Actor.of(grant, correlation_id), self.deadlines_of) as case:
            replay = await case.replayed("RecordDecision", r)
            if replay:
                decision = await case.repo.record(T.decisions, replay, D.Decision, case_id=case.case_id)
                return deliverable(D.RecordDecisionResponse(decision=decision, case=await case_state(case), replayed=True))
            progress = await case.progress()
            step = lifecycle.require_decision_allowed(progress, r.recommendation_id)
            rec = await case.repo.record(T.recommendations, step.id, D.Recommendation, case_id=case.case_id)
            if r.view == D.EXECUTIVE_VIEW_AGREES and r.decision != rec.recommendation:
                v.add("decision", "must be the recommended decision when the Executive agrees (or record DISAGREES)")
            if r.decided_on < rec.meeting_date:
                v.add("decided_on", "must not be before the RAG meeting")
            if r.reason and r.decision == D.REVIEW_DECISION_CSPR:
                v.add("reason", "only for a decision not to hold a local CSPR")
            elif r.reason not in D.DecisionReason.values():
                v.add("reason", "a DecisionReason")
            v.raise_if_any()
            decision = D.Decision(
                decision_id=new_id(), case_id=case.case_id, recommendation_id=rec.recommendation_id, round=rec.round,
                view=r.view, decision=r.decision, rationale=r.rationale, decided_on=r.decided_on,
                national_importance=r.national_importance, decided_by=r.decided_by, communications=r.communications,
                recorded_by=case.actor.subject, reason=r.reason)
            recorded_at = now()
            decision.recorded_at.CopyFrom(timestamp(recorded_at))
            await case.repo.insert_record(T.decisions, decision.decision_id, case.case_id, decision, recorded_at,
                                          recommendation_id=rec.recommendation_id, round=rec.round, kind=decision.decision,
                                          decided_on=dt.date.fromisoformat(decision.decided_on))
            await case.audit("decision.recorded", "decision", decision.decision_id, None, decision)
            await self._inform_clock(case, decision)
            await case.emit("decision.recorded", D.DecisionRecorded(
                case_id=case.case_id, decision_id=decision.decision_id, decision=decision.decision, decided_on=decision.decided_on,
                national_importance=decision.national_importance, recommendation_id=rec.recommendation_id, view=decision.view,
                round=decision.round, reason=decision.reason))
            await case.remember("RecordDecision", r, decision.decision_id)
            return deliverable(D.RecordDecisionResponse(decision=decision, case=await case_state(case)))

    async def _inform_clock(self, case: CaseFile, decision: D.Decision) -> None:
        """POST.INFORM runs from a CSPR decision; a later non-CSPR decision stops an open one."""
        existing = {(c.clock_id, c.subject_ref): c for c in await case.repo.clocks_of(case.case_id)}
        current = existing.get((C.INFORM, "case"))
        decided_on = dt.date.fromisoformat(decision.decided_on)
        if decision.decision == D.REVIEW_DECISION_CSPR and current is None:
            days = case.deadlines.inform_working_days  # type: ignore[union-attr]
            clock = C.ClockState(C.INFORM, "case", decided_on, C.inform_due(decided_on, self.calendar, days))
            await case.repo.save_clock(case.case_id, clock)
            await case.audit("clock.started", "clock", f"{C.INFORM}:case", None, clock_json(clock))
        elif decision.decision != D.REVIEW_DECISION_CSPR and current is not None and current.is_open():
            await case.repo.delete_clock(case.case_id, C.INFORM, "case")
            await case.audit("clock.stopped", "clock", f"{C.INFORM}:case", clock_json(current), None)

    async def record_panel_submission(self, r: D.RecordPanelSubmissionRequest, grant: Grant, correlation_id: str) -> D.RecordPanelSubmissionResponse:
        v = validate_submission(r, self.calendar.today())
        v.raise_if_any()
        async with open_case(self.infra, r.case_id, grant, Actor.of(grant, correlation_id), self.deadlines_of) as case:
            replay = await case.replayed("RecordPanelSubmission", r)
            if replay:
                sub = await case.repo.record(T.panel_submissions, replay, D.PanelSubmission, case_id=case.case_id)
                return deliverable(D.RecordPanelSubmissionResponse(submission=sub, case=await case_state(case), replayed=True))
            step = lifecycle.require_submission_allowed(await case.progress(), r.decision_id)
            decision = await case.repo.record(T.decisions, step.id, D.Decision, case_id=case.case_id)
            if r.sent_date < decision.decided_on:
                v.add("sent_date", "must not be before the decision")
            report = await self._sent_report(case, r, decision, v)
            v.raise_if_any()
            sent = dt.date.fromisoformat(r.sent_date)
            sub = D.PanelSubmission(submission_id=new_id(), case_id=case.case_id, decision_id=decision.decision_id,
                                    sent_date=r.sent_date, panel_reference=r.panel_reference, recorded_by=case.actor.subject)
            if report is not None:
                # The report's digests go into the submission record, and so into its audit entry.
                sub.report.CopyFrom(report)
            if case.row.rr_due is not None:
                sub.rapid_review_due = case.row.rr_due.isoformat()
                sub.late = sent > case.row.rr_due
            recorded_at = now()
            sub.recorded_at.CopyFrom(timestamp(recorded_at))
            await case.repo.insert_record(T.panel_submissions, sub.submission_id, case.case_id, sub, recorded_at,
                                          decision_id=decision.decision_id, sent_date=sent)
            await case.audit("panel_submission.recorded", "panel_submission", sub.submission_id, None, sub)
            await case.emit("decision.panel_submitted", D.PanelSubmissionRecorded(
                case_id=case.case_id, submission_id=sub.submission_id, decision_id=sub.decision_id, sent_date=sub.sent_date,
                late=sub.late, rapid_review_due=sub.rapid_review_due, report_id=sub.report.report_id))
            await case.remember("RecordPanelSubmission", r, sub.submission_id)
            return deliverable(D.RecordPanelSubmissionResponse(submission=sub, case=await case_state(case)))

    async def _sent_report(self, case: CaseFile, r: D.RecordPanelSubmissionRequest, decision: D.Decision,
                           v: Violations) -> D.RapidReviewReport | None:
        """The rendered report named as sent, when it is this decision's and says this sent date."""
        if not r.report_id:
            return None
        try:
            uuid.UUID(r.report_id)
        except ValueError:
            v.add("report_id", "must be a report id (UUID) from RenderRapidReviewReport")
            return None
        report = await case.repo.record(T.reports, r.report_id, D.RapidReviewReport, case_id=case.case_id)
        if report is None:
            v.add("report_id", "no rapid review report of this case has this id")
        elif report.decision_id != decision.decision_id:
            v.add("report_id", "this report was rendered for another decision: render it again (RenderRapidReviewReport)")
        elif report.sent_date and report.sent_date != r.sent_date:
            v.add("report_id", f"this report states it is sent on {report.sent_date}: render it again for {r.sent_date}")
        return report

    async def record_panel_response(self, r: D.RecordPanelResponseRequest, grant: Grant, correlation_id: str) -> D.RecordPanelResponseResponse:
        v = validate_response(r, self.calendar.today())
        v.raise_if_any()
        async with open_case(self.infra, r.case_id, grant, Actor.of(grant, correlation_id), self.deadlines_of) as case:
            replay = await case.replayed("RecordPanelResponse", r)
            if replay:
                resp = await case.repo.record(T.panel_responses, replay, D.PanelResponse, case_id=case.case_id)
                return deliverable(D.RecordPanelResponseResponse(response=resp, case=await case_state(case), replayed=True))
            step = lifecycle.require_response_allowed(await case.progress(), r.submission_id)
            sub = await case.repo.record(T.panel_submissions, step.id, D.PanelSubmission, case_id=case.case_id)
            if r.responded_on < sub.sent_date:
                v.add("responded_on", "must not be before the submission")
            v.raise_if_any()
            resp = D.PanelResponse(response_id=new_id(), case_id=case.case_id, submission_id=sub.submission_id, kind=r.kind,
                                   responded_on=r.responded_on, summary=r.summary, recorded_by=case.actor.subject)
            recorded_at = now()
            resp.recorded_at.CopyFrom(timestamp(recorded_at))
            await case.repo.insert_record(T.panel_responses, resp.response_id, case.case_id, resp, recorded_at,
                                          submission_id=sub.submission_id, kind=resp.kind)
            await case.audit("panel_response.recorded", "panel_response", resp.response_id, None, resp)
            await case.emit("decision.panel_responded", D.PanelResponseRecorded(
                case_id=case.case_id, response_id=resp.response_id, submission_id=sub.submission_id, kind=resp.kind,
                responded_on=resp.responded_on))
            await case.remember("RecordPanelResponse", r, resp.response_id)
            return deliverable(D.RecordPanelResponseResponse(response=resp, case=await case_state(case)))

    # -- queries --------------------------------------------------------------------
    async def get_case(self, case_id: str, grant: Grant) -> D.CaseState:
        # One moment for every record of the case (a decision committed between reading the
        # progress and the clocks would show a stage and clocks that contradict each other).
        async with self.infra.db.snapshot() as session:
            repo = DecisionRepository(session, self.infra.cipher)
            row = await self._readable_row(repo, case_id, grant)
            return await render_case(repo, row, self.calendar, self.deadlines_of(row))

    async def _readable_row(self, repo: DecisionRepository, case_id: str, grant: Grant):  # type: ignore[no-untyped-def]
        check_case_id(case_id)
        row = await repo.case_row(case_id)
        if row is None:
            raise NotFound("no such case")
        grant.require_partnership(row.partnership)
        return row

    async def get_audit_trail(self, r: D.GetAuditTrailRequest, grant: Grant) -> D.GetAuditTrailResponse:
        v = Violations()
        if not 0 <= r.page_size <= 500:
            v.add("page_size", "between 1 and 500 (0 means 100)")
        after = 0
        if r.page_token:
            try:
                after = bigint(decode_page_token(r.page_token)[0].removeprefix("after:"))
            except ValueError:
                v.add("page_token", "not a token from a previous response")
        v.raise_if_any()
        limit = r.page_size or 100
        async with self.infra.db.transaction() as session:
            repo = DecisionRepository(session, self.infra.cipher)
            await self._readable_row(repo, r.case_id, grant)
            stored = await repo.audit_entries(r.case_id, after_sequence=after, limit=limit + 1)
        response = D.GetAuditTrailResponse(entries=[_entry(e) for e in stored[:limit]])
        if len(stored) > limit:
            response.next_page_token = encode_page_token(f"after:{stored[limit - 1].sequence}")
        return response

    async def verify_audit_trail(self, r: D.VerifyAuditTrailRequest, grant: Grant) -> D.VerifyAuditTrailResponse:
        response = D.VerifyAuditTrailResponse()
        # One snapshot: a head and its entries read by two statements must be the same moment's,
        # or an entry appended between them would read as a chain that does not end at its head.
        async with self.infra.db.snapshot() as session:
            repo = DecisionRepository(session, self.infra.cipher)
            if r.case_id:
                row = await self._readable_row(repo, r.case_id, grant)
                heads = [(row.case_id, row.audit_sequence, row.audit_head)]
            else:
                heads = await repo.case_ids(None if grant.scope is Scope.ANY else grant.principal.partnership)
            for case_id, sequence, head in heads:
                findings, checked = chain.verify_chain(case_id, await repo.audit_entries(case_id), int(sequence), str(head))
                response.cases_checked += 1
                response.entries_checked += checked
                response.findings.extend(D.AuditFinding(case_id=f.case_id, sequence=f.sequence, entry_id=f.entry_id,
                                                        problem=f.problem, description=f.description) for f in findings)
        response.intact = not response.findings
        return response

    # -- events ---------------------------------------------------------------------
    async def on_incident_notified(self, session, ref: EventRef, payload: intake_pb2.IncidentNotified) -> None:  # type: ignore[no-untyped-def]
        """incident.notified opens the case here: partnership, child reference
        (an identifying detail) and the agencies involved."""
        incident = payload.incident
        if not incident.case_id or not incident.partnership:
            raise PermanentEventError("incident without case id or partnership")
        repo = DecisionRepository(session, self.infra.cipher)
        agencies = [{"agency_id": a.agency_id, "name": a.name} for a in incident.notification.agencies]
        edition = common_pb2.Edition.Name(incident.edition).removeprefix("EDITION_").lower() if incident.edition else None
        opened = dict(case_id=incident.case_id, partnership=incident.partnership, child_ref=incident.notification.child.child_ref,
                      agencies=agencies, edition=edition, edition_version=incident.edition_version or None,
                      notification_version=max(incident.notification_version, 1))
        # The case as it will be stored: its entries and head are worked out before the one
        # statement that inserts it with them (and writes nothing when the case is known).
        row = SimpleNamespace(case_id=incident.case_id, partnership=incident.partnership, withdrawn=False, rr_due=None,
                              rr_starts_from=None, edition=edition, edition_version=opened["edition_version"],
                              audit_sequence=0, audit_head=chain.GENESIS_HASH, created_at=now())
        try:
            case = case_file(self.infra, repo, row, Actor.event(ref_producer(ref), ref.event_id, ref.correlation_id),
                             self.deadlines_of)
            await case.audit("case.opened", "case", case.case_id, None, {
                "partnership": incident.partnership, "agency_ids": sorted(a["agency_id"] for a in agencies)})
            rr = next((c for c in incident.clocks if c.id == C.RR_DEADLINE), None)
            if rr is not None:
                await self._rapid_review_clock(case, rr, ref.occurred_at, new_case=True)
        except Exception:
            if await repo.case_row(incident.case_id) is not None:
                return  # the same incident again under another event id: nothing to do, as for a valid one
            raise
        await case.flush_new(**opened)  # False: the same incident again under another event id

    async def on_panel_notified(self, session, ref: EventRef, payload: intake_pb2.IncidentPanelNotified) -> None:  # type: ignore[no-untyped-def]
        """incident.panel_notified tells us RR.DEADLINE, which flags a late Panel submission."""
        case = await self._event_case(session, ref, payload.case_id)
        if payload.HasField("rapid_review_clock"):
            await self._rapid_review_clock(case, payload.rapid_review_clock, ref.occurred_at)
        await case.flush()

    async def _rapid_review_clock(self, case: CaseFile, clock, at: dt.datetime | None, *,  # type: ignore[no-untyped-def]
                                  new_case: bool = False) -> None:
        """RR.DEADLINE as intake's event of moment `at` gives it. A clock of an earlier moment than
        the one the case follows (delivered out of order: a retry, a replayed dead letter) changes
        nothing: one with fewer extensions, or one from an event that happened before."""
        try:
            due = dt.date.fromisoformat(clock.effective_due or clock.due)
            starts = dt.date.fromisoformat(clock.starts_from) if clock.starts_from else None
        except ValueError:
            raise PermanentEventError("RR.DEADLINE without a valid due date") from None
        if len(clock.extensions) < getattr(case.row, "rr_extensions", 0):
            return  # the clock as it was before an extension the case knows
        known_at = getattr(case.row, "rr_clock_at", None)
        if at is not None and known_at is not None and at < known_at:
            return  # the clock as an earlier event gave it
        later = at if at is not None and (known_at is None or at > known_at) else known_at
        if case.row.rr_due == due:
            if later != known_at:
                case.stage(rr_clock_at=later)  # the same clock, later: an earlier state arriving now must not win
            return
        before = {"due": case.row.rr_due.isoformat()} if case.row.rr_due else None
        # Written by the caller's flush, with the audit head.
        case.stage(rr_due=due, rr_starts_from=starts, rr_extensions=len(clock.extensions), rr_clock_at=later)
        await case.audit("rapid_review_clock.known", "clock", f"{C.RR_DEADLINE}:case", before, {"due": due.isoformat()})
        if new_case:
            return  # a case not stored yet has no Panel submission
        for sub in await case.repo.records(T.panel_submissions, case.case_id, D.PanelSubmission):
            if sub.rapid_review_due:
                continue
            old = D.PanelSubmission()
            old.CopyFrom(sub)
            sub.rapid_review_due = due.isoformat()
            sub.late = dt.date.fromisoformat(sub.sent_date) > due
            await case.repo.update_record(T.panel_submissions, sub.submission_id, sub)
            await case.audit("panel_submission.late_flag_set", "panel_submission", sub.submission_id, old, sub)

    async def on_clock_extended(self, session, ref: EventRef, payload: intake_pb2.IncidentClockExtended) -> None:  # type: ignore[no-untyped-def]
        """incident.clock_extended: an extended RR.DEADLINE moves the due date a submission is judged against."""
        if payload.clock.id != C.RR_DEADLINE:
            return
        case = await self._event_case(session, ref, payload.case_id)
        await self._rapid_review_clock(case, payload.clock, ref.occurred_at)
        await case.flush()

    async def on_agency_request_opened(self, session, ref: EventRef, payload: gathering_pb2.AgencyRequestOpened) -> None:  # type: ignore[no-untyped-def]
        """agency.request_opened: an agency asked for information during gathering is an
        agency of the case (POST.REVIEWER_INDEPENDENT checks the reviewer against it)."""
        request = payload.request
        if not request.agency.agency_id:
            raise PermanentEventError("request without an agency id")
        case = await self._event_case(session, ref, request.case_id)
        await self._add_agencies(case, [request.agency])
        await case.flush()

    async def on_incident_amended(self, session, ref: EventRef, payload: intake_pb2.IncidentAmended) -> None:  # type: ignore[no-untyped-def]
        """incident.amended: agencies the amended notification adds are agencies of the case;
        an amended child reference is the one checked in publishable texts; RR.DEADLINE as the
        amendment left it (it moves when it counts from an amended awareness date). An amendment older
        than the one the case follows (delivered out of order) changes nothing: its child
        reference is not the current one."""
        incident = payload.incident
        case = await self._event_case(session, ref, incident.case_id)
        if 0 < payload.version <= case.row.notification_version:
            return
        if payload.version:
            case.stage(notification_version=payload.version)
        await self._add_agencies(case, list(incident.notification.agencies))
        rr = next((c for c in incident.clocks if c.id == C.RR_DEADLINE), None)
        if rr is not None and (rr.effective_due or rr.due):  # moved when it counts from the awareness date, amended
            await self._rapid_review_clock(case, rr, ref.occurred_at)
        child_ref = incident.notification.child.child_ref
        if child_ref and child_ref != case.repo.child_ref_of(case.row):
            case.stage(child_ref_enc=case.repo.sealed_child_ref(case.case_id, child_ref))
            await case.audit("case.child_reference_amended", "case", case.case_id, None,
                             {"notification_version": payload.version})
        await case.flush()

    async def _add_agencies(self, case: CaseFile, agencies: list[common_pb2.Agency]) -> None:
        known = case.repo.agencies_of(case.row)
        ids = {a["agency_id"] for a in known}
        added = [{"agency_id": a.agency_id, "name": a.name} for a in agencies if a.agency_id and a.agency_id not in ids]
        added = list({a["agency_id"]: a for a in added}.values())
        if not added:
            return
        case.stage(agencies_json=json.dumps(known + added, sort_keys=True))
        await case.audit("case.agencies_added", "case", case.case_id, None,
                         {"agency_ids": sorted(a["agency_id"] for a in added)})

    async def on_incident_withdrawn(self, session, ref: EventRef, payload: intake_pb2.IncidentWithdrawn) -> None:  # type: ignore[no-untyped-def]
        case = await self._event_case(session, ref, payload.case_id)
        if case.row.withdrawn:
            return
        case.stage(withdrawn=True)  # written by the flush, with the audit head
        await case.audit("case.withdrawn", "case", case.case_id, {"withdrawn": False}, {"withdrawn": True})
        await case.flush()

    async def on_criteria_evaluated(self, session, ref: EventRef, payload: criteria_pb2.CriteriaEvaluated) -> None:  # type: ignore[no-untyped-def]
        """criteria.evaluated: remember the evaluation so a recommendation can cite it."""
        checklist = payload.checklist
        if not checklist.evaluation_id or not checklist.case_id:
            raise PermanentEventError("checklist without evaluation id or case id")
        if len(checklist.evaluation_id) > 64:
            raise PermanentEventError("evaluation id longer than 64 characters")
        case = await self._event_case(session, ref, checklist.case_id)
        evaluated_at = checklist.evaluated_at.ToDatetime(dt.UTC) if checklist.HasField("evaluated_at") else None
        # Its entry is chained before it is known whether the evaluation is new: the statement that
        # stores the evaluation writes the entry and the head only when it is (else nothing).
        await case.audit("evaluation.received", "evaluation", checklist.evaluation_id, None, {
            "evaluation_id": checklist.evaluation_id, "edition_version": checklist.edition_version,
            "outcomes": {o.rule_id: _outcome_name(o.outcome) for o in checklist.criteria}})
        await case.flush_with_evaluation(evaluation_id=checklist.evaluation_id, case_id=case.case_id,
                                         partnership=case.partnership, edition_version=f"{checklist.edition_version}",
                                         evaluated_at=evaluated_at)

    async def _event_case(self, session, ref: EventRef, case_id: str) -> CaseFile:  # type: ignore[no-untyped-def]
        repo = DecisionRepository(session, self.infra.cipher)
        case = await attach_case(self.infra, repo, case_id or ref.case_id,
                                 Actor.event(ref_producer(ref), ref.event_id, ref.correlation_id), self.deadlines_of)
        if case is None:
            raise RetryableEventError("unknown case")
        return case


_PRODUCERS = {"incident": "intake", "criteria": "criteria", "agency": "gathering"}


def ref_producer(ref: EventRef) -> str:
    """The service that produced an event, from its aggregate (incident.* -> intake)."""
    aggregate = ref.event_type.split(".", 1)[0]
    return _PRODUCERS.get(aggregate, aggregate)


def _outcome_name(value: int) -> str:
    from rapidreview.v1 import common_pb2

    return common_pb2.Outcome.Name(value) if value in common_pb2.Outcome.values() else str(value)


def _entry(e: chain.StoredEntry) -> D.AuditEntry:
    entry = D.AuditEntry(sequence=e.sequence, entry_id=e.entry_id, case_id=e.case_id, recorded_at=timestamp(e.recorded_at),
                         previous_hash=e.previous_hash, hash=e.hash)
    if e.change is not None:
        entry.actor, entry.actor_role, entry.action = e.change.actor, e.change.actor_role, e.change.action
        entry.entity, entry.entity_id, entry.causation_id = e.change.entity, e.change.entity_id, e.change.causation_id
        entry.before_json = chain.canonical_json(e.change.before) if e.change.before is not None else ""
        entry.after_json = chain.canonical_json(e.change.after) if e.change.after is not None else ""
    return entry
