"""Authentication and authorisation mechanism.

Callers present a signed bearer token (JWT, ES256) with issuer, audience,
expiry and claims `role`, `partnership` and, for agencies, `agency`. Tokens are
verified against configured public keys. Which role may call which RPC, and
over what scope, is one declarative table (`rapidreview.access.ACCESS_TABLE`)
that every servicer uses through the interceptor; this module only enforces it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import enum
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from rapidreview.kernel.errors import PermissionDenied, Unauthenticated
from rapidreview.kernel.partnerships import ID_RULE, PartnershipRegistry, is_id


class Role(enum.StrEnum):
    """Who a caller is in the process."""

    NOTIFYING_LA = "notifying_la"  #: the local authority that notifies incidents
    AGENCY = "agency"  #: a partner agency (police, health, school...) for its own returns
    BUSINESS_UNIT = "business_unit"  #: the partnership's business unit that runs the review
    RAG_MEMBER = "rag_member"  #: a Review Advisory Group member
    EXECUTIVE = "executive"  #: the safeguarding partners' Executive
    AUDITOR = "auditor"  #: reads audit trails and access logs
    SERVICE = "service"  #: another Rapid Review service


class Scope(enum.StrEnum):
    """How far an allowed call reaches."""

    OWN_AGENCY = "own_agency"  #: only the caller's agency's requests and returns
    OWN_PARTNERSHIP = "own_partnership"  #: every case of the caller's partnership
    ANY = "any"  #: every case


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    subject: str
    role: Role
    partnership: str
    agency: str = ""

    def may_see_partnership(self, partnership: str, scope: Scope) -> bool:
        return scope is Scope.ANY or self.partnership == partnership


@dataclass(frozen=True)
class Grant:
    """The caller's principal and the scope the access table granted for this RPC."""

    principal: Principal
    scope: Scope

    def require_partnership(self, partnership: str) -> None:
        """PERMISSION_DENIED unless the caller may act on `partnership`'s cases."""
        if not self.principal.may_see_partnership(partnership, self.scope):
            raise PermissionDenied("this case belongs to another partnership")

    def require_agency(self, agency_id: str) -> None:
        """PERMISSION_DENIED when the scope is own-agency and `agency_id` is another agency."""
        if self.scope is Scope.OWN_AGENCY and self.principal.agency != agency_id:
            raise PermissionDenied("this request belongs to another agency")


_current_grant: contextvars.ContextVar[Grant | None] = contextvars.ContextVar("rr_grant", default=None)


def current_grant() -> Grant:
    """The grant of the RPC being served (set by the interceptor)."""
    grant = _current_grant.get()
    if grant is None:
        raise Unauthenticated("no authenticated caller")
    return grant


def set_current_grant(grant: Grant | None) -> contextvars.Token[Grant | None]:
    return _current_grant.set(grant)


def reset_current_grant(token: contextvars.Token[Grant | None]) -> None:
    _current_grant.reset(token)


AccessTable = dict[str, dict[Role, Scope]]


def authorise(table: AccessTable, method: str, principal: Principal) -> Grant:
    """The grant for `principal` calling `method` (full gRPC method name), or
    PERMISSION_DENIED when the table has no entry for that role."""
    roles = table.get(method)
    if roles is None or principal.role not in roles:
        raise PermissionDenied(f"role {principal.role.value} may not call {method.rsplit('/', 1)[-1]}")
    return Grant(principal, roles[principal.role])


#: The longest `sub` accepted: it is recorded in the access log and the audit trail.
MAX_SUBJECT = 200
#: The latest time a numeric date claim may name (9999-12-31T23:59:59Z): anything later is not a date.
MAX_TIME_CLAIM = 253_402_300_799


def _is_time(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    # Compare before any conversion: JSON integers have no size limit (10**400 is one).
    return 0 <= value <= MAX_TIME_CLAIM and (isinstance(value, int) or math.isfinite(value))


def is_subject(value: object) -> bool:
    """A caller identity we record as given: 1-200 printable characters (no control,
    format, separator-line or surrogate characters), not blank and not padded with
    spaces. OIDC subjects (UUIDs, e-mail addresses, `issuer|id`) all qualify."""
    return (isinstance(value, str) and 0 < len(value) <= MAX_SUBJECT and value.isprintable()
            and value.strip() == value and bool(value))


def principal_from_claims(claims: dict[str, object], registry: PartnershipRegistry) -> tuple[Principal, float]:
    """The principal and expiry of a token's claims, validated by their schema: types,
    lengths and character sets, partnership and agency from the registry. Anything else
    is UNAUTHENTICATED naming the claim (never its value): a claim of the wrong JSON
    type is never coerced into a string."""
    if not is_subject(claims.get("sub")):
        raise Unauthenticated(f"invalid token: claim sub must be 1-{MAX_SUBJECT} printable characters")
    for name in ("exp", "iat", "nbf"):
        if (name in claims or name == "exp") and not _is_time(claims.get(name)):
            raise Unauthenticated(f"invalid token: claim {name} must be a number of seconds since 1970")
    role_claim = claims.get("role")
    if not isinstance(role_claim, str) or role_claim not in {r.value for r in Role}:
        raise Unauthenticated("invalid token: unknown role")
    role = Role(role_claim)
    partnership = claims.get("partnership", "")
    if role is Role.SERVICE and partnership in ("", None):
        partnership = ""
    elif not isinstance(partnership, str) or not partnership:
        raise Unauthenticated("invalid token: no partnership claim" if partnership in ("", None)
                              else f"invalid token: claim partnership must be {ID_RULE}")
    elif not is_id(partnership):
        raise Unauthenticated(f"invalid token: claim partnership must be {ID_RULE}")
    elif not registry.knows_partnership(partnership):
        raise Unauthenticated("invalid token: unknown partnership")
    agency = claims.get("agency", "")
    if agency in ("", None):
        if role is Role.AGENCY:
            raise Unauthenticated("invalid token: agency role without agency claim")
        agency = ""
    elif not isinstance(agency, str) or not is_id(agency):
        raise Unauthenticated(f"invalid token: claim agency must be {ID_RULE}")
    elif not partnership or not registry.knows_agency(partnership, agency):
        raise Unauthenticated("invalid token: unknown agency for this partnership")
    subject = claims["sub"]
    assert isinstance(subject, str)
    expires = claims["exp"]
    assert isinstance(expires, (int, float))
    return Principal(subject=subject, role=role, partnership=partnership, agency=agency), float(expires)


class TokenVerifier:
    """Verifies bearer tokens against one or more PEM public keys.

    A partner system sends the same token with every call until it expires, and an
    ES256 signature check costs more CPU than most RPCs' own work; so the principal
    of each token that passed every check is remembered (at most `cache_size`
    tokens, least recently used first out) until the token's expiry. Only the
    expiry changes with time (a token that passed its not-before and issued-at
    checks keeps passing them), so a remembered token is checked against it on
    every use, with the same leeway."""

    def __init__(self, public_keys: list[ec.EllipticCurvePublicKey], issuer: str, audience: str, leeway: float = 30.0, *,
                 cache_size: int = 4096, clock: Callable[[], float] = time.time,
                 registry: PartnershipRegistry | None = None) -> None:
        self.public_keys = public_keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.cache_size = cache_size
        self.registry = registry or PartnershipRegistry()
        self._clock = clock
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    @classmethod
    def from_file(cls, path: Path, issuer: str, audience: str, registry: PartnershipRegistry | None = None) -> TokenVerifier:
        """Loads every PEM public key in `path` (keys are concatenated for rotation)."""
        text = path.read_text(encoding="utf-8")
        keys = []
        for block in text.split("-----END PUBLIC KEY-----"):
            if "-----BEGIN PUBLIC KEY-----" in block:
                pem = (block.strip() + "\n-----END PUBLIC KEY-----\n").encode()
                keys.append(serialization.load_pem_public_key(pem))
        if not keys:
            raise ValueError(f"no public key in {path}")
        return cls(keys, issuer, audience, registry=registry)

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; UNAUTHENTICATED otherwise (with the reason
        class or the claim at fault, never the token or a claim's value)."""
        known = self._verified.get(token)
        if known is not None:
            principal, expires = known
            if expires > self._clock() - self.leeway:  # PyJWT's rule: expired once exp <= now - leeway
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
            raise Unauthenticated("invalid token: ExpiredSignatureError")
        principal, expires = self._verify_signed(token)
        if self.cache_size > 0:
            self._verified[token] = (principal, expires)
            if len(self._verified) > self.cache_size:
                self._verified.popitem(last=False)
        return principal

    def _verify_signed(self, token: str) -> tuple[Principal, float]:
        last: Exception | None = None
        for key in self.public_keys:
            try:
                claims = jwt.decode(
                    token,
                    key=key,
                    algorithms=["ES256"],
                    audience=self.audience,
                    issuer=self.issuer,
                    leeway=self.leeway,
                    options={"require": ["exp", "iss", "aud", "sub"]},
                )
                break
            except jwt.InvalidSignatureError as exc:
                last = exc
                continue
            except jwt.exceptions.InvalidSubjectError:
                raise Unauthenticated(f"invalid token: claim sub must be 1-{MAX_SUBJECT} printable characters") from None
            except jwt.MissingRequiredClaimError as exc:
                raise Unauthenticated(f"invalid token: claim {exc.claim} is required") from None
            except jwt.PyJWTError as exc:
                raise Unauthenticated(f"invalid token: {type(exc).__name__}") from None
            except (ValueError, TypeError, OverflowError, RecursionError):
                # The library checks what it knows; a claim it did not expect must still end here.
                raise Unauthenticated("invalid token: malformed claims") from None
        else:
            raise Unauthenticated(f"invalid token: {type(last).__name__ if last else 'no key'}")
        if not isinstance(claims, dict):
            raise Unauthenticated("invalid token: malformed claims")
        return principal_from_claims(claims, self.registry)


def new_signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def private_key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def public_key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def issue_token(
    private_key_pem_bytes: bytes,
    *,
    subject: str,
    role: Role,
    partnership: str,
    agency: str = "",
    issuer: str = "rapidreview",
    audience: str = "rapidreview",
    ttl: dt.timedelta = dt.timedelta(hours=12),
    now: dt.datetime | None = None,
) -> str:
    """Signs a token (used by the embedded stack's `rapidreview token` and by tests)."""
    now = now or dt.datetime.now(dt.UTC)
    claims = {
        "sub": subject,
        "role": role.value,
        "partnership": partnership,
        "iss": issuer,
        "aud": audience,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    if agency:
        claims["agency"] = agency
    key = serialization.load_pem_private_key(private_key_pem_bytes, password=None)
    return jwt.encode(claims, key, algorithm="ES256")
