"""Rule parameters without the rules engine.

Gathering and decisions evaluate no rule; they only read deadlines from the
rule files (RR.AGENCIES, POST.*). `RuleParameters` loads the same editions as
`Rulebook` (same files, same errors, same edition choice) but registers
nothing with durable-rules, so those services never start an engine.
"""

from __future__ import annotations

from pathlib import Path

from rapidreview.rules.model import Edition
from rapidreview.rules.rulebook import Rulebook, default_rules_dir


class RuleParameters(Rulebook):
    """Editions, the edition of a case and `deadline_params`; `evaluate` is not available."""

    def __init__(self, root: Path, editions: list[Edition]) -> None:
        super().__init__(root, editions, engine=None)  # type: ignore[arg-type]

    @classmethod
    def load(cls, root: Path | str, engine: object = None) -> RuleParameters:  # type: ignore[override]
        """Every edition version under `root`; RuleFileError / FileNotFoundError as `Rulebook.load`."""
        root = Path(root)
        return cls(root, cls._read(root))

    @classmethod
    def load_default(cls, engine: object = None) -> RuleParameters:  # type: ignore[override]
        """From $RR_RULES_DIR, else the repository's rules/."""
        return cls.load(default_rules_dir())

    def _install(self, editions: list[Edition]) -> None:
        self._set_editions(editions)

    def evaluate(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def, override]
        raise TypeError("RuleParameters reads parameters only; use Rulebook to evaluate")

    async def evaluate_async(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def, override]
        raise TypeError("RuleParameters reads parameters only; use Rulebook to evaluate")
