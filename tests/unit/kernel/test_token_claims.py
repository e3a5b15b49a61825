"""Token claims are validated by a schema before anyone is let in: a validly signed
token with claims of the wrong type, length or characters, or naming a partnership
or agency the registry does not know, is UNAUTHENTICATED with the claim named (never
its value) — it used to be accepted, coerced to text, and then broke the access log
and the database (issue 14 §2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jwt
import pytest

from rapidreview.kernel.auth import Role, TokenVerifier, new_signing_key
from rapidreview.kernel.config import ConfigError
from rapidreview.kernel.errors import Unauthenticated
from rapidreview.kernel.partnerships import PartnershipRegistry
from rapidreview.kernel.server import load_certificate_identities

REGISTRY = PartnershipRegistry.from_mapping({"partnerships": {
    "leeds": {"agencies": ["west-yorkshire-police", "gp-practice"]},
    "bradford": None,
}})


@pytest.fixture(scope="module")
def key():  # type: ignore[no-untyped-def]
    return new_signing_key()


def sign(key, **claims) -> str:  # type: ignore[no-untyped-def]
    now = int(dt.datetime.now(dt.UTC).timestamp())
    body = {"iss": "rapidreview", "aud": "rapidreview", "iat": now, "exp": now + 3600, "sub": "police-case-system",
            "role": "agency", "partnership": "leeds", "agency": "west-yorkshire-police"}
    body.update(claims)
    for name in [k for k, v in body.items() if v is DROP]:
        del body[name]
    return jwt.encode(body, key, algorithm="ES256")


DROP = object()


def verify(key, registry: PartnershipRegistry = REGISTRY, **claims):  # type: ignore[no-untyped-def]
    return TokenVerifier([key.public_key()], "rapidreview", "rapidreview", registry=registry).verify(sign(key, **claims))


def refused(key, registry: PartnershipRegistry = REGISTRY, **claims) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(Unauthenticated) as info:
        verify(key, registry, **claims)
    return info.value.message


@pytest.mark.parametrize("subject", [
    "police-case-system",
    "6f1c1f8e-0a3c-4b9e-9a43-3f2c5b0f6d1e",  # a UUID, as most OIDC providers issue
    "jo.bloggs@leeds.gov.uk",  # an e-mail address
    "auth0|5f7c8ec7c33c6c004bbafe82",  # issuer|id
    "https://login.example.org/users/42",
    "Zoë Ó Briain",  # printable, non-ASCII
    "x" * 200,
])
def test_typical_subjects_up_to_200_printable_characters_are_accepted(key, subject: str):
    assert verify(key, sub=subject).subject == subject


@pytest.mark.parametrize("subject", [
    "", " ", "x" * 201, "x" * 300, "a\x00b", "a\nb", "tab\there", "\u202eevil", "a\u2028b", "zero\u200bwidth", "\ud800",
    " padded", "padded ", 42, 4.2, True, None, ["a"], {"a": 1},
])
def test_a_subject_that_is_not_1_to_200_printable_characters_is_unauthenticated(key, subject: object):
    message = refused(key, sub=subject)
    assert "sub" in message
    if isinstance(subject, str) and len(subject) > 3:
        assert subject not in message


@pytest.mark.parametrize("partnership", [["leeds", "bradford"], 42, {"a": 1}, True, 4.2])
def test_a_partnership_of_the_wrong_json_type_is_unauthenticated_not_coerced(key, partnership: object):
    assert "partnership" in refused(key, partnership=partnership)


@pytest.mark.parametrize("partnership", ["Leeds", "leeds\x00", "le eds", "l", "x" * 65, "leeds\n", "ｌｅｅｄｓ", "leeds_city"])
def test_a_malformed_partnership_is_unauthenticated(key, partnership: str):
    assert "partnership" in refused(key, partnership=partnership)


def test_a_partnership_the_registry_does_not_know_is_unauthenticated(key):
    assert refused(key, partnership="wakefield") == "invalid token: unknown partnership"


def test_an_empty_or_missing_partnership_is_unauthenticated_except_for_the_service_role(key):
    assert refused(key, partnership="") == "invalid token: no partnership claim"
    assert refused(key, partnership=DROP) == "invalid token: no partnership claim"
    service = verify(key, role="service", partnership=DROP, agency=DROP)
    assert (service.role, service.partnership) == (Role.SERVICE, "")
    assert "partnership" in refused(key, role="service", partnership="wakefield", agency=DROP)


def test_agencies_come_from_the_partnerships_list_and_a_partnership_without_a_list_takes_any_well_formed_id(key):
    assert verify(key, agency="gp-practice").agency == "gp-practice"
    assert refused(key, agency="acute-hospital-trust") == "invalid token: unknown agency for this partnership"
    assert verify(key, partnership="bradford", agency="acute-hospital-trust").agency == "acute-hospital-trust"
    for agency in (["gp-practice"], 7, "GP", "gp practice", "gp\x00", "x" * 65):
        assert "agency" in refused(key, agency=agency)
    assert refused(key, agency=DROP) == "invalid token: agency role without agency claim"
    assert refused(key, agency="") == "invalid token: agency role without agency claim"


@pytest.mark.parametrize("role", ["", "admin", ["agency"], 1, None, "AGENCY"])
def test_an_unknown_role_or_one_of_the_wrong_type_is_unauthenticated(key, role: object):
    assert refused(key, role=role) == "invalid token: unknown role"


def test_time_claims_must_be_numbers(key):
    far = int(dt.datetime.now(dt.UTC).timestamp()) + 3600
    for value in (str(far), [far], {"t": far}, True, None):
        assert refused(key, exp=value).startswith("invalid token:")
    for value in (10**400, 1e308, -1):
        assert refused(key, exp=value).startswith("invalid token:")
    assert refused(key, iat="1").startswith("invalid token:")
    assert refused(key, nbf=[1]).startswith("invalid token:")
    assert verify(key, exp=float(far)).subject == "police-case-system"


def test_an_open_registry_accepts_any_well_formed_id_and_still_checks_the_schema(key):
    open_registry = PartnershipRegistry()
    assert verify(key, open_registry, partnership="wakefield", agency="any-agency").partnership == "wakefield"
    assert "partnership" in refused(key, open_registry, partnership=["leeds"])
    assert "sub" in refused(key, open_registry, sub="x" * 300)


def test_the_registry_file_is_checked_when_loaded(tmp_path: Path):
    good = tmp_path / "good.yaml"
    good.write_text("partnerships:\n  leeds:\n    agencies: [gp-practice]\n    gathering: {return_working_days: 12}\n  bradford: {}\n")
    registry = PartnershipRegistry.load(good)
    assert not registry.open and registry.knows_partnership("bradford") and not registry.knows_partnership("york")
    assert registry.knows_agency("leeds", "gp-practice") and not registry.knows_agency("leeds", "police")
    assert PartnershipRegistry.load(None).open
    for text in ("partnerships: [leeds]", "partnerships:\n  Leeds: {}", "partnerships:\n  leeds: {agencies: gp}",
                 "partnerships:\n  leeds: {agencies: [GP]}", "- a"):
        bad = tmp_path / "bad.yaml"
        bad.write_text(text)
        with pytest.raises(ConfigError, match="RR_PARTNERSHIP_CONFIG_FILE"):
            PartnershipRegistry.load(bad)


def test_certificate_identities_are_checked_like_token_claims(tmp_path: Path):
    good = tmp_path / "ids.yaml"
    good.write_text("svc.example: {role: service}\npolice.example: {role: agency, partnership: leeds, agency: gp-practice}\n")
    identities = load_certificate_identities(good, REGISTRY)
    assert identities["police.example"].agency == "gp-practice" and identities["svc.example"].role is Role.SERVICE
    for text in ("x: {role: agency, partnership: leeds, agency: nobody}", "x: {role: business_unit, partnership: [leeds]}",
                 "x: {role: root}"):
        bad = tmp_path / "bad.yaml"
        bad.write_text(text)
        with pytest.raises(ConfigError, match="RR_TLS_CLIENT_IDENTITIES_FILE: entry 1"):
            load_certificate_identities(bad, REGISTRY)
