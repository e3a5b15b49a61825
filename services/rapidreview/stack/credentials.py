"""Local development credentials for the embedded stack: a token signing key
pair, the workspace's own signing key (the services trust its public key too)
and session key, an encryption key ring, the audit checkpoint signing key and the
embedded PostgreSQL's superuser password, created once in the data folder
(readable by its owner only). Production supplies its own keys through
RR_JWT_PUBLIC_KEYS_FILE, RR_WORKSPACE_SIGNING_KEY_FILE, RR_WORKSPACE_SESSION_KEY_FILE,
RR_ENCRYPTION_KEYS_FILE and RR_AUDIT_SIGNING_KEY_FILE, and its database credentials in
RR_DATABASE_URL."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from rapidreview.kernel.auth import Role, issue_token, new_signing_key, private_key_pem, public_key_pem
from rapidreview.kernel.crypto import KeyRing


@dataclass(frozen=True)
class DevCredentials:
    """Paths of the local keys; `token()` signs a development token."""

    folder: Path

    @property
    def jwt_private_key(self) -> Path:
        return self.folder / "jwt-signing-key.pem"

    @property
    def jwt_public_keys(self) -> Path:
        return self.folder / "jwt-public-keys.pem"

    @property
    def workspace_signing_key(self) -> Path:
        """The key the workspace signs people's tokens with (never the development key)."""
        return self.folder / "workspace-signing-key.pem"

    @property
    def workspace_session_key(self) -> Path:
        return self.folder / "workspace-session-key"

    @property
    def encryption_keys(self) -> Path:
        return self.folder / "encryption-keys.json"

    @property
    def audit_signing_key(self) -> Path:
        """Signs the audit checkpoints (decisions only); never in the database."""
        return self.folder / "audit-signing-key.pem"

    @property
    def audit_public_keys(self) -> Path:
        return self.folder / "audit-public-keys.pem"

    @property
    def postgres_password_file(self) -> Path:
        return self.folder / "postgres-password"

    @property
    def postgres_password(self) -> str:
        """The embedded PostgreSQL's superuser password."""
        return self.postgres_password_file.read_text(encoding="utf-8").strip()

    @classmethod
    def ensure(cls, folder: Path) -> DevCredentials:
        """Creates the keys in `folder` unless they already exist."""
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        creds = cls(folder)
        if not creds.jwt_private_key.exists():
            key = new_signing_key()
            creds.jwt_private_key.write_bytes(private_key_pem(key))
            os.chmod(creds.jwt_private_key, 0o600)
            creds.jwt_public_keys.write_bytes(public_key_pem(key))
        if not creds.workspace_signing_key.exists():
            key = new_signing_key()
            creds.workspace_signing_key.write_bytes(private_key_pem(key))
            os.chmod(creds.workspace_signing_key, 0o600)
            # The services verify tokens against every key in the file: the workspace's joins the development key.
            with creds.jwt_public_keys.open("ab") as keys:
                keys.write(public_key_pem(key))
        if not creds.workspace_session_key.exists():
            creds.workspace_session_key.write_text(secrets.token_urlsafe(48))
            os.chmod(creds.workspace_session_key, 0o600)
        if not creds.encryption_keys.exists():
            KeyRing.generate().save(creds.encryption_keys)
        if not creds.audit_signing_key.exists():
            key = new_signing_key()
            creds.audit_signing_key.write_bytes(private_key_pem(key))
            os.chmod(creds.audit_signing_key, 0o600)
            creds.audit_public_keys.write_bytes(public_key_pem(key))
        if not creds.postgres_password_file.exists():
            # Created unreadable by others before the secret is written into it.
            fd = os.open(creds.postgres_password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(secrets.token_hex(24) + "\n")
        return creds

    def token(self, role: Role, partnership: str = "leeds", agency: str = "", subject: str | None = None,
              ttl: dt.timedelta = dt.timedelta(hours=12)) -> str:
        return issue_token(
            self.jwt_private_key.read_bytes(),
            subject=subject or f"dev-{role.value}{'-' + agency if agency else ''}",
            role=role,
            partnership=partnership,
            agency=agency,
            ttl=ttl,
        )

    def service_env(self) -> dict[str, str]:
        """The environment variables that point a service at these keys."""
        return {
            "RR_JWT_PUBLIC_KEYS_FILE": str(self.jwt_public_keys),
            "RR_ENCRYPTION_KEYS_FILE": str(self.encryption_keys),
        }

    def checkpoint_env(self) -> dict[str, str]:
        """What decisions needs to sign audit checkpoints (given to decisions only)."""
        return {"RR_AUDIT_SIGNING_KEY_FILE": str(self.audit_signing_key)}
