"""The rule-file condition notation compiles to durable-rules JSON."""

from __future__ import annotations

import pytest

from rapidreview.rules import notation
from rapidreview.rules.vocabulary import FACTS, FieldSpec


def resolve(name: str) -> tuple[str, FieldSpec]:
    if name not in FACTS:
        raise notation.NotationError(f"unknown fact {name!r}")
    return name, FACTS[name]


def compile_(text: str) -> dict:
    return notation.to_durable(notation.parse(text, resolve))


def test_the_serious_case_machine_form_compiles_to_one_fact_condition() -> None:
    assert compile_("abuse_or_neglect in [known, suspected] and (died or seriously_harmed)") == {
        "$and": [
            {"$or": [{"abuse_or_neglect": "known"}, {"abuse_or_neglect": "suspected"}]},
            {"$or": [{"died": True}, {"seriously_harmed": True}]},
        ]
    }


def test_comparisons_use_durable_rules_operators() -> None:
    assert compile_("involved_agency_count >= 2") == {"$gte": {"involved_agency_count": 2}}
    assert compile_("returns_missing != 0") == {"$neq": {"returns_missing": 0}}
    assert compile_('notifying_la == "Leeds"') == {"notifying_la": "Leeds"}


def test_negation_is_pushed_down_to_the_tests() -> None:
    assert compile_("not (withdrawn or involved_agency_count < 2)") == {
        "$and": [{"$neq": {"withdrawn": True}}, {"$gte": {"involved_agency_count": 2}}]
    }
    assert compile_("setting not in [school, hospital]") == {
        "$and": [{"$neq": {"setting": "school"}}, {"$neq": {"setting": "hospital"}}]
    }


def test_and_binds_tighter_than_or() -> None:
    assert compile_("died or looked_after and unborn") == {
        "$or": [{"died": True}, {"$and": [{"looked_after": True}, {"unborn": True}]}]
    }


def test_rule_reference_is_expanded_before_compiling() -> None:
    node = notation.parse("rule DEF.SERIOUS_CASE and not withdrawn", resolve)
    assert notation.rule_refs(node) == {"DEF.SERIOUS_CASE"}
    expanded = notation.expand(node, lambda rule_id: notation.parse("died", resolve))
    assert notation.to_durable(expanded) == {"$and": [{"died": True}, {"$neq": {"withdrawn": True}}]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abuse_or_neglect in [known, suspicious]", "'suspicious' is not a value of abuse_or_neglect"),
        ("died == 1", "died is yes/no"),
        ("involved_agency_count", "compare it"),
        ("involved_agency_count >= two", "is a number"),
        ("(died or seriously_harmed", "expected ')'"),
        ("died and", "condition ended"),
        ("dead", "unknown fact 'dead'"),
        ("rule serious_case", "not a RULES.md rule ID"),
        ("setting < school", "can only be compared with"),
        ("", "empty condition"),
    ],
)
def test_mistakes_are_reported_in_words(text: str, message: str) -> None:
    with pytest.raises(notation.NotationError) as info:
        notation.parse(text, resolve)
    assert message in str(info.value)
