"""The national themes list: the shipped list is valid and honest about its
sources, malformed lists are refused naming the entry, and its entries are
compared by LOCAL.RECURRENT_THEMES and shown with their titles."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from rapidreview.criteria.domain import facts as F
from rapidreview.criteria.domain import national_themes as N
from rapidreview.criteria.domain.checklist import build_checklist
from rapidreview.criteria.domain.summary import build_summary
from rapidreview.criteria.summary.render import render_markdown
from rapidreview.v1 import common_pb2 as C
from rapidreview.v1 import facts_pb2
from tests.unit.criteria import child_k


@pytest.fixture(scope="module")
def vocabulary(rulebook):
    return rulebook.themes(rulebook.editions[-1])


@pytest.fixture(scope="module")
def shipped(vocabulary):
    return N.load(N.DEFAULT_FILE, vocabulary)


def _raw() -> dict:
    return yaml.safe_load(N.DEFAULT_FILE.read_text(encoding="utf-8"))


def test_the_shipped_list_is_dated_versioned_and_every_theme_is_a_vocabulary_theme(shipped, vocabulary):
    assert shipped.version == "2026.1" and shipped.as_of == dt.date(2026, 12, 4)
    assert len(shipped.sources) >= 12
    assert len({s.source_id for s in shipped.sources}) == len(shipped.sources)
    for source in shipped.sources:
        assert source.title and source.publisher == "Child Safeguarding Practice Review Panel"
        assert source.checked, f"{source.source_id}: says how it was checked"
        assert all(vocabulary.canonical(t) == t for t in source.themes), source.source_id


def test_the_shipped_list_holds_the_panels_national_reviews_and_annual_reports(shipped):
    titles = {s.source_id: s.title for s in shipped.sources}
    assert titles["CSPRP-2020-HARD-TO-ESCAPE"].startswith("It was hard to escape")
    assert titles["CSPRP-2021-INVISIBLE-MEN"].startswith("The Myth of Invisible Men")
    assert "Arthur Labinjo-Hughes and Star Hobson" in titles["CSPRP-2022-CPE"]
    assert titles["CSPRP-2022-BRUISING"] == "Bruising in non-mobile infants"
    assert {s.kind for s in shipped.sources} == {"national_review", "annual_report", "briefing"}
    years = [s.year for s in shipped.sources if s.kind == "annual_report"]
    assert years == sorted(years) and len(years) == 5


def test_the_digest_changes_with_the_content_and_not_with_the_file_layout(vocabulary, shipped):
    again = N.parse(_raw(), vocabulary)
    assert again.sha256 == shipped.sha256
    changed = _raw()
    changed["sources"][0]["themes"] = ["neglect"]
    assert N.parse(changed, vocabulary).sha256 != shipped.sha256
    assert N.from_canonical_json(N.canonical_json(shipped)) == shipped


@pytest.mark.parametrize(("change", "names"), [
    (lambda d: d["sources"][1]["themes"].append("knife crime"), "sources[1].themes[3]: 'knife crime' is not a theme"),
    (lambda d: d["sources"].append(dict(d["sources"][0])), "CSPRP-AR-2018-19 is listed twice"),
    (lambda d: d.update(version="2026"), "version"),
    (lambda d: d["sources"][2].pop("checked"), "sources[2].checked"),
    (lambda d: d["sources"][3].update(kind="blog"), "sources[3].kind"),
    (lambda d: d["sources"][4].update(year=2031), "sources[4].year"),
])
def test_a_malformed_list_is_refused_naming_the_entry(vocabulary, change, names):
    data = _raw()
    change(data)
    with pytest.raises(N.NationalThemesError) as caught:
        N.parse(data, vocabulary)
    assert names in str(caught.value)


def test_synonyms_are_stored_under_their_vocabulary_names(vocabulary):
    data = _raw()
    data["sources"] = [dict(data["sources"][0], themes=["SUDI", "invisible men", "sudden unexpected death in infancy"])]
    parsed = N.parse(data, vocabulary)
    assert parsed.sources[0].themes == ("sudden unexpected death in infancy", "fathers and male carers")


def test_national_entries_are_recurrent_themes_cited_with_their_source(rulebook, calendar, shipped, vocabulary):
    facts = F.facts_from_incident(child_k.incident(panel_sent="2024-06-07"))
    facts = F.with_collation(facts, child_k.collated())
    facts = F.with_earlier_reviews(facts, [*child_k.EARLIER_REVIEWS, *shipped.reviews()])
    checklist = build_checklist(rulebook.evaluate(facts, calendar=calendar), facts, vocabulary=vocabulary)
    recurrent = next(c for c in checklist.criteria if c.rule_id == "LOCAL.RECURRENT_THEMES")
    assert recurrent.outcome == C.OUTCOME_INDICATED
    assert {"LSCP-2021-03", "LSCP-2022-01", "CSPRP-2022-BRUISING", "CSPRP-2021-INVISIBLE-MEN"} <= set(recurrent.evidence)
    assert "CSPRP-2022-BRUISING" in recurrent.rationale
    sources = {s.review_id: s for s in checklist.theme_sources}
    bruising = sources["CSPRP-2022-BRUISING"]
    assert bruising.national and bruising.list_version == "2026.1" and bruising.title == "Bruising in non-mobile infants"
    assert list(bruising.shared_themes) == ["bruising in non-mobile babies"]
    assert not sources["LSCP-2021-03"].national and "bruising in non-mobile babies" in sources["LSCP-2021-03"].shared_themes
    # Sources no theme of this case shares are not cited.
    assert "CSPRP-2020-HARD-TO-ESCAPE" not in sources and "LSCP-2023-02" not in sources
    summary = build_summary(checklist, facts, child_k.collated(), titles={}, edition_title="WT2023", vocabulary=vocabulary)
    text = render_markdown(summary)
    assert ("`CSPRP-2022-BRUISING`: Bruising in non-mobile infants (Child Safeguarding Practice Review Panel, 2022; "
            "national themes list 2026.1): bruising in non-mobile babies") in text


def test_without_a_national_list_only_the_partnerships_reviews_are_cited(rulebook, child_k_facts, calendar, vocabulary):
    checklist = build_checklist(rulebook.evaluate(child_k_facts, calendar=calendar), child_k_facts, vocabulary=vocabulary)
    assert [s.review_id for s in checklist.theme_sources] == ["LSCP-2021-03", "LSCP-2022-01"]
    assert not any(s.national for s in checklist.theme_sources)


def test_a_case_sharing_no_theme_gets_no_recurrent_theme_from_the_national_list(rulebook, calendar, shipped, vocabulary):
    facts = F.facts_from_incident(child_k.incident(panel_sent="2024-06-07"))
    facts = F.with_collation(facts, child_k.collated())
    for agency in facts.agencies:
        for item in agency.learning:
            del item.themes[:]
            item.themes.append("car seat safety")
            item.already_identified = False
    facts = F.with_earlier_reviews(facts, shipped.reviews())
    checklist = build_checklist(rulebook.evaluate(facts, calendar=calendar), facts, vocabulary=vocabulary)
    recurrent = next(c for c in checklist.criteria if c.rule_id == "LOCAL.RECURRENT_THEMES")
    assert recurrent.outcome != C.OUTCOME_INDICATED
    assert not checklist.theme_sources


def test_national_entries_carry_their_list_version_into_the_facts(shipped):
    review = shipped.reviews()[0]
    assert isinstance(review, facts_pb2.EarlierReview)
    assert review.national and review.list_version == "2026.1" and review.title and review.publisher
