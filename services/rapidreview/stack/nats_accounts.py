"""Per-service NATS users for the embedded stack, from the same accounts file
the deployments use (`deploy/nats/accounts.conf`): each service may publish
only the subjects it owns. Passwords are generated once into the data folder
and handed to nats-server through its environment (the file reads
`$NATS_<USER>_PASSWORD`)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

USERS = ("intake", "gathering", "criteria", "decisions", "workspace", "admin", "sys")


def accounts_file() -> Path | None:
    """RR_NATS_ACCOUNTS_FILE, else the repository's deploy/nats/accounts.conf (None if absent)."""
    env = os.environ.get("RR_NATS_ACCOUNTS_FILE")
    if env:
        return Path(env)
    candidate = Path(__file__).resolve().parents[3] / "deploy" / "nats" / "accounts.conf"
    return candidate if candidate.exists() else None


@dataclass(frozen=True)
class NatsUsers:
    """The generated passwords of the embedded stack's NATS users."""

    passwords: dict[str, str]

    @classmethod
    def ensure(cls, folder: Path) -> NatsUsers:
        path = folder / "nats-passwords.json"
        passwords = json.loads(path.read_text()) if path.exists() else {}
        missing = [user for user in USERS if user not in passwords]
        if missing:  # a new data folder, or one made before a user was added (the workspace)
            # nats-server parses environment values as configuration: a value starting with a
            # digit or a dash is read as a number, so every password starts with letters.
            passwords.update({user: "rr" + secrets.token_hex(24) for user in missing})
            path.write_text(json.dumps(passwords, indent=2))
            os.chmod(path, 0o600)
        return cls(passwords)

    def server_env(self) -> dict[str, str]:
        """Environment for nats-server: the variables the accounts file reads."""
        return {f"NATS_{user.upper()}_PASSWORD": password for user, password in self.passwords.items()}

    def service_env(self, service: str) -> dict[str, str]:
        return {"RR_NATS_USER": service, "RR_NATS_PASSWORD": self.passwords[service]}


def include_directive(path: Path, config_dir: Path) -> str:
    """An include line for nats.conf in `config_dir`. nats-server resolves includes
    relative to the including file, so the accounts file is copied beside it."""
    import shutil

    config_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, config_dir / "accounts.conf")
    return 'include "accounts.conf"'

