"""Learning themes map onto the THEMES.md vocabulary; recurrent themes name reviews."""

from __future__ import annotations

import pytest

from rapidreview.rules.themes import Theme, ThemeVocabulary, normalise_tag, recurrent_themes

VOCAB = ThemeVocabulary(
    (
        Theme("bruising in non-mobile babies", ("bruising in babies",)),
        Theme("sudden unexpected death in infancy", ("SUDI", "safe sleep")),
        Theme("domestic abuse", ("domestic violence",)),
    )
)


def test_tags_match_case_and_punctuation_insensitively() -> None:
    assert VOCAB.canonical("Bruising in NON mobile  babies") == "bruising in non-mobile babies"
    assert normalise_tag("Non-Mobile_babies!") == "non mobile babies"


def test_synonyms_map_to_their_theme() -> None:
    assert VOCAB.canonical("sudi") == "sudden unexpected death in infancy"
    assert VOCAB.canonical("Safe Sleep") == "sudden unexpected death in infancy"


def test_unmatched_tags_stay_visible_as_written() -> None:
    mapping = VOCAB.map_tags(["Domestic Violence", "nappy rash protocol", "domestic abuse", "Nappy rash protocol"])
    assert mapping.matched == ("domestic abuse",)
    assert mapping.unmatched == ("nappy rash protocol",)


def test_recurrent_themes_name_every_earlier_review_sharing_them() -> None:
    found = recurrent_themes(
        VOCAB,
        ["bruising in babies", "domestic abuse", "own words"],
        [("R-2021", ["Bruising in non-mobile babies"]), ("R-2022", ["bruising in non mobile babies", "Own Words"]),
         ("R-2023", ["neglect"])],
    )
    assert [(r.theme, r.review_ids) for r in found] == [
        ("bruising in non-mobile babies", ("R-2021", "R-2022")),
        ("own words", ("R-2022",)),
    ]


def test_reference_reviews_count_as_earlier_learning() -> None:
    vocab = ThemeVocabulary.from_mapping(
        {"themes": [{"name": "neglect"}], "reference_reviews": [{"review_id": "NATIONAL-1", "themes": ["Neglect"]}]}
    )
    assert [r.review_ids for r in recurrent_themes(vocab, ["neglect"], [])] == [("NATIONAL-1",)]


def test_a_synonym_listed_under_two_themes_is_refused() -> None:
    with pytest.raises(ValueError, match="listed under both"):
        ThemeVocabulary((Theme("a", ("x",)), Theme("b", ("X",))))


def test_the_shipped_vocabulary_holds_every_themes_md_theme(book) -> None:
    names = {t.name for t in book.themes("wt2023").themes}
    assert len(names) == 29
    assert {"information sharing", "fathers and male carers", "case closure and step-down"} <= names
    assert book.themes("wt2023").canonical("case closure") == "case closure and step-down"
