"""The rapid review report model on its own: what it says when the Executive
disagrees with the advisory group, after a Panel challenge, when returns are
missing, and when the clocks were missed; and that both renderings carry it."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from rapidreview.decisions.report.model import ReportInputs, build_report
from rapidreview.decisions.report.render import render_docx, render_html
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import common_pb2 as C
from rapidreview.v1 import criteria_pb2, gathering_pb2, intake_pb2
from rapidreview.v1 import decisions_pb2 as D

CASE = "7f0c2a52-1d7e-4f55-9d8e-2b5c1c9e4a10"


def _incident(*, sent: str = "2024-06-07", late_notify: bool = False) -> intake_pb2.Incident:
    notify_due = "2024-06-11"
    return intake_pb2.Incident(
        case_id=CASE, partnership="leeds", edition=C.EDITION_WT2023, edition_version="2023.1",
        notification=intake_pb2.Notification(
            notifying_la="Leeds", incident_la="Leeds", home_la="Leeds", incident_country=C.COUNTRY_ENGLAND,
            child=intake_pb2.ChildDetails(child_ref="Child M", age_years=15, looked_after=True), nature=C.NATURE_DEATH,
            abuse_or_neglect=C.ABUSE_OR_NEGLECT_SUSPECTED, setting=C.SETTING_RESIDENTIAL_CHILDRENS_HOME,
            incident_date="2024-06-01", la_aware_date="2024-06-04",
            agencies=[C.Agency(agency_id="west-yorkshire-police", name="West Yorkshire Police")]),
        panel_notification=intake_pb2.PanelNotification(reference="PANEL-M", sent_date="2024-06-14" if late_notify else sent),
        clocks=[C.Clock(id="NOTIFY.DEADLINE", starts_from="2024-06-04", due=notify_due, effective_due=notify_due),
                C.Clock(id="RR.DEADLINE", starts_from=sent, due="2024-06-28", effective_due="2024-07-05",
                        extensions=[C.ClockExtension(extended_to="2024-07-05", reason="Police asked for time to interview.")])],
    )


def _inputs(**overrides) -> ReportInputs:  # type: ignore[no-untyped-def]
    rec = D.Recommendation(recommendation_id="r2", case_id=CASE, round=2, recommendation=D.REVIEW_DECISION_CSPR,
                           rationale="The group sees learning about residential care.", evaluation_id="e1",
                           meeting_date="2024-07-01", national_importance=True,
                           criteria=[D.CriterionView(criterion_id="REGARD.INSTITUTIONAL", conclusion=D.CRITERION_CONCLUSION_YES,
                                                     rationale="A children's home.")])
    dec = D.Decision(decision_id="d2", case_id=CASE, recommendation_id="r2", round=2, view=D.EXECUTIVE_VIEW_DISAGREES,
                     decision=D.REVIEW_DECISION_NO_CSPR, reason=D.DECISION_REASON_OTHER_REVIEW,
                     rationale="A national review of residential settings is under way.", decided_on="2024-07-02")
    first_rec = D.Recommendation(recommendation_id="r1", round=1, recommendation=D.REVIEW_DECISION_NO_CSPR, meeting_date="2024-06-20")
    first_dec = D.Decision(decision_id="d1", recommendation_id="r1", round=1, decision=D.REVIEW_DECISION_NO_CSPR, decided_on="2024-06-21")
    values = dict(
        case_id=CASE, partnership="leeds", recommendation=rec, decision=dec, incident=_incident(),
        checklist=criteria_pb2.Checklist(evaluation_id="e1", edition_version="2023.1", evaluated_on="2024-06-19", partial=True,
                                         criteria=[C.RuleOutcome(rule_id="REGARD.INSTITUTIONAL", outcome=C.OUTCOME_INDICATED,
                                                                 rationale="The setting is institutional.")],
                                         not_automatic_statement="Meeting the criteria does not mean a review must be held."),
        collated=gathering_pb2.CollatedInformation(
            completeness=gathering_pb2.Completeness(requested=2, returned=1, missing=1),
            missing_agencies=[C.Agency(agency_id="school", name="High school")]),
        sent_date=dt.date(2024, 7, 3), rendered_on=dt.date(2024, 7, 3),
        recommendations=[first_rec, rec], decisions=[first_dec, dec],
        submissions=[D.PanelSubmission(submission_id="s1", decision_id="d1", sent_date="2024-06-24")],
        responses=[D.PanelResponse(submission_id="s1", kind=D.PANEL_RESPONSE_KIND_CHALLENGES, responded_on="2024-06-28")],
    )
    values.update(overrides)
    return ReportInputs(**values)


@pytest.fixture
def calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar(lambda: dt.date(2024, 7, 3))


def test_a_disagreement_with_the_advisory_group_is_stated_with_both_rationales(calendar):
    decision = build_report(_inputs(), calendar).section("decision").text()
    assert "The Executive disagreed with the advisory group: the group recommended local CSPR; the Executive decided no local CSPR." in decision
    assert "disagrees" in decision
    assert "The group sees learning about residential care." in decision
    assert "A national review of residential settings is under way." in decision
    assert "the learning will come from another review or process" in decision
    assert "no (the advisory group: yes)" in decision


def test_a_reconsidered_decision_shows_the_earlier_round_and_the_panels_challenge(calendar):
    decision = build_report(_inputs(), calendar).section("decision").text()
    assert ("Round 1: the advisory group recommended no local CSPR; the Executive decided no local CSPR on 21 June 2024; "
            "sent to the Panel on 24 June 2024; the Panel challenged the decision on 28 June 2024.") in decision


def test_missing_returns_and_a_partial_checklist_are_caveats(calendar):
    report = build_report(_inputs(), calendar)
    assert report.caveats == (
        "1 agency return(s) still missing when this report was prepared: High school.",
        "The criteria were evaluated while agency returns were still missing.",
    )
    no_collation = build_report(_inputs(collated=None), calendar)
    assert "No collated agency information was available" in no_collation.caveats[0]
    assert "Agencies named in the notification: West Yorkshire Police." in no_collation.section("agencies").text()


def test_timeliness_counts_working_days_against_the_due_date_in_force(calendar):
    timeliness = build_report(_inputs(incident=_incident(late_notify=True)), calendar).section("timeliness").text()
    # Aware Tuesday 4 June, due Tuesday 11 June, sent Friday 14 June: 8 working days, 3 late.
    assert "late by 3 working days" in timeliness
    # RR.DEADLINE extended to 5 July: sent on 3 July is on time, 2 working days to spare.
    assert "5 July 2024" in timeliness and "on time (2 working days to spare)" in timeliness
    assert "RR.DEADLINE was extended to 5 July 2024: Police asked for time to interview." in timeliness


def test_the_case_in_brief_is_pseudonymous_and_plain(calendar):
    case = build_report(_inputs(), calendar).section("case").text()
    assert "Child M" in case and "15 years" in case and "looked after" in case and "The child died" in case
    assert "residential childrens home" in case


def test_both_renderings_hold_every_section_in_order(calendar):
    from docx import Document

    report = build_report(_inputs(), calendar)
    html = render_html(report)
    docx = Document(io.BytesIO(render_docx(report)))
    headings = [p.text for p in docx.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{s.number}. {s.title}" for s in report.sections]
    positions = [html.index(f"{s.number}. {s.title}") for s in report.sections]
    assert positions == sorted(positions)
    assert "OFFICIAL-SENSITIVE" in docx.sections[0].header.paragraphs[0].text


def test_the_model_digest_is_stable_and_changes_with_the_content(calendar):
    a, b = build_report(_inputs(), calendar), build_report(_inputs(), calendar)
    assert a.sha256 == b.sha256
    assert build_report(_inputs(sent_date=dt.date(2024, 7, 4)), calendar).sha256 != a.sha256


def _terms() -> dict:  # type: ignore[type-arg]
    """The clocks' terms as decisions reads them from the shipped rule files of the case's edition."""
    from rapidreview.decisions.document_handlers import clock_terms
    from rapidreview.rules.parameters import RuleParameters

    incident = _incident()
    incident.clocks.add(id="NOTIFY.LAC_DEATH", starts_from="2024-06-04", due="2024-06-11", effective_due="2024-06-11",
                        completed_on="2024-06-06")
    incident.clocks.add(id="NOTIFY.PARTNERS", starts_from="2024-06-04", due="2024-06-11", effective_due="2024-06-11",
                        overdue=True)
    return {"incident": incident, "clock_terms": clock_terms(RuleParameters.load_default(), incident)}


def test_every_clock_of_the_case_is_listed_with_the_time_its_rule_file_allows(calendar):
    inputs = _terms()
    assert {k: (t.working_days, t.counts_from) for k, t in inputs["clock_terms"].items()} == {
        "NOTIFY.DEADLINE": (5, "la_aware_date"), "RR.DEADLINE": (15, "panel_notification_sent_date"),
        "NOTIFY.LAC_DEATH": (5, "la_aware_date"), "NOTIFY.PARTNERS": (5, "la_aware_date")}
    inputs["incident"].panel_notification.sent_date = "2024-06-07"
    section = build_report(_inputs(**inputs), calendar).section("timeliness")
    rows = {row[0].split(":")[0]: row for block in section.blocks if block.kind == "table" for row in block.rows}
    assert set(rows) == {"NOTIFY.DEADLINE", "NOTIFY.LAC_DEATH", "NOTIFY.PARTNERS", "RR.DEADLINE"}
    # The title and the working days are the rule file's (WT2023 NOTIFY.LAC_DEATH: 5 working days from awareness).
    assert rows["NOTIFY.LAC_DEATH"][:4] == (
        "NOTIFY.LAC_DEATH: Death of a looked-after child is notified to the Secretary of State and Ofsted (5 working days)",
        "awareness, 4 June 2024", "11 June 2024", "6 June 2024")
    assert rows["NOTIFY.LAC_DEATH"][4:] == ("2", "on time (3 working days to spare)")
    assert rows["NOTIFY.PARTNERS"][3:] == ("not recorded", "—", "overdue")
    # A title that states the time already is not followed by it again.
    assert rows["RR.DEADLINE"][0] == ("RR.DEADLINE: The rapid review is completed and its decision sent to the Panel "
                                      "within 15 working days")
    assert rows["RR.DEADLINE"][1] == "Panel notification, 7 June 2024"


def test_a_clock_is_worded_only_from_its_rule_file(calendar):
    # Terms from a changed edition (as a temporary rule file would give) are what the report says.
    from rapidreview.decisions.report.model import ClockTerms

    terms = {"RR.DEADLINE": ClockTerms("Rapid review within the edition's time", 12, "panel_notification_sent_date")}
    text = build_report(_inputs(clock_terms=terms), calendar).section("timeliness").text()
    assert "RR.DEADLINE: Rapid review within the edition's time (12 working days)" in text
    assert "15 working days" not in text and "5 working days" not in text


def test_the_notifications_recorded_as_sent_are_listed_with_their_dates(calendar):
    incident = _incident()
    incident.notifications_sent.add(duty="NOTIFY.LAC_DEATH", recipient=intake_pb2.NOTIFICATION_RECIPIENT_OFSTED,
                                    sent_date="2024-06-06", reference="OF-123")
    incident.notifications_sent.add(duty="NOTIFY.LAC_DEATH", recipient=intake_pb2.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE,
                                    sent_date="2024-06-05")
    incident.notifications_sent.add(duty="NOTIFY.PARTNERS", recipient=intake_pb2.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS,
                                    sent_date="2024-06-12", late=True)
    section = build_report(_inputs(incident=incident), calendar).section("notification")
    table = next(b for b in section.blocks if b.kind == "table")
    assert table.rows == (
        ("NOTIFY.LAC_DEATH", "the Secretary of State", "5 June 2024", "—", "on time"),
        ("NOTIFY.LAC_DEATH", "Ofsted", "6 June 2024", "OF-123", "on time"),
        ("NOTIFY.PARTNERS", "the safeguarding partners", "12 June 2024", "—", "late"))
    none = build_report(_inputs(), calendar).section("notification").text()
    assert "None recorded besides the Panel notification." in none


def test_no_statutory_time_allowed_is_written_in_the_documents_code_or_templates():
    # Every deadline comes from the rule files (rules/README.md): a new edition must not leave
    # a report, the figures or a workspace page stating the old number.
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "services" / "rapidreview"
    folders = [root / "decisions" / "report", root / "decisions" / "figures", root / "workspace" / "templates"]
    literal = re.compile(r"\b(5|15) working[ -]days?\b")
    found = [f"{p.relative_to(root)}:{n}" for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()
             and p.suffix in {".py", ".html", ".j2", ".css"}
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if literal.search(line)]
    assert found == []


def test_decisions_own_clocks_are_listed_with_the_incidents(calendar):
    from rapidreview.decisions.report.model import ClockTerms

    inform = C.Clock(id="POST.INFORM", starts_from="2024-07-02", due="2024-07-09", effective_due="2024-07-09")
    terms = {"POST.INFORM": ClockTerms("A decision to hold a local CSPR is sent to the Panel, Ofsted and DfE", 5, "decision_date")}
    section = build_report(_inputs(decision_clocks=[inform], clock_terms=terms), calendar).section("timeliness")
    rows = {row[0].split(":")[0]: row for block in section.blocks if block.kind == "table" for row in block.rows}
    assert rows["POST.INFORM"] == ("POST.INFORM: A decision to hold a local CSPR is sent to the Panel, Ofsted and DfE "
                                   "(5 working days)", "decision, 2 July 2024", "9 July 2024", "not recorded", "—", "open")
