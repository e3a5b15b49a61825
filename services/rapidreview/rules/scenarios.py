"""Scenario tests kept next to the rules (rules/<edition>/scenarios/*.yaml),
in the spirit of `opa test`: facts in, expected outcomes and clocks out, plus
coverage of every rule's outcomes. See docs/rules.md, "Scenario tests".
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import json_format

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.rules.clocks import parse_date
from rapidreview.rules.evaluation import Evaluation
from rapidreview.rules.model import Edition, outcome_label
from rapidreview.rules.rulebook import Rulebook
from rapidreview.v1 import facts_pb2

_SCENARIO_KEYS = {"name", "description", "base", "facts", "today", "stage", "exact", "expect", "clocks", "fired"}
_SHARED_KEYS = {"base", "today", "stage"}


@dataclass(frozen=True)
class Scenario:
    """One scenario: facts, evaluation settings and what is expected."""

    edition: str
    version: str
    file: Path
    name: str
    spec: dict[str, Any]


@dataclass
class ScenarioResult:
    """The outcome of running one scenario."""

    scenario: Scenario
    failures: list[str]
    evaluation: Evaluation | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class RuleCoverage:
    """How often a rule fired or did not, and which outcomes were produced."""

    rule_id: str
    fired: int = 0
    not_fired: int = 0
    taken: set[str] = field(default_factory=set)
    gaps: list[str] = field(default_factory=list)


@dataclass
class EditionReport:
    """Scenario results and rule coverage of one edition version."""

    edition: str
    version: str
    results: list[ScenarioResult]
    coverage: list[RuleCoverage]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results) and not any(c.gaps for c in self.coverage)


class ScenarioFileError(ValueError):
    """A scenario file is malformed."""


def _deep_merge(base: Any, overlay: Any) -> Any:
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = _deep_merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(overlay)


def load_scenarios(edition: Edition) -> list[Scenario]:
    """Every scenario of the edition, in file then listed order."""
    scenarios: list[Scenario] = []
    for path in sorted(edition.scenarios_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ScenarioFileError(f"{path}: must be a mapping")
        if "scenarios" in data:
            shared = {k: v for k, v in data.items() if k in _SHARED_KEYS}
            unknown = set(data) - _SHARED_KEYS - {"scenarios", "description"}
            items = [{**shared, **item} for item in data["scenarios"] or []]
        else:
            unknown, items = set(), [data]
        if unknown:
            raise ScenarioFileError(f"{path}: unknown keys {', '.join(sorted(unknown))}")
        for i, item in enumerate(items):
            bad = set(item) - _SCENARIO_KEYS
            if bad:
                raise ScenarioFileError(f"{path}: scenario {i + 1}: unknown keys {', '.join(sorted(bad))}")
            name = str(item.get("name") or f"{path.stem} #{i + 1}")
            scenarios.append(Scenario(edition.info.name, edition.info.version, path, name, item))
    return scenarios


def scenario_facts(scenario: Scenario) -> facts_pb2.CaseFacts:
    """The scenario's CaseFacts: its base file (in scenarios/bases/) with the
    `facts` overlay merged in (mappings merge, lists and values replace)."""
    data: dict[str, Any] = {}
    base = scenario.spec.get("base")
    if base:
        data = json.loads((scenario.file.parent / "bases" / str(base)).read_text(encoding="utf-8"))
    data = _deep_merge(data, scenario.spec.get("facts") or {})
    return json_format.ParseDict(data, facts_pb2.CaseFacts())


def _today(scenario: Scenario) -> dt.date:
    value = scenario.spec.get("today")
    if value is None:
        raise ScenarioFileError(f"{scenario.file}: {scenario.name}: today is required (clocks depend on it)")
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _check_outcome(failures: list[str], ev: Evaluation, rule_id: str, expected: Any) -> None:
    got = ev.outcome(rule_id)
    if got is None:
        failures.append(f"{rule_id}: expected {expected!r} but the rule was not evaluated")
        return
    spec = expected if isinstance(expected, dict) else {"outcome": expected}
    label = outcome_label(got.outcome)
    if "outcome" in spec and label != spec["outcome"]:
        failures.append(f"{rule_id}: expected {spec['outcome']}, got {label} ({got.rationale})")
    if "evidence" in spec and list(got.evidence) != list(spec["evidence"]):
        failures.append(f"{rule_id}: expected evidence {spec['evidence']}, got {list(got.evidence)}")
    for ref in spec.get("evidence_includes") or ():
        if ref not in got.evidence:
            failures.append(f"{rule_id}: evidence lacks {ref!r} (got {list(got.evidence)})")
    for text in ([spec["rationale_includes"]] if isinstance(spec.get("rationale_includes"), str)
                 else spec.get("rationale_includes") or ()):
        if text not in got.rationale:
            failures.append(f"{rule_id}: rationale lacks {text!r}: {got.rationale}")


def _check_clock(failures: list[str], ev: Evaluation, clock_id: str, expected: Any) -> None:
    got = ev.clock(clock_id)
    if expected in (None, "none"):
        if got is not None:
            failures.append(f"clock {clock_id}: expected none, got due {got.due}")
        return
    if got is None:
        failures.append(f"clock {clock_id}: expected {expected}, but it has not started")
        return
    for key, value in expected.items():
        actual = getattr(got, key)
        want = value.isoformat() if isinstance(value, dt.date) else value
        if actual != want:
            failures.append(f"clock {clock_id}: expected {key} {want!r}, got {actual!r}")


def run_scenario(book: Rulebook, scenario: Scenario) -> ScenarioResult:
    """Evaluates one scenario and compares it with its expectations."""
    failures: list[str] = []
    try:
        facts = scenario_facts(scenario)
        today = _today(scenario)
    except (OSError, ValueError, json_format.ParseError) as exc:
        return ScenarioResult(scenario, [f"cannot build the facts: {exc}"])
    edition = book.edition(scenario.edition, scenario.version)
    # A case is pinned to the edition in force on its awareness date: a scenario
    # filed under another edition would test rules no such case is evaluated by.
    aware = parse_date(facts.la_aware_date)
    if aware is not None and not edition.covers(aware):
        failures.append(f"la_aware_date {aware.isoformat()} is not covered by {edition.describe()}")
    ev = book.evaluate(
        facts, edition=edition, stage=scenario.spec.get("stage"), calendar=WorkingDayCalendar(lambda: today)
    )
    expect = scenario.spec.get("expect") or {}
    for rule_id, expected in expect.items():
        _check_outcome(failures, ev, rule_id, expected)
    if scenario.spec.get("exact"):
        extra = [o.rule_id for o in ev.outcomes if o.rule_id not in expect]
        if extra:
            failures.append(f"exact: outcomes not listed in expect: {', '.join(extra)}")
    for clock_id, expected in (scenario.spec.get("clocks") or {}).items():
        _check_clock(failures, ev, clock_id, expected)
    if "fired" in scenario.spec and sorted(scenario.spec["fired"]) != ev.fired:
        failures.append(f"fired: expected {sorted(scenario.spec['fired'])}, got {ev.fired}")
    return ScenarioResult(scenario, failures, ev)


def _coverage(edition: Edition, results: list[ScenarioResult]) -> list[RuleCoverage]:
    coverage = {r.id: RuleCoverage(r.id) for r in edition.rules if r.evaluated}
    for result in results:
        ev = result.evaluation
        if ev is None:
            continue
        for outcome in ev.outcomes:
            rule = edition.by_id[outcome.rule_id]
            cov = coverage[rule.id]
            if rule.id in ev.fired:
                cov.fired += 1
            else:
                cov.not_fired += 1
            cov.taken.add(ev.taken[rule.id])
    for rule in edition.rules:
        if not rule.evaluated:
            continue
        cov = coverage[rule.id]
        always = any(b.condition == "always" for b in rule.branches)
        if cov.fired == 0:
            cov.gaps.append("never fired")
        if cov.not_fired == 0 and not always:
            cov.gaps.append("never not fired")
        keys = [b.key for b in rule.branches] + ([] if always else [f"{rule.id}#otherwise"])
        for key in keys:
            if key not in cov.taken:
                cov.gaps.append(f"outcome {key} never produced")
    return list(coverage.values())


def run_edition(book: Rulebook, edition: Edition) -> EditionReport:
    """Runs every scenario of one edition version and measures coverage."""
    results = [run_scenario(book, s) for s in load_scenarios(edition)]
    return EditionReport(edition.info.name, edition.info.version, results, _coverage(edition, results))


def run_all(book: Rulebook) -> list[EditionReport]:
    """Runs the scenarios of every loaded edition version."""
    return [run_edition(book, book.loaded(info)) for info in book.editions]
