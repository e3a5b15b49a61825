"""POST.ANONYMISED: identifying details found in a publishable text."""

from __future__ import annotations

from rapidreview.decisions.domain.anonymisation import Detail, find_identifying_details, refusal_summary
from rapidreview.v1 import decisions_pb2 as D

CHILD = Detail(D.IDENTIFYING_DETAIL_KIND_CHILD_REFERENCE, "Child K", "child reference")
MOTHER = Detail(D.IDENTIFYING_DETAIL_KIND_NAME, "Kayla Wrenfield", "mother's name")
STREET = Detail(D.IDENTIFYING_DETAIL_KIND_PLACE, "Larkspur Close", "street")
DOB = Detail(D.IDENTIFYING_DETAIL_KIND_DATE_OF_BIRTH, "2023-11-02", "date of birth")


def _found(text: str, *details: Detail) -> list[str]:
    return [f.matched_text for f in find_identifying_details(text, list(details))]


def test_child_reference_is_found_whatever_the_case_and_spacing():
    assert _found("We met CHILD  K's family.", CHILD) == ["CHILD  K"]


def test_a_reference_inside_a_longer_word_is_not_a_match():
    assert _found("Child Kay and Child KL are other children.", CHILD) == []


def test_a_surname_alone_is_found_and_the_full_name_is_reported_once():
    assert _found("Kayla Wrenfield spoke to the reviewer. Ms Wrenfield agreed.", MOTHER) == ["Kayla Wrenfield", "Wrenfield"]


def test_places_are_matched_as_whole_phrases():
    assert _found("The family lived in Larkspur\nClose until May.", STREET) == ["Larkspur\nClose"]
    assert _found("A close friend of Larkspur Primary.", STREET) == []


def test_dates_of_birth_are_found_in_their_usual_written_forms():
    text = ("born 2023-11-02; DOB 02/11/2023; 2/11/23; 2 November 2023; 2nd Nov 2023; November 2, 2023; "
            "but not 12/11/2023 or 2023-11-20")
    assert _found(text, DOB) == ["2023-11-02", "02/11/2023", "2/11/23", "2 November 2023", "2nd Nov 2023", "November 2, 2023"]


def test_findings_give_line_and_column():
    finding = find_identifying_details("Title\n\nAbout Child K here", [CHILD])[0]
    assert (finding.line, finding.column, finding.offset, finding.length) == (3, 7, 13, 7)
    assert finding.kind == D.IDENTIFYING_DETAIL_KIND_CHILD_REFERENCE and finding.label == "child reference"


def test_an_anonymised_text_has_no_findings():
    assert find_identifying_details("Child P lived with their mother.", [CHILD, MOTHER, STREET, DOB]) == []


def test_refusal_lists_kinds_and_positions_but_never_the_details():
    findings = find_identifying_details("Child K lived at Larkspur Close with Kayla Wrenfield.", [CHILD, MOTHER, STREET])
    message = refusal_summary(findings)
    assert "POST.ANONYMISED" in message and "3 identifying detail" in message
    assert "child reference at line 1 column 1" in message and "place at line 1" in message and "name at line 1" in message
    for secret in ("Child K", "Larkspur", "Kayla", "Wrenfield"):
        assert secret not in message
