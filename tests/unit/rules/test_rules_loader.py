"""Rule files load into editions; every mistake names its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapidreview.rules import RuleFileError, Rulebook
from rapidreview.rules.loader import load_edition

from .conftest import RULES_DIR

# RULES.md IDs evaluated from facts (sections 1-3) and the section-2/4 rules
# that only carry parameters.
EVALUATED_2018 = [
    "DEF.CHILD", "DEF.SERIOUS_CASE", "DEF.SERIOUS_HARM", "NOTIFY.PANEL_IN_AREA", "NOTIFY.PANEL_OUTSIDE_ENGLAND",
    "NOTIFY.WRONG_LA", "NOTIFY.WRONG_LA_OUTSIDE_ENGLAND", "NOTIFY.DEADLINE", "NOTIFY.PARTNERS", "NOTIFY.LAC_DEATH",
    "NOTIFY.AGENCY_REFERRAL", "RR.REQUIRED", "RR.LEAD_AREA", "RR.DEADLINE", "LOCAL.IMPROVEMENTS", "LOCAL.RECURRENT_THEMES", "LOCAL.MULTI_AGENCY",
    "LOCAL.PANEL_VIEW", "REGARD.SINGLE_AGENCY", "REGARD.NO_AGENCY", "REGARD.CROSS_BOUNDARY",
    "REGARD.INSTITUTIONAL", "NOT.AUTOMATIC",
]
PARAMETERS_ONLY = ["RR.AGENCIES", "POST.INFORM", "POST.PROGRESS_CHECKS", "POST.SIX_MONTHS", "POST.PRESEND"]


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def test_both_editions_load_with_their_effective_dates(book: Rulebook) -> None:
    assert [(e.name, e.version, str(e.effective_from), str(e.effective_to)) for e in book.editions] == [
        ("wt2018", "2018.1", "2018-06-29", "2023-12-14"),
        ("wt2023", "2023.1", "2023-12-15", "None"),
    ]


def test_wt2018_evaluates_the_catalogue_in_rules_md_order(book: Rulebook) -> None:
    rules = book.rules("wt2018")
    assert [r.id for r in rules if r.evaluated] == EVALUATED_2018
    assert sorted(r.id for r in rules if not r.evaluated) == sorted(PARAMETERS_ONLY)


def test_care_leaver_death_exists_only_in_wt2023(book: Rulebook) -> None:
    ids_2023 = [r.id for r in book.rules("wt2023") if r.evaluated]
    assert ids_2023 == [*EVALUATED_2018[:10], "NOTIFY.CARE_LEAVER_DEATH", *EVALUATED_2018[10:]]
    assert "NOTIFY.CARE_LEAVER_DEATH" not in [r.id for r in book.rules("wt2018")]


def test_judgement_criteria_and_deterministic_rules_use_their_own_outcomes(book: Rulebook) -> None:
    for rule in book.rules("wt2023"):
        if not rule.evaluated:
            continue
        outcomes = {b.outcome for b in (*rule.branches, rule.otherwise)}
        if rule.id.startswith(("LOCAL.", "REGARD.")):
            assert outcomes <= {"INDICATED", "NOT_INDICATED", "NEEDS_JUDGEMENT", "NOT_APPLICABLE"}, rule.id
        else:
            assert outcomes <= {"MET", "NOT_MET", "NOT_APPLICABLE"}, rule.id


def test_stages_follow_rules_md_sections(book: Rulebook) -> None:
    stages = {r.id: r.stage for r in book.rules("wt2023")}
    assert {i for i, s in stages.items() if s == "intake"} == {
        i for i in stages if i.startswith(("DEF.", "NOTIFY.")) or i in ("RR.REQUIRED", "RR.LEAD_AREA")
    }
    assert stages["RR.DEADLINE"] == "criteria" and stages["LOCAL.IMPROVEMENTS"] == "criteria"
    assert stages["NOT.AUTOMATIC"] == "criteria" and book.rule("NOT.AUTOMATIC", "wt2023").always_shown


def test_verify_status_is_kept_for_regard_rules(book: Rulebook) -> None:
    assert {book.rule(i, "wt2018").status for i in EVALUATED_2018 if i.startswith("REGARD.")} == {"verify"}


def test_an_edition_version_is_compiled_to_a_ruleset_named_after_it(book: Rulebook) -> None:
    ed = book.loaded("wt2023")
    assert ed.ruleset.startswith("rr_wt2023_2023_1_")
    assert book.engine.is_registered(ed.ruleset)


def _edition_dir(rules_copy: Path) -> Path:
    return rules_copy / "wt2023"


def test_file_name_and_id_must_agree(rules_copy: Path) -> None:
    _rewrite(_edition_dir(rules_copy) / "rules" / "DEF.CHILD.yaml", "id: DEF.CHILD", "id: DEF.KID")
    with pytest.raises(RuleFileError, match=r"DEF.CHILD.yaml: id must be the RULES.md ID"):
        load_edition(_edition_dir(rules_copy))


def test_judgement_criterion_cannot_be_met(rules_copy: Path) -> None:
    _rewrite(_edition_dir(rules_copy) / "rules" / "LOCAL.PANEL_VIEW.yaml", "outcome: INDICATED", "outcome: MET")
    with pytest.raises(RuleFileError, match=r"LOCAL.PANEL_VIEW#0: outcome must be one of INDICATED"):
        load_edition(_edition_dir(rules_copy))


def test_unknown_rationale_placeholder_is_refused(rules_copy: Path) -> None:
    _rewrite(_edition_dir(rules_copy) / "rules" / "DEF.CHILD.yaml", "{child_ref} is unborn", "{child_name} is unborn")
    with pytest.raises(RuleFileError, match=r"unknown names \{child_name\}"):
        load_edition(_edition_dir(rules_copy))


def test_unknown_fact_in_a_condition_suggests_the_right_one(rules_copy: Path) -> None:
    _rewrite(_edition_dir(rules_copy) / "rules" / "RR.REQUIRED.yaml", "when: withdrawn", "when: withdrawl")
    with pytest.raises(RuleFileError, match=r"RR.REQUIRED.yaml: RR.REQUIRED#0: unknown fact 'withdrawl' \(did you mean withdrawn\?\)"):
        load_edition(_edition_dir(rules_copy))


def test_unknown_evidence_list_is_refused(rules_copy: Path) -> None:
    _rewrite(_edition_dir(rules_copy) / "rules" / "LOCAL.IMPROVEMENTS.yaml", "evidence: [learning,", "evidence: [lessons,")
    with pytest.raises(RuleFileError, match="unknown evidence lessons"):
        load_edition(_edition_dir(rules_copy))


def test_clock_facts_need_a_clock_section(rules_copy: Path) -> None:
    _rewrite(_edition_dir(rules_copy) / "rules" / "RR.REQUIRED.yaml", "when: withdrawn", "when: clock_late")
    with pytest.raises(RuleFileError, match="clock_late can only be used in a rule with a clock"):
        load_edition(_edition_dir(rules_copy))


def test_rules_referring_to_each_other_in_a_cycle_are_refused(rules_copy: Path) -> None:
    _rewrite(
        _edition_dir(rules_copy) / "rules" / "DEF.SERIOUS_CASE.yaml",
        "when: rule DEF.CHILD and abuse_or_neglect in [known, suspected]",
        "when: rule NOTIFY.PANEL_IN_AREA and abuse_or_neglect in [known, suspected]",
    )
    with pytest.raises(RuleFileError, match="cycle: NOTIFY.PANEL_IN_AREA -> DEF.SERIOUS_CASE -> NOTIFY.PANEL_IN_AREA"):
        load_edition(_edition_dir(rules_copy))


def test_every_rule_file_must_be_in_the_catalogue(rules_copy: Path) -> None:
    _rewrite(_edition_dir(rules_copy) / "edition.yaml", "  - REGARD.NO_AGENCY\n", "")
    with pytest.raises(RuleFileError, match="not listed: REGARD.NO_AGENCY"):
        load_edition(_edition_dir(rules_copy))


def test_a_condition_in_durable_rules_json_is_accepted(rules_copy: Path) -> None:
    _rewrite(
        _edition_dir(rules_copy) / "rules" / "LOCAL.PANEL_VIEW.yaml",
        "  - when: panel_response == local_review_more_appropriate",
        '  - when_json: {"panel_response": "local_review_more_appropriate"}',
    )
    ed = load_edition(_edition_dir(rules_copy))
    assert ed.conditions["LOCAL.PANEL_VIEW#0"] == {"panel_response": "local_review_more_appropriate"}


def test_the_same_version_defined_twice_is_refused(rules_copy: Path) -> None:
    import shutil

    shutil.copytree(rules_copy / "wt2023", rules_copy / "wt2023-copy")
    with pytest.raises(RuleFileError, match="wt2023 2023.1 is also defined in"):
        Rulebook.load(rules_copy)


def test_repository_rules_dir_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from rapidreview.rules import default_rules_dir

    monkeypatch.delenv("RR_RULES_DIR", raising=False)
    assert default_rules_dir() == RULES_DIR


def test_rr_rules_dir_overrides_the_default(monkeypatch: pytest.MonkeyPatch, rules_copy: Path) -> None:
    monkeypatch.setenv("RR_RULES_DIR", str(rules_copy))
    assert Rulebook.load_default().root == rules_copy


def test_a_folder_without_editions_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="RR_RULES_DIR"):
        Rulebook.load(tmp_path)
