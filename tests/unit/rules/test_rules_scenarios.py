"""The scenario tests next to the rule files run under pytest too."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rapidreview.rules import Rulebook, RulesEngine
from rapidreview.rules.scenarios import load_scenarios, run_all, run_edition, run_scenario

from .conftest import CHILD_K, RULES_DIR

_BOOK = Rulebook.load(RULES_DIR)
SCENARIOS = [s for info in _BOOK.editions for s in load_scenarios(_BOOK.loaded(info))]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[f"{s.edition}:{s.file.stem}:{s.name}" for s in SCENARIOS])
def test_scenario(scenario) -> None:
    result = run_scenario(_BOOK, scenario)
    assert result.failures == []


@pytest.mark.parametrize("edition", [e.name for e in _BOOK.editions])
def test_every_rule_fires_and_does_not_fire_in_some_scenario(edition: str) -> None:
    report = run_edition(_BOOK, _BOOK.loaded(edition))
    assert {c.rule_id: c.gaps for c in report.coverage if c.gaps} == {}


def test_the_documented_example_is_the_child_k_scenario_base() -> None:
    """The same facts: the example is written in lowerCamelCase proto3 JSON (what partner tools
    send), the scenario base with the .proto field names; both read into the same CaseFacts."""
    from google.protobuf import json_format

    from rapidreview.v1 import facts_pb2

    base = RULES_DIR / "wt2023" / "scenarios" / "bases" / "child-k.json"
    documented = json_format.Parse(CHILD_K.read_text(), facts_pb2.CaseFacts())
    assert documented == json_format.Parse(base.read_text(), facts_pb2.CaseFacts())  # Parse refuses unknown names


def test_the_child_k_scenario_checks_the_whole_checklist() -> None:
    spec = yaml.safe_load((RULES_DIR / "wt2023" / "scenarios" / "child-k.yaml").read_text())
    assert spec["exact"] is True
    assert {k: (v if isinstance(v, str) else v["outcome"]) for k, v in spec["expect"].items()} == {
        "DEF.CHILD": "MET", "DEF.SERIOUS_CASE": "MET", "DEF.SERIOUS_HARM": "MET",
        "NOTIFY.PANEL_IN_AREA": "MET", "NOTIFY.PANEL_OUTSIDE_ENGLAND": "NOT_APPLICABLE", "NOTIFY.WRONG_LA": "NOT_MET",
        "NOTIFY.WRONG_LA_OUTSIDE_ENGLAND": "NOT_APPLICABLE", "NOTIFY.DEADLINE": "MET", "NOTIFY.PARTNERS": "MET", "NOTIFY.LAC_DEATH": "NOT_MET",
        "NOTIFY.CARE_LEAVER_DEATH": "NOT_MET", "NOTIFY.AGENCY_REFERRAL": "NOT_APPLICABLE",
        "RR.REQUIRED": "MET", "RR.LEAD_AREA": "MET", "RR.DEADLINE": "MET",
        "LOCAL.IMPROVEMENTS": "INDICATED", "LOCAL.RECURRENT_THEMES": "INDICATED", "LOCAL.MULTI_AGENCY": "INDICATED",
        "LOCAL.PANEL_VIEW": "NOT_INDICATED", "REGARD.SINGLE_AGENCY": "INDICATED", "REGARD.NO_AGENCY": "NOT_INDICATED",
        "REGARD.CROSS_BOUNDARY": "NOT_INDICATED", "REGARD.INSTITUTIONAL": "NOT_INDICATED", "NOT.AUTOMATIC": "MET",
    }


def _write(path: Path, text: str) -> None:
    path.write_text(text)


def test_a_wrong_expectation_fails_its_scenario(rules_copy: Path) -> None:
    scenario = rules_copy / "wt2023" / "scenarios" / "child-k.yaml"
    _write(scenario, scenario.read_text().replace("REGARD.CROSS_BOUNDARY: NOT_INDICATED", "REGARD.CROSS_BOUNDARY: INDICATED"))
    book = Rulebook.load(rules_copy, engine=RulesEngine())
    child_k = next(r for r in run_edition(book, book.loaded("wt2023")).results if r.scenario.file == scenario)
    assert child_k.failures and child_k.failures[0].startswith("REGARD.CROSS_BOUNDARY: expected INDICATED, got NOT_INDICATED")


def test_exact_scenarios_fail_on_outcomes_they_do_not_list(rules_copy: Path) -> None:
    scenario = rules_copy / "wt2023" / "scenarios" / "child-k.yaml"
    _write(scenario, scenario.read_text().replace("  REGARD.NO_AGENCY: NOT_INDICATED\n", ""))
    book = Rulebook.load(rules_copy, engine=RulesEngine())
    result = next(r for r in run_edition(book, book.loaded("wt2023")).results if r.scenario.file == scenario)
    assert result.failures == ["exact: outcomes not listed in expect: REGARD.NO_AGENCY"]


def test_removing_the_only_scenario_of_an_outcome_is_a_coverage_gap(rules_copy: Path) -> None:
    scenarios = rules_copy / "wt2018" / "scenarios" / "intake.yaml"
    text = scenarios.read_text()
    start = text.index("  - name: referral by an agency")
    end = text.index("  - name: notification made")
    _write(scenarios, text[:start] + text[end:])
    book = Rulebook.load(rules_copy, engine=RulesEngine())
    reports = {r.edition: r for r in run_all(book)}
    gaps = {c.rule_id: c.gaps for c in reports["wt2018"].coverage if c.gaps}
    assert gaps == {"NOTIFY.AGENCY_REFERRAL": ["never fired", "outcome NOTIFY.AGENCY_REFERRAL#0 never produced"]}
    assert reports["wt2023"].passed and not reports["wt2018"].passed
