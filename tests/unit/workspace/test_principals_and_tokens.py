"""The mapping file turns provider claims into one principal or a refusal; the person's token
carries their subject and is accepted by the services' verifier."""

from __future__ import annotations

import datetime as dt

import pytest

from rapidreview.kernel.auth import Principal, Role, TokenVerifier, new_signing_key, private_key_pem
from rapidreview.workspace.principals import MappingError, NoAccess, PrincipalMap
from rapidreview.workspace.tokens import PersonTokens

MAP = PrincipalMap.from_dict({
    "groups_claim": "roles",
    "groups": {
        "leeds-bu": {"role": "business_unit", "partnership": "leeds"},
        "leeds-police": {"role": "agency", "partnership": "leeds", "agency": "west-yorkshire-police"},
        "leeds-rag": {"role": "rag_member", "partnership": "leeds"},
        "leeds-bu-too": {"role": "business_unit", "partnership": "leeds"},
    },
    "subjects": {"auditor-7": {"role": "auditor", "partnership": "leeds"}},
})


def test_a_group_maps_to_role_partnership_and_agency() -> None:
    assert MAP.resolve({"sub": "abc", "roles": ["other", "leeds-police"]}) == Principal("abc", Role.AGENCY, "leeds", "west-yorkshire-police")


def test_a_subject_entry_wins_over_groups() -> None:
    assert MAP.resolve({"sub": "auditor-7", "roles": ["leeds-bu"]}) == Principal("auditor-7", Role.AUDITOR, "leeds")


def test_two_groups_with_the_same_mapping_are_one_principal() -> None:
    assert MAP.resolve({"sub": "x", "roles": ["leeds-bu", "leeds-bu-too"]}) == Principal("x", Role.BUSINESS_UNIT, "leeds")


def test_groups_that_map_to_different_roles_give_no_access_rather_than_a_guess() -> None:
    found = MAP.resolve({"sub": "x", "roles": ["leeds-bu", "leeds-rag"]})
    assert isinstance(found, NoAccess) and "more than one role" in found.reason


@pytest.mark.parametrize("claims", [{"sub": "x"}, {"sub": "x", "roles": ["unknown"]}, {"sub": "x", "groups": ["leeds-bu"]},
                                    {"roles": ["leeds-bu"]}, {"sub": "x" * 201, "roles": ["leeds-bu"]},
                                    {"sub": "a\nb", "roles": ["leeds-bu"]}])
def test_no_mapping_or_an_unusable_subject_gives_no_access(claims: dict) -> None:
    assert isinstance(MAP.resolve(claims), NoAccess)


@pytest.mark.parametrize(("entry", "message"), [
    ({"role": "service", "partnership": "leeds"}, "not for people"),
    ({"role": "agency", "partnership": "leeds"}, "needs an agency id"),
    ({"role": "auditor", "partnership": "leeds", "agency": "x-y"}, "only the agency role"),
    ({"role": "boss", "partnership": "leeds"}, "role must be one of"),
    ({"role": "auditor", "partnership": "Leeds City"}, "partnership must be an id"),
    ({"role": "auditor", "partnership": "leeds", "colour": "red"}, "unknown keys"),
])
def test_a_bad_mapping_entry_is_refused_naming_it(entry: dict, message: str) -> None:
    with pytest.raises(MappingError, match=message) as err:
        PrincipalMap.from_dict({"groups": {"g1": entry}})
    assert "groups.g1" in str(err.value)


def test_person_token_is_accepted_by_the_services_verifier_with_the_persons_claims(tmp_path) -> None:
    key = new_signing_key()
    tokens = PersonTokens(private_key_pem(key), issuer="rapidreview", audience="rapidreview", ttl_seconds=300)
    person = Principal("7f3e-subject-from-provider", Role.AGENCY, "leeds", "gp-practice")
    verifier = TokenVerifier([key.public_key()], "rapidreview", "rapidreview", leeway=0)
    assert verifier.verify(tokens.token_for(person)) == person


def test_person_token_lives_minutes_and_is_renewed_past_half_its_life() -> None:
    import jwt

    now = [1_700_000_000.0]
    key = new_signing_key()
    tokens = PersonTokens(private_key_pem(key), issuer="rapidreview", audience="rapidreview", ttl_seconds=300, clock=lambda: now[0])
    person = Principal("s", Role.BUSINESS_UNIT, "leeds")
    first = tokens.token_for(person)
    claims = jwt.decode(first, key.public_key(), algorithms=["ES256"], audience="rapidreview", options={"verify_exp": False})
    assert claims["exp"] - claims["iat"] == 300
    now[0] += 100
    assert tokens.token_for(person) == first  # reused while more than half its life is left
    now[0] += 60
    assert tokens.token_for(person) != first
    assert dt.timedelta(seconds=300) < dt.timedelta(minutes=15)


def test_settings_name_a_missing_or_bad_variable() -> None:
    from rapidreview.kernel.config import ConfigError
    from rapidreview.workspace.config import load_workspace_settings

    with pytest.raises(ConfigError, match="RR_WORKSPACE_OIDC_ISSUER: required"):
        load_workspace_settings({})
    base = {"RR_WORKSPACE_OIDC_ISSUER": "https://login.example", "RR_WORKSPACE_OIDC_CLIENT_ID": "rr",
            "RR_WORKSPACE_PRINCIPALS_FILE": "p.yaml", "RR_WORKSPACE_SIGNING_KEY_FILE": "k.pem"}
    with pytest.raises(ConfigError, match="RR_WORKSPACE_TOKEN_TTL"):
        load_workspace_settings({**base, "RR_WORKSPACE_TOKEN_TTL": "86400"})
    with pytest.raises(ConfigError, match="RR_INTAKE_ADDR"):
        load_workspace_settings({**base, "RR_INTAKE_ADDR": "intake"})
    settings = load_workspace_settings({**base, "RR_WORKSPACE_PUBLIC_URL": "https://rr.example/"})
    assert settings.cookies_secure and settings.public_url == "https://rr.example"
    assert settings.idle_timeout_minutes == 30 and settings.token_ttl_seconds == 300
