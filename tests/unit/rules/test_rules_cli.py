"""`rapidreview rules test` and `rapidreview evaluate`, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rapidreview.cli.main import app

from rapidreview.rules import Rulebook
from rapidreview.rules.scenarios import load_scenarios

from .conftest import CHILD_K, RULES_DIR

runner = CliRunner()
_BOOK = Rulebook.load(RULES_DIR)
SCENARIO_COUNT = sum(len(load_scenarios(_BOOK.loaded(info))) for info in _BOOK.editions)


def test_rules_test_passes_on_the_repository_rules() -> None:
    result = runner.invoke(app, ["rules", "test"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Rule coverage of wt2023 2023.1" in result.output
    assert "scenarios passed; every rule fired and did not fire; the lint is clean" in result.output
    # The scenario count and rule coverage are printed per edition.
    assert "wt2023 2023.1: " in result.output and "evaluated rules fully covered" in result.output
    assert "rule lint: 0 problem(s); preconditions checked on" in result.output


def test_rules_test_exits_non_zero_on_a_failing_scenario(rules_copy: Path) -> None:
    scenario = rules_copy / "wt2023" / "scenarios" / "child-k.yaml"
    scenario.write_text(scenario.read_text().replace("LOCAL.PANEL_VIEW: NOT_INDICATED", "LOCAL.PANEL_VIEW: INDICATED"))
    result = runner.invoke(app, ["rules", "test", "--rules-dir", str(rules_copy)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert f"1 of {SCENARIO_COUNT} scenarios failed" in result.output


def test_rules_test_exits_non_zero_on_a_coverage_gap(rules_copy: Path) -> None:
    scenarios = rules_copy / "wt2023" / "scenarios" / "criteria.yaml"
    text = scenarios.read_text()
    start = text.index("  - name: the Panel concluded")
    end = text.index("  - name: no agency involvement recorded")
    scenarios.write_text(text[:start] + text[end:])
    result = runner.invoke(app, ["rules", "test", "--rules-dir", str(rules_copy)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert f"0 of {SCENARIO_COUNT - 1} scenarios failed; 1 rules with coverage gaps" in result.output


def test_rules_test_reports_a_broken_rule_file(rules_copy: Path) -> None:
    rule = rules_copy / "wt2018" / "rules" / "DEF.CHILD.yaml"
    rule.write_text(rule.read_text().replace("status: guidance", "status: maybe"))
    result = runner.invoke(app, ["rules", "test", "--rules-dir", str(rules_copy)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "DEF.CHILD.yaml: status must be one of" in result.output


def test_evaluate_json_is_the_stable_contract() -> None:
    result = runner.invoke(app, ["evaluate", str(CHILD_K), "--format", "json", "--today", "2024-06-20"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["edition"], out["version"]) == ("wt2023", "2023.1")
    criteria = {c["id"]: c for c in out["criteria"]}
    assert criteria["LOCAL.RECURRENT_THEMES"]["outcome"] == "INDICATED"
    assert criteria["LOCAL.RECURRENT_THEMES"]["evidence"][:2] == ["LSCP-2021-03", "LSCP-2022-01"]
    assert criteria["DEF.SERIOUS_CASE"] | {"rationale": ""} == {
        "id": "DEF.SERIOUS_CASE", "outcome": "MET", "rationale": "", "evidence": [],
        "citation": "CA2004 s16C(1); WT2023 ch5", "status": "statutory"}
    assert [(c["id"], c["due"], c["working_days_left"], c["late"]) for c in out["clocks"]] == [
        ("NOTIFY.DEADLINE", "2024-06-11", -7, False), ("RR.DEADLINE", "2024-06-28", 6, False)]


def test_evaluate_table_shows_the_checklist() -> None:
    result = runner.invoke(app, ["evaluate", str(CHILD_K), "--today", "2024-06-20"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Checklist (wt2023 2023.1, today 2024-06-20)" in result.output
    assert "LOCAL.MULTI_AGENCY" in result.output and "Statutory clocks" in result.output


def test_evaluate_refuses_an_edition_that_does_not_cover_the_awareness_date() -> None:
    result = runner.invoke(app, ["evaluate", str(CHILD_K), "--edition", "wt2018", "--today", "2024-06-20"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "wt2018 does not cover la_aware_date 2024-06-04" in result.output
    assert "available: wt2018 2018.1 (2018-06-29 to 2023-12-14), wt2023 2023.1" in result.output


def test_evaluate_refuses_a_date_no_edition_covers(tmp_path: Path) -> None:
    facts = json.loads(CHILD_K.read_text())
    facts.update(la_aware_date="2017-03-01", incident_date="2017-02-28", panel_notification_sent_date="2017-03-02")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(facts))
    result = runner.invoke(app, ["evaluate", str(path), "--today", "2024-06-20"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "no rule edition covers 2017-03-01; available: wt2018" in result.output


def test_evaluate_lists_field_violations(tmp_path: Path) -> None:
    facts = json.loads(CHILD_K.read_text())
    facts["setting"] = "SETTING_UNSPECIFIED"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(facts))
    result = runner.invoke(app, ["evaluate", str(path), "--today", "2024-06-20"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "setting: must be set" in result.output


def test_evaluate_pins_the_2018_edition_by_awareness_date(tmp_path: Path) -> None:
    facts = json.loads(CHILD_K.read_text())
    facts.update(la_aware_date="2022-09-12", incident_date="2022-09-11", panel_notification_sent_date="2022-09-14",
                 earlier_reviews=[])
    path = tmp_path / "2022.json"
    path.write_text(json.dumps(facts))
    result = runner.invoke(app, ["evaluate", str(path), "--format", "json", "--today", "2022-09-15"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["edition"] == "wt2018"
    assert out["clocks"][0]["due"] == "2022-09-20"
    assert "NOTIFY.CARE_LEAVER_DEATH" not in {c["id"] for c in out["criteria"]}


def test_docs_rules_md_states_every_rules_preconditions_as_the_files_do() -> None:
    from rapidreview.cli.rules import PRECONDITIONS_BEGIN, PRECONDITIONS_END, preconditions_markdown

    doc = (RULES_DIR.parent / "docs" / "rules.md").read_text()
    documented = doc[doc.index(PRECONDITIONS_BEGIN) + len(PRECONDITIONS_BEGIN):doc.index(PRECONDITIONS_END)]
    assert documented.strip() == preconditions_markdown(_BOOK).strip(), (
        "run: .venv/bin/rapidreview rules preconditions --write docs/rules.md"
    )
