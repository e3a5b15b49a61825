"""The advisory-group summary: what it shows, in Markdown, HTML and PDF."""

from __future__ import annotations

import datetime as dt

import pytest

from rapidreview.criteria.domain.checklist import build_checklist
from rapidreview.criteria.domain.summary import build_summary
from rapidreview.criteria.summary.render import render, render_document, render_html, render_markdown, render_pdf
from rapidreview.v1 import criteria_pb2 as S
from tests.unit.criteria import child_k


@pytest.fixture
def summary(rulebook, child_k_facts, calendar):
    edition = rulebook.edition_for(dt.date(2024, 6, 4))
    evaluation = rulebook.evaluate(child_k_facts, edition=edition, calendar=calendar)
    checklist = build_checklist(evaluation, child_k_facts, trigger=S.EVALUATION_TRIGGER_INFORMATION_COLLATED,
                                evaluation_id="0b7e1c9e-2f43-4d5a-8a61-3f0c8d2e4b17",
                                evaluated_at=dt.datetime(2024, 6, 26, 9, 30, tzinfo=dt.UTC), collation_version=1)
    return build_summary(checklist, child_k_facts, child_k.collated(), titles={r.id: r.title for r in rulebook.rules(edition)},
                         edition_title=rulebook.loaded(edition).title, vocabulary=rulebook.themes(edition))


def test_summary_groups_the_checklist_into_the_catalogue_sections(summary):
    assert [s.title.split(".")[0] for s in summary.sections] == ["1", "2", "3", "4"]
    assert [c.rule_id for c in summary.sections[2].criteria] == [
        "LOCAL.IMPROVEMENTS", "LOCAL.RECURRENT_THEMES", "LOCAL.MULTI_AGENCY", "LOCAL.PANEL_VIEW"]
    assert all(not c.rule_id.startswith("NOT.") for s in summary.sections for c in s.criteria)
    assert [c.rule_id for c in summary.glance][:2] == ["LOCAL.IMPROVEMENTS", "LOCAL.RECURRENT_THEMES"]


def test_summary_shows_both_clocks_with_their_state(summary):
    clocks = {c.clock_id: c for c in summary.clocks}
    assert (clocks["NOTIFY.DEADLINE"].due, clocks["NOTIFY.DEADLINE"].state) == ("2024-06-11", "done 2024-06-07, on time")
    assert (clocks["RR.DEADLINE"].due, clocks["RR.DEADLINE"].state) == ("2024-06-28", "2 working days left")


def test_summary_marks_the_themes_found_in_earlier_reviews(summary):
    themes = {t.theme: t for t in summary.themes}
    assert themes["bruising in non-mobile babies"].earlier_reviews == ("LSCP-2021-03", "LSCP-2022-01")
    assert themes["domestic abuse"].earlier_reviews == ()
    assert themes["bruising in non-mobile babies"].agencies == "GP practice"


def test_summary_lists_agencies_highlights_good_practice_and_actions(summary):
    gp = next(a for a in summary.agencies if a.name == "GP practice")
    assert gp.return_state == "returned 2024-06-25, late (v1)"
    assert [h.date for h in summary.highlights] == ["2024-03-12", "2024-04-20", "2024-06-04"]
    assert [name for name, _, _ in summary.good_practice] == ["Leeds Children's Social Work Service", "Acute hospital trust"]
    assert [(a.date, a.subject, a.completed) for a in summary.immediate_actions] == [("2024-06-04", "immediate action protecting a sibling", True)]
    assert summary.completeness.startswith("Collation 1: 7 of 7 returns received (1 late)")


def test_markdown_has_the_reference_statement_clocks_and_evidence(summary):
    text = render_markdown(summary)
    assert "# Rapid review: criteria checklist summary — Child K" in text
    assert "meeting the criteria does not mean a review is automatic" in text
    assert f"> **Not automatic: the partners decide (NOT.AUTOMATIC).** {summary.not_automatic}" in text
    assert "| RR.DEADLINE | Rapid review to the Panel | 2024-06-07 | 2024-06-28 | 2 working days left |" in text
    assert "`return:gp-practice:v1#concern-1`" in text and "LSCP-2021-03" in text


def test_markdown_escapes_table_breaking_text(rulebook, summary):
    from dataclasses import replace

    odd = replace(summary, case_reference="Child | K *")
    assert "Child \\| K \\*" in render_markdown(odd)


def test_html_escapes_what_it_quotes(summary):
    from dataclasses import replace

    html = render_html(replace(summary, case_reference="<script>alert(1)</script>"))
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_pdf_is_an_a4_document_of_several_pages(summary):
    document = render_document(summary)
    assert len(document.pages) >= 3
    assert {(round(p.width * 0.75), round(p.height * 0.75)) for p in document.pages} == {(595, 842)}  # CSS px to pt
    assert render_pdf(summary).startswith(b"%PDF")


def test_unknown_format_is_refused(summary):
    with pytest.raises(ValueError):
        render(summary, S.SUMMARY_FORMAT_UNSPECIFIED)


def test_initial_summary_without_collation_says_returns_are_awaited(rulebook, calendar):
    from rapidreview.criteria.domain import facts as F

    facts = F.facts_from_incident(child_k.incident())
    edition = rulebook.edition_for(dt.date(2024, 6, 4))
    checklist = build_checklist(rulebook.evaluate(facts, edition=edition, calendar=calendar), facts)
    summary = build_summary(checklist, facts, None, titles={}, edition_title="WT2023", vocabulary=rulebook.themes(edition))
    assert "not been collated yet" in summary.completeness
    assert {c.clock_id: c.state for c in summary.clocks}["RR.DEADLINE"] == "not started: counts from the Panel notification"
    assert summary.highlights == () and all(a.return_state == "requested; not collated yet" for a in summary.agencies)
    assert "Meeting the criteria does not mean" in render_markdown(summary)
