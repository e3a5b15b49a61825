"""The checklist assembled from an evaluation, and the comparison replays are judged by."""

from __future__ import annotations

import datetime as dt

from rapidreview.criteria.domain.checklist import NOT_AUTOMATIC, build_checklist, differences, for_event, on_checklist
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import common_pb2 as C
from rapidreview.v1 import criteria_pb2 as S


def _checklist(rulebook, facts, calendar, **kwargs) -> S.Checklist:
    evaluation = rulebook.evaluate(facts, calendar=calendar)
    return build_checklist(evaluation, facts, **kwargs)


def test_checklist_holds_sections_one_to_three_in_catalogue_order_and_the_statement_last(rulebook, child_k_facts, calendar):
    checklist = _checklist(rulebook, child_k_facts, calendar)
    ids = [c.rule_id for c in checklist.criteria]
    catalogue = [r.id for r in rulebook.rules(rulebook.edition_for(dt.date(2024, 6, 4))) if r.evaluated and on_checklist(r.id)]
    assert ids == catalogue
    assert ids[-1] == NOT_AUTOMATIC and not any(i.startswith("POST.") for i in ids)
    assert checklist.not_automatic_statement.startswith("Meeting the criteria does not mean a review must be held")
    assert checklist.national_importance_prompt and checklist.panel_view_prompt
    assert [c.id for c in checklist.clocks] == ["NOTIFY.DEADLINE", "RR.DEADLINE"]
    assert list(checklist.fired_rules) == sorted(checklist.fired_rules)


def test_worked_example_checklist_matches_example_case(rulebook, child_k_facts, calendar):
    outcomes = {c.rule_id: c.outcome for c in _checklist(rulebook, child_k_facts, calendar).criteria}
    assert outcomes["DEF.SERIOUS_CASE"] == C.OUTCOME_MET
    assert outcomes["NOTIFY.PANEL_IN_AREA"] == C.OUTCOME_MET
    assert outcomes["RR.REQUIRED"] == C.OUTCOME_MET
    assert outcomes["LOCAL.IMPROVEMENTS"] == C.OUTCOME_INDICATED
    assert outcomes["LOCAL.RECURRENT_THEMES"] == C.OUTCOME_INDICATED
    assert outcomes["LOCAL.MULTI_AGENCY"] == C.OUTCOME_INDICATED
    assert outcomes["REGARD.SINGLE_AGENCY"] == C.OUTCOME_INDICATED
    assert outcomes["REGARD.CROSS_BOUNDARY"] == C.OUTCOME_NOT_INDICATED
    assert outcomes["REGARD.INSTITUTIONAL"] == C.OUTCOME_NOT_INDICATED
    assert outcomes["LOCAL.PANEL_VIEW"] == C.OUTCOME_NOT_INDICATED


def test_checklist_carries_what_the_evaluation_was_about(rulebook, child_k_facts, calendar):
    at = dt.datetime(2024, 6, 26, 9, 30, tzinfo=dt.UTC)
    checklist = _checklist(rulebook, child_k_facts, calendar, trigger=S.EVALUATION_TRIGGER_MANUAL, evaluation_id="e-1",
                           evaluated_at=at, partial=True, collation_version=2, reason="asked by the chair")
    assert (checklist.case_id, checklist.child_ref, checklist.partnership) == (child_k_facts.case_id, "Child K", "leeds")
    assert (checklist.edition, checklist.edition_version, checklist.evaluated_on) == (C.EDITION_WT2023, "2023.1", "2024-06-26")
    assert checklist.evaluated_at.ToDatetime(dt.UTC) == at
    assert (checklist.partial, checklist.collation_version, checklist.reason) == (True, 2, "asked by the chair")


def test_event_form_drops_the_free_text_reason_only(rulebook, child_k_facts, calendar):
    checklist = _checklist(rulebook, child_k_facts, calendar, reason="asked by the chair")
    event = for_event(checklist)
    assert event.reason == "" and checklist.reason == "asked by the chair"
    event.reason = checklist.reason
    assert event == checklist


def test_same_inputs_same_day_give_no_differences(rulebook, child_k_facts, calendar):
    first = _checklist(rulebook, child_k_facts, calendar)
    second = _checklist(rulebook, child_k_facts, calendar)
    assert differences(first, second) == []


def test_differences_name_what_changed(rulebook, child_k_facts, calendar):
    stored = _checklist(rulebook, child_k_facts, calendar)
    later = _checklist(rulebook, child_k_facts, WorkingDayCalendar(lambda: dt.date(2024, 7, 3)))
    changed = S.Checklist()
    changed.CopyFrom(stored)
    changed.criteria[-2].outcome = C.OUTCOME_NEEDS_JUDGEMENT
    changed.criteria[0].evidence.append("return:x:v9")
    assert "RR.DEADLINE clock" in differences(stored, later)  # a replay must use the stored day
    found = differences(stored, changed)
    assert f"{changed.criteria[-2].rule_id} outcome" in found and f"{changed.criteria[0].rule_id} evidence" in found
    del changed.criteria[0]
    assert f"{stored.criteria[0].rule_id} missing from the replay" in differences(stored, changed)
