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


class NationalThemesWatcher:
    """Records the national themes list in force and loads a new version of it
    without a restart.

    The list's entries join every evaluation's facts (criteria/domain/national_themes.py).
    Each version this database uses is recorded with its digest: a file changed
    under a version already recorded is refused (the recorded content stays in
    force, as rule editions must bump their version), and when a new version
    replaces an earlier one every open case is re-evaluated (trigger NEW_THEMES)
    in the transaction that records it, so only one replica does it.
    """

    def __init__(self, infra, evaluator, path, vocabulary, interval: float = RELOAD_INTERVAL) -> None:  # type: ignore[no-untyped-def]
        self.infra = infra
        self.evaluator = evaluator
        self.path = path
        self.vocabulary = vocabulary
        self.interval = interval
        self._seen: tuple[int, int] | None = None
        self._recorded: str | None = None

    def _stat(self) -> tuple[int, int]:
        stat = self.path.stat()
        return stat.st_size, stat.st_mtime_ns

    async def check_once(self) -> list[str]:
        """Loads the file when it changed and records the list in force; returns
        the ids of the cases re-evaluated because a new version replaced another."""
        from rapidreview.criteria.domain import national_themes as N

        current = await asyncio.to_thread(self._stat)
        if self._seen is not None and current != self._seen and self._recorded is not None:
            try:
                loaded = await asyncio.to_thread(N.load, self.path, self.vocabulary)
            except N.NationalThemesError as exc:
                log.warning("national themes list changed but was not loaded", cause=str(exc))
                self._seen = current
                return []
            if loaded.version == self.evaluator.national_themes.version and loaded.sha256 != self._recorded:
                log.warning("national themes list changed without a new version: not loaded", version=loaded.version)
                self._seen = current
                return []
            self.evaluator.national_themes = loaded
        self._seen = current
        themes = self.evaluator.national_themes
        if themes is None or themes.sha256 == self._recorded:
            return []
        from rapidreview.criteria.storage import CriteriaRepository

        async with self.infra.db.transaction() as session:
            repo = CriteriaRepository(session, self.infra.cipher)
            replaced, stored = await repo.record_national_list(themes.version, themes.as_of, themes.sha256, N.canonical_json(themes))
            if stored != themes.sha256:
                # This version was recorded with other content: keep what evaluations were compared with.
                log.warning("national themes list differs from the recorded one under the same version; "
                            "the recorded list stays in force until the version is changed", version=themes.version)
                content = await repo.national_list_content(themes.version)
                self.evaluator.national_themes = N.from_canonical_json(content or "")
                self._recorded = stored
                return []
            self._recorded = stored
            done = []
            if replaced:
                done = await self.evaluator.reevaluate_open_cases(repo, None, correlation_id=f"national-themes-{themes.version}")
        if done:
            self.infra.outbox.wake()
        log.info("national themes list in force", version=themes.version, sources=len(themes.sources), reevaluated=len(done))
        return done

    async def run(self) -> None:
        """Runs until cancelled."""
        while True:
            try:
                await self.check_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the database or file system is having a bad moment: try again
                log.warning("national themes watcher failed", exc_type=type(exc).__name__)
            await asyncio.sleep(self.interval)
