"""Bearer token verification: a token checked once is remembered until it expires,
and remembering it never lets through what the full check would refuse."""

from __future__ import annotations

import datetime as dt

import pytest

from rapidreview.kernel.auth import Role, TokenVerifier, issue_token, new_signing_key, private_key_pem
from rapidreview.kernel.errors import Unauthenticated


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def key():  # type: ignore[no-untyped-def]
    return new_signing_key()


def token(key, *, ttl: dt.timedelta = dt.timedelta(hours=1), subject: str = "police-system", **kw) -> str:  # type: ignore[no-untyped-def]
    return issue_token(private_key_pem(key), subject=subject, role=Role.AGENCY, partnership="leeds", agency="police", ttl=ttl, **kw)


def test_a_remembered_token_gives_the_same_principal_without_a_second_signature_check(key, monkeypatch):
    verifier = TokenVerifier([key.public_key()], "rapidreview", "rapidreview")
    t = token(key)
    first = verifier.verify(t)
    checks = []
    monkeypatch.setattr(verifier, "_verify_signed", lambda tok: checks.append(tok))
    assert verifier.verify(t) == first
    assert (first.subject, first.role, first.partnership, first.agency) == ("police-system", Role.AGENCY, "leeds", "police")
    assert checks == []


def test_a_remembered_token_is_refused_once_it_expires_with_the_same_leeway_as_the_full_check(key):
    clock = Clock()
    verifier = TokenVerifier([key.public_key()], "rapidreview", "rapidreview", leeway=30, clock=clock)
    t = token(key, ttl=dt.timedelta(minutes=5), now=dt.datetime.fromtimestamp(clock.now, dt.UTC))
    verifier.verify(t)
    clock.now += 5 * 60 + 29  # past exp, within the leeway
    verifier.verify(t)
    clock.now += 2  # past exp + leeway
    with pytest.raises(Unauthenticated, match="ExpiredSignatureError"):
        verifier.verify(t)
    assert t not in verifier._verified


def test_an_expired_token_is_refused_by_the_full_check_and_not_remembered(key):
    verifier = TokenVerifier([key.public_key()], "rapidreview", "rapidreview", leeway=0)
    expired = token(key, ttl=dt.timedelta(minutes=5), now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    with pytest.raises(Unauthenticated, match="ExpiredSignatureError"):
        verifier.verify(expired)
    assert verifier._verified == {}


def test_refused_tokens_are_not_remembered(key):
    other = new_signing_key()
    verifier = TokenVerifier([key.public_key()], "rapidreview", "rapidreview")
    forged = token(other)
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            verifier.verify(forged)
    wrong_audience = token(key, audience="someone-else")
    with pytest.raises(Unauthenticated):
        verifier.verify(wrong_audience)
    assert verifier._verified == {}


def test_at_most_cache_size_tokens_are_remembered_least_recently_used_first_out(key):
    verifier = TokenVerifier([key.public_key()], "rapidreview", "rapidreview", cache_size=2)
    a, b, c = (token(key, subject=s) for s in ("a", "b", "c"))
    verifier.verify(a)
    verifier.verify(b)
    verifier.verify(a)  # a used most recently: b goes first
    verifier.verify(c)
    assert list(verifier._verified) == [a, c]
