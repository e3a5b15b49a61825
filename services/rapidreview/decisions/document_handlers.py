"""The documents decisions produces: the rapid review report to the Panel and
the partnership's yearly figures.

Both need records decisions does not hold (the notification, the agencies'
returns, the checklist, the incidents' clocks, the cases' themes), so they read
them through the other services' APIs with the caller's credentials
(`peers.py`); nothing is stored when a service cannot be reached.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

from rapidreview.decisions import storage as T
from rapidreview.decisions.casefile import check_case_id, now, timestamp
from rapidreview.decisions.domain.clocks import ACTION_PLAN, PROGRESS_CHECKS, render_clock
from rapidreview.decisions.figures import compute as figures_compute
from rapidreview.decisions.figures import render as figures_render
from rapidreview.decisions.peers import Metadata, Peers
from rapidreview.decisions.report.model import ClockTerms, ReportInputs, build_report
from rapidreview.decisions.report.render import FORMATS, MEDIA_TYPES, render_docx, render_pdf
from rapidreview.decisions.storage import DecisionRepository
from rapidreview.kernel.auth import Grant
from rapidreview.kernel.errors import FailedPrecondition, InvalidArgument, NotFound, Violations
from rapidreview.kernel.runtime import Infrastructure
from rapidreview.rules import EditionNotFound, RuleNotFound
from rapidreview.rules.parameters import RuleParameters
from rapidreview.v1 import common_pb2, intake_pb2
from rapidreview.v1 import decisions_pb2 as D

_KIND = {D.REPORT_FORMAT_PDF: "pdf", D.REPORT_FORMAT_DOCX: "docx"}
MAX_FIGURE_YEARS = 10


def _date(value: str, field: str, v: Violations) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        v.add(field, "a date YYYY-MM-DD")
        return None


def clock_terms(rules: RuleParameters, incident: intake_pb2.Incident, also: list[str] | None = None) -> dict[str, ClockTerms]:
    """Each of the incident's clocks as the rule files of its edition state it (title, working
    days, what it counts from): the report never words a deadline itself. A clock whose rule the
    edition lacks is left out (the report then names it by its id only)."""
    name = common_pb2.Edition.Name(incident.edition).removeprefix("EDITION_").lower() if incident.edition else ""
    try:
        edition = rules.edition(name, incident.edition_version or None) if name else rules.edition_for(
            incident.notification.la_aware_date)
    except EditionNotFound:
        try:
            edition = rules.edition(name) if name else rules.editions[-1]
        except EditionNotFound:
            return {}
    out = {}
    for clock_id in [*(c.id for c in incident.clocks), *(also or [])]:
        try:
            rule = rules.rule(clock_id, edition)
        except RuleNotFound:
            continue
        days = rule.parameters.get("working_days")
        out[clock_id] = ClockTerms(rule.title, int(days) if isinstance(days, int) else None,
                                   str(rule.parameters.get("counts_from", "")))
    return out


@dataclass
class DocumentHandlers:
    infra: Infrastructure
    peers: Peers
    rules: RuleParameters

    @property
    def calendar(self):  # type: ignore[no-untyped-def]
        return self.infra.calendar

    # -- the rapid review report -------------------------------------------------------
    async def render_report(self, r: D.RenderRapidReviewReportRequest, grant: Grant, md: Metadata) -> D.RenderRapidReviewReportResponse:
        v = Violations()
        try:
            check_case_id(r.case_id)
        except InvalidArgument:
            v.add("case_id", "must be a case id (UUID)")
        _check_formats(r.formats, v)
        sent = _date(r.sent_date, "sent_date", v) if r.sent_date else None
        today = self.calendar.today()
        if sent is not None and sent > today:
            v.add("sent_date", "must not be in the future")
        v.raise_if_any()
        # One moment for the decision, its history and the clocks the report presents.
        async with self.infra.db.snapshot() as session:
            repo = DecisionRepository(session, self.infra.cipher)
            row = await repo.case_row(r.case_id)
            if row is None:
                raise NotFound("no such case")
            grant.require_partnership(row.partnership)
            progress = await repo.progress(r.case_id, withdrawn=bool(row.withdrawn))
            if progress.decision is None:
                raise FailedPrecondition("the rapid review report presents the Executive's decision: record it first (RecordDecision)")
            decision = await repo.record(T.decisions, progress.decision.id, D.Decision, case_id=r.case_id)
            recommendations = await repo.records(T.recommendations, r.case_id, D.Recommendation)
            decisions = await repo.records(T.decisions, r.case_id, D.Decision)
            submissions = await repo.records(T.panel_submissions, r.case_id, D.PanelSubmission)
            responses = await repo.records(T.panel_responses, r.case_id, D.PanelResponse)
            # Decisions' own clocks (POST.INFORM...); each action's clock belongs to the action plan, not here.
            own_clocks = [render_clock(c, self.calendar) for c in await repo.clocks_of(r.case_id)
                          if c.clock_id not in (ACTION_PLAN, PROGRESS_CHECKS)]
        recommendation = next(x for x in recommendations if x.recommendation_id == decision.recommendation_id)
        submitted = next((s for s in submissions if s.decision_id == decision.decision_id), None)
        if sent is None:
            sent = dt.date.fromisoformat(submitted.sent_date) if submitted is not None else today
        if sent < dt.date.fromisoformat(decision.decided_on):
            raise InvalidArgument([("sent_date", "must not be before the decision")])

        incident, collated, checklist = await asyncio.gather(
            self.peers.incident(r.case_id, md), self.peers.collated(r.case_id, md),
            self.peers.checklist(r.case_id, recommendation.evaluation_id, md))
        inputs = ReportInputs(
            case_id=r.case_id, partnership=row.partnership, recommendation=recommendation, decision=decision,
            incident=incident, checklist=checklist, collated=collated, sent_date=sent, rendered_on=today,
            recommendations=recommendations, decisions=decisions, submissions=submissions, responses=responses,
            clock_terms=clock_terms(self.rules, incident, [c.id for c in own_clocks]), decision_clocks=own_clocks)
        model = build_report(inputs, self.calendar)
        documents = {"docx": await asyncio.to_thread(render_docx, model)}
        try:
            documents["pdf"] = await asyncio.to_thread(render_pdf, model)
        except (ImportError, OSError):
            # WeasyPrint (the "pdf" extra) or the pango library it loads is not installed in this deployment.
            if not r.formats or D.REPORT_FORMAT_PDF in r.formats:
                raise FailedPrecondition("PDF rendering is not installed here; ask for REPORT_FORMAT_DOCX") from None
        report = D.RapidReviewReport(
            report_id=str(uuid.uuid4()), case_id=r.case_id, decision_id=decision.decision_id, round=decision.round,
            sent_date=sent.isoformat(), model_sha256=model.sha256, evaluation_id=checklist.evaluation_id,
            collation_version=collated.collation_version if collated is not None else 0, caveats=list(model.caveats),
            rendered_by=grant.principal.subject[:200])
        for fmt in FORMATS:
            content = documents.get(_KIND[fmt])
            if content is not None:
                report.digests.add(format=fmt, sha256=hashlib.sha256(content).hexdigest(), size_bytes=len(content))
        recorded_at = now()
        report.rendered_at.CopyFrom(timestamp(recorded_at))
        async with self.infra.db.transaction() as session:
            await DecisionRepository(session, self.infra.cipher).insert_report(report, recorded_at, model.to_json(), documents)
        return D.RenderRapidReviewReportResponse(report=report, documents=_documents(documents, r.formats or FORMATS))

    async def get_report(self, r: D.GetRapidReviewReportRequest, grant: Grant) -> D.GetRapidReviewReportResponse:
        v = Violations()
        try:
            check_case_id(r.case_id)
        except InvalidArgument:
            v.add("case_id", "must be a case id (UUID)")
        if r.report_id:
            try:
                uuid.UUID(r.report_id)
            except ValueError:
                v.add("report_id", "must be a report id (UUID)")
        _check_formats(r.formats, v)
        v.raise_if_any()
        async with self.infra.db.transaction() as session:
            repo = DecisionRepository(session, self.infra.cipher)
            row = await repo.case_row(r.case_id)
            if row is None:
                raise NotFound("no such case")
            grant.require_partnership(row.partnership)
            report_id = r.report_id
            if not report_id:
                sent = [s.report.report_id for s in await repo.records(T.panel_submissions, r.case_id, D.PanelSubmission)
                        if s.HasField("report")]
                report_id = sent[-1] if sent else (await repo.latest_report_id(r.case_id) or "")
            report = await repo.record(T.reports, report_id, D.RapidReviewReport, case_id=r.case_id) if report_id else None
            if report is None:
                raise NotFound("no rapid review report of this case" + (" with this id" if r.report_id else " yet"))
            documents = await repo.report_documents(r.case_id, report_id)
        return D.GetRapidReviewReportResponse(report=report, documents=_documents(documents, r.formats or FORMATS))

    # -- the yearly figures --------------------------------------------------------------
    async def yearly_figures(self, r: D.GetYearlyFiguresRequest, grant: Grant, md: Metadata) -> D.GetYearlyFiguresResponse:
        v = Violations()
        start = _date(r.from_date, "from_date", v)
        end = _date(r.to_date, "to_date", v)
        if start and end:
            if end < start:
                v.add("to_date", "must not be before from_date")
            elif (end - start).days > MAX_FIGURE_YEARS * 366:
                v.add("to_date", f"at most {MAX_FIGURE_YEARS} years after from_date")
        if r.format not in D.FiguresFormat.values():
            v.add("format", "FIGURES_FORMAT_CSV, FIGURES_FORMAT_JSON or FIGURES_FORMAT_HTML (or unspecified)")
        v.raise_if_any()
        assert start is not None and end is not None
        partnership = grant.principal.partnership
        async with self.infra.db.transaction() as session:
            records = await figures_compute.load_records(DecisionRepository(session, self.infra.cipher), partnership)
        incidents = [i for i in await self.peers.incidents(md) if i.partnership == partnership]
        period = figures_compute.Period(start, end)
        completed = [i.case_id for i in incidents if figures_compute.rapid_review_completed_in(i, period, records.get(i.case_id))]
        themes = await self.peers.case_themes(completed, md) if completed else {}
        figures = figures_compute.compute(period, partnership, incidents, records, themes, self.calendar)
        response = D.GetYearlyFiguresResponse(figures=figures)
        if r.format:
            allowed = figures_render.allowed_by_rules(self.rules, start, end)
            content, media_type = await asyncio.to_thread(figures_render.render, figures, r.format, allowed)
            response.content, response.media_type = content, media_type
        return response


def _check_formats(formats, v: Violations) -> None:  # type: ignore[no-untyped-def]
    if len(formats) > len(FORMATS):
        v.add("formats", "at most 2: REPORT_FORMAT_PDF and REPORT_FORMAT_DOCX")
        return
    for i, fmt in enumerate(formats):
        if fmt not in FORMATS:
            v.add(f"formats[{i}]", "REPORT_FORMAT_PDF or REPORT_FORMAT_DOCX")


def _documents(documents: dict[str, bytes], formats) -> list[D.ReportDocument]:  # type: ignore[no-untyped-def]
    out = []
    for fmt in dict.fromkeys(formats):
        content = documents.get(_KIND[fmt])
        if content is not None:
            out.append(D.ReportDocument(format=fmt, media_type=MEDIA_TYPES[fmt], content=content,
                                        sha256=hashlib.sha256(content).hexdigest()))
    return out
