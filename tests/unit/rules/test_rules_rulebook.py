"""The public Rulebook API other services depend on."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from rapidreview.rules import EditionNotFound, InvalidFacts, RuleNotFound, Rulebook, RulesEngine
from rapidreview.v1 import common_pb2, facts_pb2

from .conftest import calendar_on


@pytest.mark.parametrize(
    ("day", "edition"),
    [("2018-06-29", "wt2018"), ("2023-12-14", "wt2018"), ("2023-12-15", "wt2023"), ("2026-01-05", "wt2023")],
)
def test_a_case_is_pinned_to_the_edition_in_force_on_its_awareness_date(book: Rulebook, day: str, edition: str) -> None:
    assert book.edition_for(dt.date.fromisoformat(day)).name == edition
    assert book.edition_for(day).name == edition


def test_an_awareness_date_before_every_edition_names_the_editions_available(book: Rulebook) -> None:
    with pytest.raises(EditionNotFound) as info:
        book.edition_for(dt.date(2018, 6, 28))
    assert "wt2018 2018.1 (2018-06-29 to 2023-12-14)" in str(info.value)
    assert "wt2023 2023.1 (2023-12-15 onwards)" in str(info.value)


def test_edition_by_name_gives_its_latest_version(book: Rulebook) -> None:
    ed = book.edition("wt2018")
    assert (ed.name, ed.version, ed.effective_from, ed.effective_to) == (
        "wt2018", "2018.1", dt.date(2018, 6, 29), dt.date(2023, 12, 14))
    with pytest.raises(EditionNotFound, match="no rule edition wt2030; available: wt2018"):
        book.edition("wt2030")
    with pytest.raises(EditionNotFound):
        book.edition("wt2018", version="2018.9")


def test_deadline_parameters_come_from_the_rule_files(book: Rulebook) -> None:
    ed = book.edition("wt2023")
    assert book.deadline_params("RR.DEADLINE", ed) == {"working_days": 15, "counts_from": "panel_notification_sent_date"}
    assert book.deadline_params("NOTIFY.DEADLINE", ed) == {"working_days": 5, "counts_from": "la_aware_date"}
    assert book.deadline_params("RR.AGENCIES", ed)["working_days"] == 10
    assert book.deadline_params("POST.SIX_MONTHS", "wt2018") == {"months": 6, "counts_from": "decision_date"}
    with pytest.raises(RuleNotFound):
        book.deadline_params("NOTIFY.CARE_LEAVER_DEATH", "wt2018")


def test_clocks_follow_the_rule_file_not_the_code(rules_copy: Path, child_k: facts_pb2.CaseFacts) -> None:
    rule = rules_copy / "wt2023" / "rules" / "RR.DEADLINE.yaml"
    rule.write_text(rule.read_text().replace("working_days: 15", "working_days: 20"))
    book = Rulebook.load(rules_copy, engine=RulesEngine())
    ev = book.evaluate(child_k, calendar=calendar_on("2024-06-20"))
    assert ev.clock("RR.DEADLINE").due == "2024-07-05"
    assert book.deadline_params("RR.DEADLINE", "wt2023")["working_days"] == 20


def test_child_k_is_evaluated_under_wt2023_with_the_example_clocks(book: Rulebook, child_k: facts_pb2.CaseFacts) -> None:
    ev = book.evaluate(child_k, calendar=calendar_on("2024-06-20"))
    assert (ev.edition, ev.version, ev.today) == ("wt2023", "2023.1", dt.date(2024, 6, 20))
    notify, rr = ev.clocks
    assert (notify.id, notify.starts_from, notify.due, notify.completed_on, notify.late) == (
        "NOTIFY.DEADLINE", "2024-06-04", "2024-06-11", "2024-06-07", False)
    assert (rr.id, rr.due, rr.working_days_left, rr.overdue, rr.effective_due) == (
        "RR.DEADLINE", "2024-06-28", 6, False, "2024-06-28")


def test_outcomes_come_in_catalogue_order_and_fired_ids_sorted(book: Rulebook, child_k: facts_pb2.CaseFacts) -> None:
    ev = book.evaluate(child_k, calendar=calendar_on("2024-06-20"))
    catalogue = [r.id for r in book.rules("wt2023") if r.evaluated]
    assert [o.rule_id for o in ev.outcomes] == catalogue
    assert ev.fired == sorted(set(ev.fired))
    assert "REGARD.CROSS_BOUNDARY" not in ev.fired and "LOCAL.RECURRENT_THEMES" in ev.fired


def test_outcomes_carry_citation_status_and_evidence(book: Rulebook, child_k: facts_pb2.CaseFacts) -> None:
    ev = book.evaluate(child_k, calendar=calendar_on("2024-06-20"))
    recurrent = ev.outcome("LOCAL.RECURRENT_THEMES")
    assert recurrent.outcome == common_pb2.OUTCOME_INDICATED
    assert recurrent.citation == "Regs 2018 reg 11; WT2023 ch5"
    assert recurrent.status == common_pb2.RULE_STATUS_STATUTORY
    assert list(recurrent.evidence)[:2] == ["LSCP-2021-03", "LSCP-2022-01"]
    assert ev.outcome("REGARD.SINGLE_AGENCY").status == common_pb2.RULE_STATUS_VERIFY


@pytest.mark.parametrize("stage", ["intake", "criteria", None])
def test_not_automatic_is_in_every_evaluation(book: Rulebook, child_k: facts_pb2.CaseFacts, stage: str | None) -> None:
    ev = book.evaluate(child_k, stage=stage, calendar=calendar_on("2024-06-20"))
    assert ev.outcome("NOT.AUTOMATIC").outcome == common_pb2.OUTCOME_MET
    assert "NOT.AUTOMATIC" in ev.fired


def test_stage_limits_the_outcomes_but_not_the_clocks(book: Rulebook, child_k: facts_pb2.CaseFacts) -> None:
    ev = book.evaluate(child_k, stage="intake", calendar=calendar_on("2024-06-20"))
    ids = {o.rule_id for o in ev.outcomes}
    assert "RR.REQUIRED" in ids and "LOCAL.IMPROVEMENTS" not in ids and "RR.DEADLINE" not in ids
    assert [c.id for c in ev.clocks] == ["NOTIFY.DEADLINE", "RR.DEADLINE"]
    assert all(f in ids for f in ev.fired)
    with pytest.raises(ValueError, match="stage must be one of"):
        book.evaluate(child_k, stage="decision")


def test_rr_deadline_clock_waits_for_the_panel_notification(book: Rulebook, child_k: facts_pb2.CaseFacts) -> None:
    child_k.panel_notification_sent_date = ""
    ev = book.evaluate(child_k, calendar=calendar_on("2024-06-06"))
    assert [c.id for c in ev.clocks] == ["NOTIFY.DEADLINE"]
    assert ev.clock("NOTIFY.DEADLINE").working_days_left == 3


def test_an_explicit_edition_is_used_as_given(book: Rulebook, child_k: facts_pb2.CaseFacts) -> None:
    ev = book.evaluate(child_k, edition=book.edition("wt2018"), calendar=calendar_on("2024-06-20"))
    assert (ev.edition, ev.version) == ("wt2018", "2018.1")
    assert ev.outcome("NOTIFY.CARE_LEAVER_DEATH") is None


def test_missing_awareness_date_cannot_choose_an_edition(book: Rulebook, child_k: facts_pb2.CaseFacts) -> None:
    child_k.la_aware_date = "04/06/2024"
    with pytest.raises(InvalidFacts) as info:
        book.evaluate(child_k)
    assert info.value.violations == [("la_aware_date", "must be a date YYYY-MM-DD")]


async def test_evaluate_async_gives_the_same_result(book: Rulebook, child_k: facts_pb2.CaseFacts) -> None:
    cal = calendar_on("2024-06-20")
    sync = book.evaluate(child_k, calendar=cal)
    asynchronous = await book.evaluate_async(child_k, calendar=cal)
    assert asynchronous.to_dict() == sync.to_dict()


def test_a_new_edition_version_loads_without_a_restart(rules_copy: Path, child_k: facts_pb2.CaseFacts) -> None:
    engine = RulesEngine()
    book = Rulebook.load(rules_copy, engine=engine)
    first = book.loaded("wt2023").ruleset
    new = rules_copy / "wt2023-2023.2"
    shutil.copytree(rules_copy / "wt2023", new)
    (new / "edition.yaml").write_text((new / "edition.yaml").read_text().replace('"2023.1"', '"2023.2"'))
    rule = new / "rules" / "LOCAL.PANEL_VIEW.yaml"
    rule.write_text(rule.read_text().replace("panel_response == local_review_more_appropriate",
                                              "panel_response in [local_review_more_appropriate, challenges]"))
    child_k.panel_response = "challenges"
    cal = calendar_on("2024-06-20")

    book.reload()

    assert [(e.name, e.version) for e in book.editions if e.name == "wt2023"] == [("wt2023", "2023.1"), ("wt2023", "2023.2")]
    book.editions.clear()  # a caller's copy: the rulebook's own order is kept once per load
    assert book.edition_for("2024-06-04").version == "2023.2"
    latest = book.evaluate(child_k, calendar=cal)
    pinned = book.evaluate(child_k, edition=book.edition("wt2023", "2023.1"), calendar=cal)
    assert (latest.version, latest.outcome("LOCAL.PANEL_VIEW").outcome) == ("2023.2", common_pb2.OUTCOME_INDICATED)
    assert (pinned.version, pinned.outcome("LOCAL.PANEL_VIEW").outcome) == ("2023.1", common_pb2.OUTCOME_NOT_INDICATED)
    assert book.loaded("wt2023").ruleset != first and engine.is_registered(first)


def test_reloading_unchanged_rules_registers_nothing_new(rules_copy: Path) -> None:
    engine = RulesEngine()
    book = Rulebook.load(rules_copy, engine=engine)
    before = {e.name: book.loaded(e).ruleset for e in book.editions}
    book.reload()
    Rulebook.load(rules_copy, engine=engine)
    assert {e.name: book.loaded(e).ruleset for e in book.editions} == before


def test_a_broken_file_on_reload_keeps_the_editions_in_use(rules_copy: Path) -> None:
    from rapidreview.rules import RuleFileError

    book = Rulebook.load(rules_copy, engine=RulesEngine())
    rule = rules_copy / "wt2023" / "rules" / "DEF.CHILD.yaml"
    rule.write_text(rule.read_text().replace("when: unborn", "when: unborn and"))
    with pytest.raises(RuleFileError):
        book.reload()
    assert [e.version for e in book.editions] == ["2018.1", "2023.1"]


def test_facts_read_explain_an_outcome_with_the_facts_behind_it(book: Rulebook, child_k: facts_pb2.CaseFacts) -> None:
    lines = book.facts_read("NOTIFY.PANEL_IN_AREA", child_k, calendar=calendar_on("2024-06-20"))
    # The Panel duty reads who the person is (DEF.CHILD through DEF.SERIOUS_CASE) as well as what happened.
    assert lines == [
        "unborn: false", "age_years: 0", "abuse_or_neglect: suspected", "died: false", "seriously_harmed: true",
        "incident_country: england", "incident_in_notifying_la: true",
    ]
    rr = book.facts_read("RR.DEADLINE", child_k, calendar=calendar_on("2024-06-20"))
    assert rr[:2] == ["withdrawn: false", "clock_late (RR.DEADLINE): false"]
    assert {"notified: true", "age_years: 0", "clock_started (RR.DEADLINE): true"} <= set(rr)
    assert book.rule("RR.REQUIRED", "wt2023").condition_text == (
        "when withdrawn: NOT_MET\nwhen rule DEF.CHILD and notified: MET\n"
        "when rule NOTIFY.PANEL_IN_AREA or rule NOTIFY.PANEL_OUTSIDE_ENGLAND: MET\nwhen notified: NOT_MET\n"
        "otherwise: NOT_MET")
