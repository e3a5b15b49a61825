"""The rule lint of `rapidreview rules test`: a rule that creates a duty, clock
or request must depend on the person qualifying under its edition, and every
rule's preconditions must hold for every case it applies to."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rapidreview.cli.main import app
from rapidreview.rules import RuleFileError, Rulebook, RulesEngine
from rapidreview.rules.lint import check_preconditions, lint_qualification
from rapidreview.rules.loader import load_edition

runner = CliRunner()


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def _lint(rules_dir: Path, edition: str = "wt2023") -> tuple[list[str], list[str]]:
    book = Rulebook.load(rules_dir, engine=RulesEngine())
    loaded = book.loaded(edition)
    return ([str(p) for p in lint_qualification(loaded)],
            [str(p) for p in check_preconditions(book.engine, loaded)[1]])


def test_the_repository_rules_pass_the_lint(book: Rulebook) -> None:
    for info in book.editions:
        assert lint_qualification(book.loaded(info)) == []
        cases, problems = check_preconditions(book.engine, book.loaded(info))
        assert problems == [] and cases > 1000


def test_a_serious_case_that_does_not_require_a_child_fails_the_lint(rules_copy: Path) -> None:
    # The defect of issue 17: DEF.SERIOUS_CASE without `rule DEF.CHILD`.
    path = rules_copy / "wt2023" / "rules" / "DEF.SERIOUS_CASE.yaml"
    _rewrite(path, "  - when: rule DEF.CHILD and abuse_or_neglect", "  - when: abuse_or_neglect")
    _rewrite(path, "  depends_on: [DEF.CHILD]", "  depends_on: []")
    _rewrite(path, "  - when: not rule DEF.CHILD and care_leaver and age_years <= 24", "  - when: care_leaver and age_years > 24")
    _rewrite(path, "  - when: not rule DEF.CHILD\n", "  - when: age_years > 25\n")
    qualification, preconditions = _lint(rules_copy)
    # Every Panel duty, the clock and the rapid review built on it lose the child.
    assert any(p.startswith("wt2023 NOTIFY.PANEL_IN_AREA (NOTIFY.PANEL_IN_AREA.yaml): outcome NOTIFY.PANEL_IN_AREA#0 creates duty")
               for p in qualification)
    assert {p.split(" ")[1] for p in qualification} >= {
        "NOTIFY.PANEL_IN_AREA", "NOTIFY.PANEL_OUTSIDE_ENGLAND", "NOTIFY.DEADLINE", "NOTIFY.PARTNERS", "RR.REQUIRED",
        "RR.DEADLINE", "RR.LEAD_AREA", "RR.AGENCIES", "POST.INFORM",
    }
    # Evaluated over the grid, an adult's death gives a Panel duty its preconditions exclude.
    assert any("NOTIFY.PANEL_IN_AREA" in p and "child aged 18" in p for p in preconditions)


def test_a_new_duty_without_the_person_fails_the_lint_and_the_build(rules_copy: Path) -> None:
    edition = rules_copy / "wt2023"
    (edition / "rules" / "NOTIFY.SIBLINGS.yaml").write_text(
        "id: NOTIFY.SIBLINGS\ntitle: A bad rule\ncitation: test\nstatus: local\nstage: intake\nkind: deterministic\n"
        "preconditions:\n  person: {child: [0, 17]}\n  place: any\n  edition: wt2023\n  depends_on: []\n"
        "creates: [duty]\noutcomes:\n  - when: died\n    outcome: MET\n    rationale: duty\n"
        "otherwise:\n  outcome: NOT_MET\n  rationale: none\n"
    )
    _rewrite(edition / "edition.yaml", "  - NOT.AUTOMATIC\n", "  - NOT.AUTOMATIC\n  - NOTIFY.SIBLINGS\n")
    qualification, preconditions = _lint(rules_copy)
    assert qualification == [
        "wt2023 NOTIFY.SIBLINGS (NOTIFY.SIBLINGS.yaml): outcome NOTIFY.SIBLINGS#0 creates duty without depending "
        "on the person qualifying under wt2023 (rule DEF.CHILD, directly or through DEF.SERIOUS_CASE)"
    ]
    assert any(p.startswith("wt2023 NOTIFY.SIBLINGS") for p in preconditions)
    result = runner.invoke(app, ["rules", "test", "--rules-dir", str(rules_copy)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "lint: wt2023 NOTIFY.SIBLINGS" in result.output


def test_a_care_leaver_duty_needs_an_upper_age_bound(rules_copy: Path) -> None:
    path = rules_copy / "wt2023" / "rules" / "NOTIFY.CARE_LEAVER_DEATH.yaml"
    _rewrite(path, "care_leaver and age_years >= 16 and age_years <= 24 and died", "care_leaver and age_years >= 16 and died")
    qualification, preconditions = _lint(rules_copy)
    assert [p.split(":")[0] for p in qualification] == ["wt2023 NOTIFY.CARE_LEAVER_DEATH (NOTIFY.CARE_LEAVER_DEATH.yaml)"]
    assert any("NOTIFY.CARE_LEAVER_DEATH" in p and "care leaver aged 25" in p for p in preconditions)


def test_a_deadline_that_depends_on_no_qualifying_rule_fails_the_lint(rules_copy: Path) -> None:
    _rewrite(rules_copy / "wt2023" / "rules" / "POST.INFORM.yaml", "  depends_on: [RR.REQUIRED]", "  depends_on: [DEF.SERIOUS_HARM]")
    qualification, _ = _lint(rules_copy)
    assert qualification == [
        "wt2023 POST.INFORM (POST.INFORM.yaml): creates clock but depends on no rule that qualifies the person "
        "under wt2023 (preconditions.depends_on)"
    ]


def test_preconditions_wider_than_the_rule_are_allowed_but_narrower_ones_are_found(rules_copy: Path) -> None:
    # Claiming the Panel duty never applies in Wales is false for a child resident in the area.
    _rewrite(rules_copy / "wt2023" / "rules" / "NOTIFY.PANEL_OUTSIDE_ENGLAND.yaml",
             "  place: [wales, scotland, northern_ireland, outside_uk]", "  place: [scotland, northern_ireland, outside_uk]")
    _, preconditions = _lint(rules_copy)
    assert len(preconditions) == 1 and "NOTIFY.PANEL_OUTSIDE_ENGLAND" in preconditions[0] and "wales" in preconditions[0]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("preconditions:\n  person: {child: [0, 17], unborn: true}\n  place: [england_in_area]\n  edition: wt2023\n"
         "  depends_on: [DEF.SERIOUS_CASE]\n", "", "preconditions: are required"),
        ("  depends_on: [DEF.SERIOUS_CASE]", "  depends_on: []", "must list exactly the rules its conditions use"),
        ("  place: [england_in_area]", "  place: [england]", "preconditions.place must be"),
        ("  person: {child: [0, 17], unborn: true}", "  person: {child: [0, 18]}", None),
        ("  person: {child: [0, 17], unborn: true}", "  person: {child: [17, 3]}", "inclusive age bounds"),
        ("  edition: wt2023", "  edition: wt2018", "must be this edition's name, wt2023"),
        ("creates: [duty]", "creates: [letter]", "creates must be a list"),
    ],
)
def test_malformed_preconditions_stop_loading(rules_copy: Path, old: str, new: str, message: str | None) -> None:
    path = rules_copy / "wt2023" / "rules" / "NOTIFY.PANEL_IN_AREA.yaml"
    _rewrite(path, old, new)
    if message is None:  # well-formed (if wider than the rule): loads
        load_edition(rules_copy / "wt2023")
        return
    with pytest.raises(RuleFileError, match="NOTIFY.PANEL_IN_AREA.yaml") as exc:
        load_edition(rules_copy / "wt2023")
    assert message in str(exc.value)


def test_a_rule_with_a_deadline_must_say_it_creates_a_clock(rules_copy: Path) -> None:
    _rewrite(rules_copy / "wt2023" / "rules" / "NOTIFY.LAC_DEATH.yaml", "creates: [duty, clock]", "creates: [duty]")
    with pytest.raises(RuleFileError, match="must list clock in creates"):
        load_edition(rules_copy / "wt2023")
