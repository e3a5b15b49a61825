"""The rule-book watcher: loads new edition versions from the rules folder
into the running service, without a restart.

Each version is registered under its own ruleset name (durable-rules rulesets
can never be changed), so cases stay on the version they are pinned to and a
new version is used by new cases and explicit re-evaluations. A malformed rule
file changes nothing and is logged.
"""

from __future__ import annotations

import asyncio
import hashlib

from rapidreview.kernel.logging import get_logger
from rapidreview.rules import RuleFileError, Rulebook

log = get_logger(__name__)

RELOAD_INTERVAL = 30.0


class RulebookWatcher:
    def __init__(self, rulebook: Rulebook, interval: float = RELOAD_INTERVAL) -> None:
        self.rulebook = rulebook
        self.interval = interval
        self._seen: str | None = None

    def fingerprint(self) -> str:
        """A digest of the rule files' names, sizes and modification times."""
        digest = hashlib.sha256()
        root = self.rulebook.root
        for path in sorted(root.rglob("*.yaml")):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
        return digest.hexdigest()

    async def check_once(self) -> bool:
        """Reloads when the files changed since the last look; True when new editions were loaded."""
        current = await asyncio.to_thread(self.fingerprint)
        if self._seen is None or current == self._seen:
            self._seen = current
            return False
        self._seen = current
        before = set(self.rulebook.editions)
        try:
            await asyncio.to_thread(self.rulebook.reload)
        except (RuleFileError, FileNotFoundError) as exc:
            log.warning("rule files changed but were not loaded", cause=str(exc))
            return False
        added = [info.describe() for info in self.rulebook.editions if info not in before]
        log.info("rule editions reloaded", added=added)
        return bool(added)

    async def run(self) -> None:
        """Runs until cancelled."""
        while True:
            try:
                await self.check_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a bad moment on the file system: try again later
                log.warning("rule-book watcher failed", exc_type=type(exc).__name__)
            await asyncio.sleep(self.interval)
