"""Signed audit checkpoints: made from the decisions database, signed (ES256, JWS compact)
with a key only the signer holds (`RR_AUDIT_SIGNING_KEY_FILE`, never in the database),
published to JetStream (RR_AUDIT_CHECKPOINTS), exported by operators, and checked against the
database by `rapidreview audit verify`. domain/anchoring.py says what they prove.

A checkpoint in the stream is its heads, in parts on `rr.audit.heads.<id>.<n>`, then the
signed document on `rr.audit.checkpoint` (published last, so a reader never finds a document
without its parts). The document names each part's SHA-256 and the Merkle root of all heads;
the signature covers both, so heads read back are authenticated by recomputing the root.

The signer never signs a state that contradicts the latest checkpoint (a case deleted or
rewritten since): it logs an error, counts it in `rapidreview_audit_anchor_contradictions`, and
the latest checkpoint stays the one that shows the damage. An operator who knowingly restores
an older backup signs past it with `rapidreview audit checkpoint --acknowledge REASON`; the
reason and the cases concerned are then part of the signed document.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from nats.js.errors import NotFoundError
from prometheus_client import Counter, Gauge

from rapidreview.decisions.checkpoint_stream import CHECKPOINT_STREAM, CHECKPOINT_SUBJECT, HEADS_PREFIX
from rapidreview.decisions.domain.anchoring import AnchorFinding, Head, contradictions, merkle_root, parts
from rapidreview.decisions.domain.audit import canonical_json
from rapidreview.kernel.logging import get_logger

log = get_logger(__name__)

FORMAT = 1
DOCUMENT_TYPE = "rapidreview.audit.checkpoint"
EXPORT_FORMAT = "rapidreview-audit-checkpoint/1"
#: A checkpoint is made at least this often even when nothing changed, so the latest one's
#: heads never approach the stream's age limit (400 days).
KEEPALIVE = dt.timedelta(days=7)

CHECKPOINTS_MADE = Counter("rapidreview_audit_checkpoints_total", "Signed audit checkpoints published")
CONTRADICTIONS = Gauge("rapidreview_audit_anchor_contradictions",
                       "Cases the database contradicts at the latest checkpoint (deleted or rewritten); 0 when sound")


class CheckpointError(Exception):
    """A checkpoint that cannot be trusted: bad signature, unknown key, parts that do not
    add up to the signed root, or an unknown format."""


# -- keys -------------------------------------------------------------------------------------
def key_id(public_key: ec.EllipticCurvePublicKey) -> str:
    """The first 16 hex digits of the SHA-256 of the key's SubjectPublicKeyInfo."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:16]


def load_signing_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError(f"{path}: expected an EC P-256 private key (ES256)")
    return key


def load_public_keys(path: Path) -> dict[str, ec.EllipticCurvePublicKey]:
    """Every PEM public key in `path` (concatenated for rotation), by key id."""
    keys = {}
    for block in path.read_text(encoding="utf-8").split("-----END PUBLIC KEY-----"):
        if "-----BEGIN PUBLIC KEY-----" in block:
            key = serialization.load_pem_public_key((block.strip() + "\n-----END PUBLIC KEY-----\n").encode())
            if isinstance(key, ec.EllipticCurvePublicKey):
                keys[key_id(key)] = key
    if not keys:
        raise ValueError(f"{path}: no EC public key")
    return keys


# -- the document -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint whose signature and heads have been verified."""

    checkpoint_id: str
    created_at: dt.datetime
    root: str
    heads: tuple[Head, ...]
    key_id: str
    previous: dict[str, str] | None = None
    acknowledged: dict[str, Any] | None = None


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint as published and exported: the JWS and the texts of its parts."""

    document: str
    parts: tuple[str, ...]

    def to_export(self) -> dict[str, Any]:
        return {"format": EXPORT_FORMAT, "checkpoint": self.document, "parts": list(self.parts)}

    @classmethod
    def from_export(cls, data: dict[str, Any]) -> SignedCheckpoint:
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise CheckpointError(f"not an exported checkpoint (format {EXPORT_FORMAT})")
        return cls(str(data["checkpoint"]), tuple(str(p) for p in data.get("parts", [])))


def part_text(checkpoint_id: str, index: int, heads: Sequence[Head]) -> str:
    return canonical_json({"checkpoint_id": checkpoint_id, "part": index,
                           "heads": [[h.case_id, h.sequence, h.hash] for h in heads]})


def sign(heads: Sequence[Head], key: ec.EllipticCurvePrivateKey, *, now: dt.datetime,
         previous: Checkpoint | None = None, acknowledged: dict[str, Any] | None = None) -> SignedCheckpoint:
    """A new checkpoint over `heads`, signed with `key`."""
    checkpoint_id = str(uuid.uuid4())
    texts = tuple(part_text(checkpoint_id, i, chunk) for i, chunk in enumerate(parts(heads)))
    document = {
        "v": FORMAT,
        "type": DOCUMENT_TYPE,
        "checkpoint_id": checkpoint_id,
        "created_at": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "cases": len(heads),
        "root": merkle_root(heads),
        "parts": [hashlib.sha256(t.encode()).hexdigest() for t in texts],
        "previous": {"checkpoint_id": previous.checkpoint_id, "root": previous.root} if previous else None,
        "acknowledged": acknowledged,
    }
    token = jwt.api_jws.PyJWS().encode(canonical_json(document).encode(), key, algorithm="ES256",
                                       headers={"kid": key_id(key.public_key()), "typ": "rr-audit-checkpoint"})
    return SignedCheckpoint(token, texts)


def open_checkpoint(signed: SignedCheckpoint, public_keys: dict[str, ec.EllipticCurvePublicKey]) -> Checkpoint:
    """Verifies the signature with the key the document names, every part against the
    document, and the heads against the signed root. Raises CheckpointError."""
    try:
        header = jwt.get_unverified_header(signed.document)
    except jwt.PyJWTError as exc:
        raise CheckpointError(f"not a signed checkpoint: {exc}") from None
    kid = str(header.get("kid", ""))
    if header.get("alg") != "ES256" or kid not in public_keys:
        raise CheckpointError(f"signed with an unknown key ({kid or 'no key id'}) or algorithm; is the public key configured?")
    try:
        payload = jwt.api_jws.PyJWS().decode(signed.document, public_keys[kid], algorithms=["ES256"])
    except jwt.PyJWTError as exc:
        raise CheckpointError(f"the signature does not verify: {exc}") from None
    document = json.loads(payload)
    if document.get("v") != FORMAT or document.get("type") != DOCUMENT_TYPE:
        raise CheckpointError("unknown checkpoint format")
    if len(signed.parts) != len(document["parts"]):
        raise CheckpointError(f"{len(signed.parts)} part(s) of heads, the document names {len(document['parts'])}")
    heads: list[Head] = []
    for index, (text, digest) in enumerate(zip(signed.parts, document["parts"], strict=True)):
        if hashlib.sha256(text.encode()).hexdigest() != digest:
            raise CheckpointError(f"part {index} of the heads is not the one signed")
        part = json.loads(text)
        heads.extend(Head(str(c), int(s), str(h)) for c, s, h in part["heads"])
    if merkle_root(heads) != document["root"] or len(heads) != document["cases"]:
        raise CheckpointError("the heads do not add up to the signed root")
    created = dt.datetime.strptime(document["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    return Checkpoint(document["checkpoint_id"], created, document["root"], tuple(sorted(heads)), kid,
                      document.get("previous"), document.get("acknowledged"))


# -- the stream -------------------------------------------------------------------------------
class CheckpointStore:
    """Checkpoints in RR_AUDIT_CHECKPOINTS through a JetStream context."""

    def __init__(self, js) -> None:  # type: ignore[no-untyped-def]
        self.js = js

    async def publish(self, signed: SignedCheckpoint) -> None:
        checkpoint_id = json.loads(signed.parts[0])["checkpoint_id"]
        for index, text in enumerate(signed.parts):
            await self.js.publish(f"{HEADS_PREFIX}.{checkpoint_id}.{index}", text.encode(), stream=CHECKPOINT_STREAM,
                                  headers={"Nats-Msg-Id": f"heads:{checkpoint_id}:{index}"})
        await self.js.publish(CHECKPOINT_SUBJECT, signed.document.encode(), stream=CHECKPOINT_STREAM,
                              headers={"Nats-Msg-Id": f"checkpoint:{checkpoint_id}"})

    async def latest(self) -> SignedCheckpoint | None:
        """The latest checkpoint as published, None when there is none yet."""
        try:
            msg = await self.js.get_last_msg(CHECKPOINT_STREAM, CHECKPOINT_SUBJECT)
        except NotFoundError:
            return None
        return await self._with_parts(msg.data.decode())

    async def all(self) -> list[SignedCheckpoint]:
        """Every checkpoint still in the stream, oldest first."""
        found, seq = [], 1
        while True:
            try:
                msg = await self.js.get_msg(CHECKPOINT_STREAM, seq=seq, subject=CHECKPOINT_SUBJECT, next=True)
            except NotFoundError:
                return found
            found.append(await self._with_parts(msg.data.decode()))
            seq = msg.seq + 1

    async def _with_parts(self, document: str) -> SignedCheckpoint:
        try:
            claims = json.loads(jwt.api_jws.PyJWS().decode_complete(document, options={"verify_signature": False})["payload"])
            checkpoint_id, count = claims["checkpoint_id"], len(claims["parts"])
        except (jwt.PyJWTError, ValueError, KeyError, TypeError):
            raise CheckpointError("the latest checkpoint in the stream cannot be read") from None
        texts = []
        for index in range(count):
            try:
                msg = await self.js.get_last_msg(CHECKPOINT_STREAM, f"{HEADS_PREFIX}.{checkpoint_id}.{index}")
            except NotFoundError:
                raise CheckpointError(f"part {index} of checkpoint {checkpoint_id} is missing from the stream") from None
            texts.append(msg.data.decode())
        return SignedCheckpoint(document, tuple(texts))


# -- making one -------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What a checkpoint attempt did: `published` (a new checkpoint), `unchanged` (the latest
    still covers every head) or `refused` (the database contradicts the latest)."""

    result: str
    checkpoint: Checkpoint | None = None
    findings: list[AnchorFinding] = field(default_factory=list)


async def anchor_findings(repo, checkpoint: Checkpoint) -> list[AnchorFinding]:  # type: ignore[no-untyped-def]
    """The cases the database contradicts at `checkpoint` (read through a DecisionRepository)."""
    ids = [h.case_id for h in checkpoint.heads]
    present = await repo.existing_cases(ids)
    stored = await repo.entry_hashes([(h.case_id, h.sequence) for h in checkpoint.heads])
    return contradictions(checkpoint.heads, present, stored)


async def make_checkpoint(db, store: CheckpointStore, key: ec.EllipticCurvePrivateKey,  # type: ignore[no-untyped-def]
                          public_keys: dict[str, ec.EllipticCurvePublicKey], *, now: dt.datetime,
                          acknowledge: str = "", keepalive: dt.timedelta = KEEPALIVE) -> Outcome:
    """Signs and publishes a checkpoint of the database's chain heads when they changed since
    the latest (or the latest is older than `keepalive`), unless the database contradicts the
    latest; `acknowledge` (a reason) signs past such contradictions, naming them."""
    from rapidreview.decisions.storage import DecisionRepository

    latest_signed = await store.latest()
    keys = {key_id(key.public_key()): key.public_key(), **public_keys}
    latest = open_checkpoint(latest_signed, keys) if latest_signed is not None else None
    async with db.transaction() as session:
        repo = DecisionRepository(session, cipher=None)  # type: ignore[arg-type] - reads clear columns only
        heads = [Head(case_id, int(sequence), str(head)) for case_id, sequence, head in await repo.case_ids(None) if sequence]
        findings = await anchor_findings(repo, latest) if latest is not None else []
    CONTRADICTIONS.set(len(findings))
    acknowledged = None
    if findings:
        if not acknowledge:
            log.error("audit trail contradicts the latest checkpoint; not signing over it", checkpoint=latest.checkpoint_id,
                      cases=len(findings))
            return Outcome("refused", latest, findings)
        acknowledged = {"reason": acknowledge, "cases": sorted({f.case_id for f in findings})}
    if latest is not None and not findings and latest.root == merkle_root(heads) and now - latest.created_at < keepalive:
        return Outcome("unchanged", latest)
    signed = sign(heads, key, now=now, previous=latest, acknowledged=acknowledged)
    await store.publish(signed)
    CHECKPOINTS_MADE.inc()
    CONTRADICTIONS.set(0)
    made = open_checkpoint(signed, keys)
    log.info("audit checkpoint published", checkpoint=made.checkpoint_id, cases=len(heads), acknowledged=bool(acknowledged))
    return Outcome("published", made, findings)


class CheckpointWatcher:
    """Makes a checkpoint every `interval` seconds when the heads changed (decisions runs it
    when RR_AUDIT_SIGNING_KEY_FILE is set)."""

    def __init__(self, infra, key: ec.EllipticCurvePrivateKey, public_keys: dict[str, ec.EllipticCurvePublicKey],  # type: ignore[no-untyped-def]
                 interval: float) -> None:
        self.infra = infra
        self.key = key
        self.public_keys = public_keys
        self.interval = interval

    async def check_once(self) -> Outcome:
        await self.infra.bus.wait_connected()
        return await make_checkpoint(self.infra.db, CheckpointStore(self.infra.bus.js), self.key, self.public_keys,
                                     now=dt.datetime.now(dt.UTC))

    async def run(self) -> None:
        while True:
            try:
                await self.check_once()
            except asyncio.CancelledError:
                raise
            except CheckpointError as exc:  # a latest checkpoint it cannot trust: an operator must look
                log.error("audit checkpoint refused: the latest checkpoint cannot be verified", cause=str(exc)[:200])
            except Exception as exc:  # noqa: BLE001 - NATS or the database away: next round
                log.warning("audit checkpoint failed", exc_type=type(exc).__name__, cause=str(exc)[:200])
            await asyncio.sleep(self.interval)
