"""Rules as data: the statutory rule editions in rules/ and their evaluation.

    from rapidreview.rules import Rulebook
    book = Rulebook.load_default()
    ev = book.evaluate(facts, stage="criteria")

See docs/rules.md for how rule files are written and evaluated.
"""

from rapidreview.rules.engine import EngineBusy, RuleActionError, RulesEngine, default_engine
from rapidreview.rules.evaluation import Evaluation
from rapidreview.rules.loader import RuleFileError
from rapidreview.rules.model import EditionInfo, Rule
from rapidreview.rules.rulebook import EditionNotFound, RuleNotFound, Rulebook, default_rules_dir
from rapidreview.rules.themes import ThemeVocabulary
from rapidreview.rules.validation import InvalidFacts, validate_facts

__all__ = [
    "EditionInfo",
    "EditionNotFound",
    "EngineBusy",
    "Evaluation",
    "InvalidFacts",
    "Rule",
    "RuleActionError",
    "RuleFileError",
    "RuleNotFound",
    "Rulebook",
    "RulesEngine",
    "ThemeVocabulary",
    "default_engine",
    "default_rules_dir",
    "validate_facts",
]
