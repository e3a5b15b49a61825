"""The rule lint, run by `rapidreview rules test`.

Two checks, both failing the build:

- *qualification* (read from the conditions): every rule that creates a duty,
  a clock or a request (`creates:`) must depend, in each outcome that creates
  it, on the person qualifying under its edition: `rule DEF.CHILD` directly or
  through the rules it refers to (DEF.SERIOUS_CASE and the Panel duties), or,
  for a care-leaver duty, tests of `care_leaver` and an upper age bound. A rule
  that only carries parameters must depend (preconditions.depends_on) on a rule
  that qualifies the person.
- *preconditions* (by evaluation): every rule is evaluated over a grid of
  people (each age bound, unborn, looked after, care leaver) and places (each
  country, in and outside the notifying area, the child living there or not);
  whenever a rule applies, the case must be one its `preconditions:` cover.

Negations never count as depending on the person: a comparison with a fact
that is not recorded is false both ways, so `not rule X` is not "X fails".
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.rules import notation
from rapidreview.rules.engine import RulesEngine
from rapidreview.rules.evaluation import evaluate_edition
from rapidreview.rules.model import POSITIVE_OUTCOMES, Edition, Rule, outcome_label
from rapidreview.rules.preconditions import covers_person, covers_place
from rapidreview.v1 import common_pb2, facts_pb2

CHILD_RULE = "DEF.CHILD"


@dataclass(frozen=True)
class LintProblem:
    """One finding of the lint, naming the rule file."""

    edition: str
    rule_id: str
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.edition} {self.rule_id} ({self.path.name}): {self.message}"


# -- qualification ------------------------------------------------------------

Atom = Callable[[notation.Node], bool]


def _requires(node: notation.Node | None, atom: Atom, edition: Edition, seen: frozenset[str] = frozenset()) -> bool:
    """True when `node` holding implies `atom` holds (through `rule X` too)."""
    if node is None:
        return False
    if atom(node):
        return True
    if isinstance(node, notation.RuleRef):
        rule = edition.by_id.get(node.rule_id)
        if rule is None or not rule.evaluated or node.rule_id in seen:
            return False
        positive = [b.node for b in rule.branches if b.outcome in POSITIVE_OUTCOMES]
        return bool(positive) and all(_requires(n, atom, edition, seen | {node.rule_id}) for n in positive)
    if isinstance(node, notation.All):
        return any(_requires(item, atom, edition, seen) for item in node.items)
    if isinstance(node, notation.Any_):
        return all(_requires(item, atom, edition, seen) for item in node.items)
    if isinstance(node, notation.Not) and isinstance(node.item, notation.Not):
        return _requires(node.item.item, atom, edition, seen)
    return False


def _is_child(node: notation.Node) -> bool:
    return isinstance(node, notation.RuleRef) and node.rule_id == CHILD_RULE


def _is_care_leaver(node: notation.Node) -> bool:
    return isinstance(node, notation.Test) and node.path == "care_leaver" and node.op == "==" and node.value is True


def _is_age_limit(node: notation.Node) -> bool:
    return isinstance(node, notation.Test) and node.path == "age_years" and node.op in ("<", "<=")


def _qualifies(node: notation.Node | None, rule: Rule, edition: Edition) -> bool:
    """The person qualifies under the edition whenever `node` holds."""
    if _requires(node, _is_child, edition):
        return True
    pre = rule.preconditions
    if pre is not None and pre.person is not None and "care_leaver" in pre.person:
        return _requires(node, _is_care_leaver, edition) and _requires(node, _is_age_limit, edition)
    return False


def _creating_branches(rule: Rule) -> Iterator[tuple[str, notation.Node | None]]:
    """(key, condition) of each outcome that creates what the rule creates: a
    clock runs for every outcome but NOT_APPLICABLE, a duty or request arises
    on a positive one. `otherwise` has no condition of its own (None)."""
    runs_clock = rule.clock is not None

    def creates(outcome: str) -> bool:
        return outcome != "NOT_APPLICABLE" if runs_clock else outcome in POSITIVE_OUTCOMES

    for branch in rule.branches:
        if creates(branch.outcome):
            yield branch.key, branch.node
    if rule.otherwise is not None and creates(rule.otherwise.outcome):
        yield rule.otherwise.key, None


def lint_qualification(edition: Edition) -> list[LintProblem]:
    """Rules that create a duty, clock or request without depending on the
    person qualifying under `edition`."""
    problems: list[LintProblem] = []
    name = edition.info.name

    def problem(rule: Rule, message: str) -> None:
        problems.append(LintProblem(name, rule.id, rule.path, message))

    if CHILD_RULE not in edition.by_id:
        return [LintProblem(name, CHILD_RULE, edition.path / "edition.yaml", "the edition has no DEF.CHILD rule")]
    for rule in edition.rules:
        if not rule.creates:
            continue
        if rule.preconditions is None or rule.preconditions.person is None:
            problem(rule, f"creates {', '.join(rule.creates)} but its preconditions do not name the person (person: any)")
        if rule.evaluated:
            for key, node in _creating_branches(rule):
                if not _qualifies(node, rule, edition):
                    problem(rule, f"outcome {key} creates {', '.join(rule.creates)} without depending on the "
                                  f"person qualifying under {name} (rule {CHILD_RULE}, directly or through "
                                  "DEF.SERIOUS_CASE)")
            continue
        depends = rule.preconditions.depends_on if rule.preconditions else ()
        if not any(_depends_on_qualified(edition.by_id[d], edition) for d in depends if d in edition.by_id):
            problem(rule, f"creates {', '.join(rule.creates)} but depends on no rule that qualifies the person "
                          f"under {name} (preconditions.depends_on)")
    return problems


def _depends_on_qualified(rule: Rule, edition: Edition) -> bool:
    positive = [b.node for b in rule.branches if b.outcome in POSITIVE_OUTCOMES]
    return rule.evaluated and bool(positive) and all(_qualifies(n, rule, edition) for n in positive)


# -- preconditions, by evaluation ----------------------------------------------

NOTIFYING = "Kirklees"
# (kind, unborn, age, looked_after, care_leaver): every age bound on both sides.
PEOPLE = [
    ("unborn", True, None, False, False),
    *(("child", False, age, False, False) for age in (0, 17, 18, 24, 25)),
    *(("looked_after", False, age, True, False) for age in (17, 18, 19)),
    *(("care_leaver", False, age, False, True) for age in (15, 16, 17, 18, 24, 25)),
]
# place -> (country, incident authority): the incident authority is written
# differently from the notifying one on purpose (compared by code).
PLACE_FACTS = {
    "england_in_area": (common_pb2.COUNTRY_ENGLAND, "Kirklees Council"),
    "england_elsewhere": (common_pb2.COUNTRY_ENGLAND, "Leeds"),
    "wales": (common_pb2.COUNTRY_WALES, ""),
    "scotland": (common_pb2.COUNTRY_SCOTLAND, ""),
    "northern_ireland": (common_pb2.COUNTRY_NORTHERN_IRELAND, ""),
    "outside_uk": (common_pb2.COUNTRY_OUTSIDE_UK, ""),
}
HARMS = [
    (common_pb2.NATURE_DEATH, common_pb2.ABUSE_OR_NEGLECT_KNOWN),
    (common_pb2.NATURE_SERIOUS_HARM, common_pb2.ABUSE_OR_NEGLECT_SUSPECTED),
    (common_pb2.NATURE_DEATH, common_pb2.ABUSE_OR_NEGLECT_NOT_SUSPECTED),
]


def _grid(edition: Edition) -> Iterator[tuple[facts_pb2.CaseFacts, tuple]]:
    aware = edition.info.effective_from
    for person, place, resident, harm, notified in itertools.product(
        PEOPLE, PLACE_FACTS, (True, False), HARMS, (False, True)
    ):
        _, unborn, age, looked_after, care_leaver = person
        country, incident_la = PLACE_FACTS[place]
        nature, abuse = harm
        facts = facts_pb2.CaseFacts(
            la_aware_date=aware.isoformat(), incident_date=aware.isoformat(), notifying_la=NOTIFYING,
            incident_la=incident_la, incident_country=country, home_la="KIRKLEES" if resident else "Calderdale",
            child=facts_pb2.ChildFacts(child_ref="Child G", unborn=unborn, looked_after=looked_after,
                                       care_leaver=care_leaver),
            nature=nature, died=nature == common_pb2.NATURE_DEATH,
            seriously_harmed=nature == common_pb2.NATURE_SERIOUS_HARM, abuse_or_neglect=abuse,
            setting=common_pb2.SETTING_FAMILY_HOME,
            panel_notification_sent_date=(aware + dt.timedelta(days=1)).isoformat() if notified else "",
        )
        if age is not None:
            facts.child.age_years = age
        yield facts, (person, place, resident)


def check_preconditions(engine: RulesEngine, edition: Edition) -> tuple[int, list[LintProblem]]:
    """Evaluates the grid against `edition`; returns the number of cases and a
    problem for each rule that applied to a case its preconditions exclude
    (first such case per rule)."""
    today = edition.info.effective_from + dt.timedelta(days=60)
    calendar = WorkingDayCalendar(lambda: today)
    problems: dict[str, LintProblem] = {}
    count = 0
    for facts, (person, place, resident) in _grid(edition):
        count += 1
        ev = evaluate_edition(engine, edition, facts, None, calendar)
        kind, unborn, age, looked_after, care_leaver = person
        for outcome in ev.outcomes:
            rule = edition.by_id[outcome.rule_id]
            label = outcome_label(outcome.outcome)
            applies = label in POSITIVE_OUTCOMES or (rule.clock is not None and label != "NOT_APPLICABLE")
            pre = rule.preconditions
            if not applies or pre is None or rule.id in problems:
                continue
            if not (covers_person(pre, unborn=unborn, age=age, looked_after=looked_after, care_leaver=care_leaver)
                    and covers_place(pre, place, resident)):
                who = "unborn" if unborn else f"{kind.replace('_', ' ')} aged {age}"
                where = f"{place}, {'resident in' if resident else 'resident outside'} the notifying area"
                problems[rule.id] = LintProblem(
                    edition.info.name, rule.id, rule.path,
                    f"came out {label} for a case its preconditions exclude ({who}; {where})",
                )
    return count, list(problems.values())
