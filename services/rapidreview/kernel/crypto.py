"""Encryption of free text and identifying fields at rest (AES-256-GCM).

A key ring holds several keys by id and names the current one. Ciphertexts are
`v1:<key id>:<base64(nonce || ciphertext+tag)>`, so old rows stay readable
after rotation and `reencrypt` moves them to the current key. Associated data
binds a ciphertext to its row and field: a value copied into another row fails
to decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1"


class DecryptionError(ValueError):
    """The ciphertext is damaged, bound to another row/field, or its key is missing."""


@dataclass
class KeyRing:
    """Encryption keys by id; `current` encrypts, every key decrypts."""

    keys: dict[str, bytes]
    current: str
    #: HMAC key for blind indexes (equality look-ups on encrypted values); never rotated.
    index_key: bytes = b""

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ValueError("current key id is not in the key ring")
        for key_id, key in self.keys.items():
            if len(key) != 32 or ":" in key_id:
                raise ValueError(f"key {key_id!r} must be 32 bytes and its id must not contain ':'")

    @classmethod
    def generate(cls, key_id: str = "k1") -> KeyRing:
        return cls({key_id: AESGCM.generate_key(bit_length=256)}, key_id, secrets.token_bytes(32))

    @classmethod
    def from_file(cls, path: Path) -> KeyRing:
        """Reads {"current": id, "keys": {id: base64 key}} from `path`."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            {k: base64.b64decode(v) for k, v in data["keys"].items()},
            data["current"],
            base64.b64decode(data.get("index_key", "")),
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "current": self.current,
                "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()},
                "index_key": base64.b64encode(self.index_key).decode(),
            },
            indent=2,
        )

    def save(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")
        os.chmod(path, 0o600)

    def rotated(self, new_key_id: str | None = None) -> KeyRing:
        """A new ring with a fresh current key; old keys kept for decryption."""
        key_id = new_key_id or f"k{len(self.keys) + 1}-{secrets.token_hex(2)}"
        keys = dict(self.keys)
        keys[key_id] = AESGCM.generate_key(bit_length=256)
        return KeyRing(keys, key_id, self.index_key)

    def encrypt(self, plaintext: str, associated: str) -> str:
        """Encrypts `plaintext` bound to `associated` (e.g. "incident:<id>:harm_description")."""
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plaintext.encode("utf-8"), associated.encode("utf-8"))
        return f"{PREFIX}:{self.current}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, token: str, associated: str) -> str:
        try:
            prefix, key_id, blob = token.split(":", 2)
        except ValueError:
            raise DecryptionError("not a ciphertext") from None
        if prefix != PREFIX or key_id not in self.keys:
            raise DecryptionError("unknown ciphertext version or key")
        raw = base64.b64decode(blob)
        try:
            return AESGCM(self.keys[key_id]).decrypt(raw[:12], raw[12:], associated.encode("utf-8")).decode("utf-8")
        except InvalidTag:
            raise DecryptionError("ciphertext does not verify") from None

    def key_id_of(self, token: str) -> str:
        return token.split(":", 2)[1]

    def reencrypt(self, token: str, associated: str) -> str:
        """The same plaintext under the current key (unchanged if already current)."""
        if self.key_id_of(token) == self.current:
            return token
        return self.encrypt(self.decrypt(token, associated), associated)


class FieldCipher:
    """Encrypts/decrypts optional text fields; empty stays empty (nothing to hide)."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring

    def seal(self, text: str, associated: str) -> str:
        return self.ring.encrypt(text, associated) if text else ""

    def open(self, token: str, associated: str) -> str:
        return self.ring.decrypt(token, associated) if token else ""

    def blind_index(self, value: str, purpose: str) -> str:
        """A keyed hash of `value` for equality look-ups without storing it in clear."""
        if not self.ring.index_key:
            raise ValueError("the key ring has no index_key")
        return hmac.new(self.ring.index_key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
