"""Local authorities are compared by ONS code, from the register shipped with the rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from rapidreview.rules.authorities import AuthorityRegister, normalise_name
from rapidreview.rules.facts import case_view
from rapidreview.rules.themes import ThemeVocabulary
from rapidreview.v1 import facts_pb2

from .conftest import RULES_DIR

REGISTER = AuthorityRegister.load(RULES_DIR / "local-authorities.yaml")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Leeds", "E08000035"),
        ("Leeds City Council", "E08000035"),
        ("  LEEDS ", "E08000035"),
        ("City of Bradford Metropolitan District Council", "E08000032"),
        ("London Borough of Tower Hamlets", "E09000030"),
        ("Royal Borough of Kensington & Chelsea", "E09000020"),
        ("Kingston upon Hull City Council", "E06000010"),
        ("Hull", "E06000010"),
        ("St Helens", "E08000013"),
        ("Telford & Wrekin Council", "E06000020"),
        ("Council of the Isles of Scilly", "E06000053"),
        ("E08000035", "E08000035"),
        # Codes ONS reissued for the same authority, and counties that became unitary.
        ("E08000016", "E08000038"),
        ("E10000023", "E06000065"),
    ],
)
def test_names_and_their_variants_give_the_ons_code(name: str, code: str) -> None:
    assert REGISTER.code(name) == code


def test_an_unknown_name_is_compared_as_written_once_normalised() -> None:
    assert REGISTER.code("Cardiff") is None
    assert REGISTER.same("Cardiff Council", "cardiff") and not REGISTER.same("Cardiff", "Newport")
    assert not REGISTER.same("", "") and REGISTER.key("") == ""
    assert normalise_name("Leeds City Council") == "leeds" and normalise_name("City of London") == "city of london"


def test_the_register_lists_every_childrens_services_authority_in_england_with_its_source() -> None:
    data = yaml.safe_load((RULES_DIR / "local-authorities.yaml").read_text())
    current = [a for a in data["authorities"] if "until" not in a]
    assert len(current) == 153  # county, unitary, metropolitan, London boroughs, City of London, Isles of Scilly
    assert "Office for National Statistics" in REGISTER.source and REGISTER.as_of == dt.date(2026, 12, 4)
    assert REGISTER.describe("leeds city council") == "Leeds (E08000035)"


def test_a_register_naming_two_authorities_the_same_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "local-authorities.yaml"
    path.write_text("authorities:\n  - {code: E08000035, name: Leeds}\n  - {code: E08000032, name: Bradford, also: [Leeds]}\n")
    with pytest.raises(ValueError, match="already names E08000035"):
        AuthorityRegister.load(path)


def test_the_rules_see_one_authority_however_it_is_written() -> None:
    facts = facts_pb2.CaseFacts(notifying_la="Leeds", incident_la="Leeds City Council", home_la="LEEDS CITY COUNCIL",
                                agencies=[facts_pb2.AgencyFacts(involved=True)])
    facts.agencies[0].agency.agency_id = "leeds-csc"
    facts.agencies[0].agency.area = "Leeds"
    view = case_view(facts, "wt2023", ThemeVocabulary(()), REGISTER)
    assert view.fact["incident_in_notifying_la"] and view.fact["home_la_is_notifying_la"]
    assert view.fact["incident_la_is_home_la"] and view.fact["distinct_local_authorities"] == 1
    assert view.text["incident_authority"] == "Leeds (E08000035)"
