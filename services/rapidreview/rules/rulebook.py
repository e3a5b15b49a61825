"""The public face of the rules: load editions, pick the edition of a case,
read rule parameters, evaluate."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from pathlib import Path

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.rules.engine import RulesEngine, default_engine
from rapidreview.rules.evaluation import Evaluation, evaluate_edition, facts_read, prepare
from rapidreview.rules.loader import RuleFileError, find_edition_dirs, load_authorities, load_edition
from rapidreview.rules.model import EVALUATED_STAGES, Edition, EditionInfo, Rule
from rapidreview.rules.themes import ThemeVocabulary
from rapidreview.rules.validation import InvalidFacts
from rapidreview.v1 import facts_pb2

RULES_DIR_ENV = "RR_RULES_DIR"

EditionRef = EditionInfo | str | None


class EditionNotFound(LookupError):
    """No loaded edition matches; the message names the editions available."""


class RuleNotFound(LookupError):
    """The edition has no rule with that ID."""


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"[.\-]", version))


def default_rules_dir() -> Path:
    """$RR_RULES_DIR when set, else the repository's rules/ folder next to services/."""
    env = os.environ.get(RULES_DIR_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "rules"


class Rulebook:
    """Every loaded edition version, registered with the rules engine.

    Thread-safe; `reload` swaps in new or changed versions without a restart
    while evaluations in flight finish on the version they started with.
    """

    def __init__(self, root: Path, editions: list[Edition], engine: RulesEngine) -> None:
        self.root = root
        self.engine = engine
        self._lock = threading.Lock()
        self._editions: dict[tuple[str, str], Edition] = {}
        # Every edition version by name then version, sorted once per (re)load: every RPC and
        # event looks editions up, and sorting them each time showed in the services' profiles.
        self._sorted: tuple[EditionInfo, ...] = ()
        self._install(editions)

    # -- loading ------------------------------------------------------------

    @classmethod
    def load(cls, root: Path | str, engine: RulesEngine | None = None) -> Rulebook:
        """Loads every edition version under `root` (see docs/rules.md).

        Raises RuleFileError naming the file at the first malformed rule and
        FileNotFoundError when `root` holds no edition.
        """
        root = Path(root)
        return cls(root, cls._read(root), engine or default_engine())

    @classmethod
    def load_default(cls, engine: RulesEngine | None = None) -> Rulebook:
        """Loads the rules from $RR_RULES_DIR, else the repository's rules/."""
        return cls.load(default_rules_dir(), engine)

    @staticmethod
    def _read(root: Path) -> list[Edition]:
        dirs = find_edition_dirs(root) if root.is_dir() else []
        if not dirs:
            raise FileNotFoundError(
                f"no rule editions (edition.yaml) under {root}; set {RULES_DIR_ENV} to the rules folder"
            )
        authorities = load_authorities(root)
        editions = [load_edition(d, authorities) for d in dirs]
        seen: dict[tuple[str, str], Path] = {}
        for ed in editions:
            key = (ed.info.name, ed.info.version)
            if key in seen:
                raise RuleFileError(ed.path / "edition.yaml", f"{key[0]} {key[1]} is also defined in {seen[key]}")
            seen[key] = ed.path
        return editions

    def _install(self, editions: list[Edition]) -> None:
        for ed in editions:
            self.engine.register(ed.ruleset, ed.conditions)
        self._set_editions(editions)

    def _set_editions(self, editions: list[Edition]) -> None:
        by_key = {(ed.info.name, ed.info.version): ed for ed in editions}
        ordered = tuple(sorted((ed.info for ed in by_key.values()), key=lambda i: (i.name, _version_key(i.version))))
        with self._lock:
            self._editions, self._sorted = by_key, ordered

    def reload(self) -> Rulebook:
        """Re-reads the rules folder: new versions become available at once
        (each registered under its own ruleset name). On a malformed file
        nothing changes and RuleFileError is raised. Returns self."""
        self._install(self._read(self.root))
        return self

    # -- editions -----------------------------------------------------------

    @property
    def editions(self) -> list[EditionInfo]:
        """Every loaded edition version, by name then version."""
        return list(self._sorted)

    def _available(self) -> str:
        return ", ".join(info.describe() for info in self.editions)

    def edition_for(self, day: dt.date | str) -> EditionInfo:
        """The edition in force for a case the LA became aware of on `day`
        (the latest version of it). Raises EditionNotFound."""
        if isinstance(day, str):
            try:
                day = dt.date.fromisoformat(day)
            except ValueError:
                raise EditionNotFound(f"{day!r} is not a date YYYY-MM-DD; available: {self._available()}") from None
        matches = [info for info in self._sorted if info.covers(day)]
        if not matches:
            raise EditionNotFound(f"no rule edition covers {day.isoformat()}; available: {self._available()}")
        names = {info.name for info in matches}
        if len(names) > 1:
            raise EditionNotFound(f"editions {', '.join(sorted(names))} overlap on {day.isoformat()}")
        return matches[-1]

    def edition(self, name: str, version: str | None = None) -> EditionInfo:
        """Edition `name` at `version` (default: its latest). Raises EditionNotFound."""
        versions = [info for info in self._sorted if info.name == name]
        if version is not None:
            versions = [info for info in versions if info.version == version]
        if not versions:
            wanted = f"{name} {version}" if version else name
            raise EditionNotFound(f"no rule edition {wanted}; available: {self._available()}")
        return versions[-1]

    def _get(self, edition: EditionRef) -> Edition:
        if edition is None:
            raise EditionNotFound(f"no edition given; available: {self._available()}")
        info = self.edition(edition) if isinstance(edition, str) else edition
        found = self._editions.get((info.name, info.version))
        if found is None:
            raise EditionNotFound(f"no rule edition {info.name} {info.version}; available: {self._available()}")
        return found

    def loaded(self, edition: EditionRef) -> Edition:
        """The compiled edition (rules, themes, ruleset name, digest, folder)."""
        return self._get(edition)

    # -- rules --------------------------------------------------------------

    def rules(self, edition: EditionRef) -> list[Rule]:
        """The edition's rules in catalogue order (evaluated and parameter-only)."""
        return list(self._get(edition).rules)

    def rule(self, rule_id: str, edition: EditionRef) -> Rule:
        """One rule of the edition. Raises RuleNotFound."""
        ed = self._get(edition)
        try:
            return ed.by_id[rule_id]
        except KeyError:
            raise RuleNotFound(f"{ed.info.name} {ed.info.version} has no rule {rule_id}") from None

    def deadline_params(self, rule_id: str, edition: EditionRef) -> dict[str, object]:
        """The rule's parameters as written in its file, e.g.
        {"working_days": 15, "counts_from": "panel_notification_sent_date"}."""
        return dict(self.rule(rule_id, edition).parameters)

    def themes(self, edition: EditionRef) -> ThemeVocabulary:
        """The edition's learning-themes vocabulary."""
        return self._get(edition).themes

    def facts_read(
        self,
        rule_id: str,
        facts: facts_pb2.CaseFacts,
        edition: EditionRef = None,
        calendar: WorkingDayCalendar | None = None,
    ) -> list[str]:
        """The facts `rule_id`'s conditions read for this case, as "name:
        value" lines (derived and clock facts included), for explaining an
        outcome. The rule's conditions are `rule(rule_id, ...).condition_text`."""
        ed = self._prepare(facts, edition, None)
        rule = self.rule(rule_id, ed.info)
        cal = calendar or WorkingDayCalendar()
        view, _, _ = prepare(ed, facts, cal, cal.today())
        return facts_read(ed, rule, view)

    # -- evaluation ---------------------------------------------------------

    def _prepare(self, facts: facts_pb2.CaseFacts, edition: EditionRef, stage: str | None) -> Edition:
        if stage is not None and stage not in EVALUATED_STAGES:
            raise ValueError(f"stage must be one of {', '.join(EVALUATED_STAGES)} or None")
        if edition is None:
            if not facts.la_aware_date:
                raise InvalidFacts([("la_aware_date", "required to choose the edition")])
            try:
                day = dt.date.fromisoformat(facts.la_aware_date)
            except ValueError:
                raise InvalidFacts([("la_aware_date", "must be a date YYYY-MM-DD")]) from None
            edition = self.edition_for(day)
        return self._get(edition)

    def evaluate(
        self,
        facts: facts_pb2.CaseFacts,
        edition: EditionRef = None,
        stage: str | None = None,
        calendar: WorkingDayCalendar | None = None,
        timeout: float | None = None,
    ) -> Evaluation:
        """Evaluates `facts` against `edition` (default: the edition in force
        on `facts.la_aware_date`). `stage` "intake" or "criteria" limits the
        outcomes to that stage's rules (NOT.AUTOMATIC is always included);
        clocks are always computed. Blocks while the engine's concurrency
        limit is reached (EngineBusy after `timeout` seconds, if given)."""
        ed = self._prepare(facts, edition, stage)
        return evaluate_edition(self.engine, ed, facts, stage, calendar or WorkingDayCalendar(), timeout)

    async def evaluate_async(
        self,
        facts: facts_pb2.CaseFacts,
        edition: EditionRef = None,
        stage: str | None = None,
        calendar: WorkingDayCalendar | None = None,
        timeout: float | None = None,
    ) -> Evaluation:
        """`evaluate` run in the engine's thread pool, off the event loop."""
        ed = self._prepare(facts, edition, stage)
        return await self.engine.run_in_executor(
            evaluate_edition, self.engine, ed, facts, stage, calendar or WorkingDayCalendar(), timeout
        )
