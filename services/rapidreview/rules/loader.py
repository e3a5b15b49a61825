"""Reads rule editions from YAML and compiles their conditions.

Layout (docs/rules.md): every folder holding an `edition.yaml` is one edition
version, with its rule files in `rules/*.yaml`, its themes vocabulary in
`themes.yaml` and its scenario tests in `scenarios/`. Every mistake a policy
officer can make in a rule file is reported as RuleFileError naming the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import string
from pathlib import Path
from typing import Any

import yaml

from rapidreview.rules import notation, preconditions
from rapidreview.rules.authorities import FILE_NAME as AUTHORITIES_FILE
from rapidreview.rules.authorities import AuthorityRegister, load_register
from rapidreview.rules.model import (
    CASE_DATES,
    CREATES,
    EVALUATED_STAGES,
    KIND_OUTCOMES,
    POSITIVE_OUTCOMES,
    STAGES,
    STATUSES,
    Branch,
    ClockSpec,
    Edition,
    EditionInfo,
    Rule,
)
from rapidreview.rules.themes import ThemeVocabulary
from rapidreview.rules.vocabulary import CLOCK_FACTS, CLOCK_TEXT, EVIDENCE, FACTS, RATIONALE_TEXT, FieldSpec

_RULE_ID = re.compile(r"^[A-Z]+(\.[A-Z0-9_]+)+$")
_EDITION_NAME = re.compile(r"^[a-z][a-z0-9]{1,31}$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,31}$")
_RULE_KEYS = {
    "id", "title", "citation", "status", "stage", "kind", "always_shown",
    "parameters", "clock", "outcomes", "otherwise", "notes", "preconditions", "creates",
}
_BRANCH_KEYS = {"when", "when_json", "outcome", "rationale", "evidence"}


class RuleFileError(ValueError):
    """A rule, edition or themes file is malformed; the message names the file."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RuleFileError(path, f"not valid YAML: {exc}") from None


def _date(path: Path, name: str, value: Any, required: bool) -> dt.date | None:
    if value is None and not required:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RuleFileError(path, f"{name} must be a date YYYY-MM-DD, found {value!r}") from None


def find_edition_dirs(root: Path) -> list[Path]:
    """Folders under `root` (at any depth) that hold an edition.yaml."""
    return sorted(p.parent for p in root.rglob("edition.yaml") if "scenarios" not in p.relative_to(root).parts)


def load_authorities(root: Path) -> AuthorityRegister:
    """The local-authority register of the rules folder `root` (empty when absent)."""
    try:
        return load_register(root)
    except (ValueError, yaml.YAMLError) as exc:
        raise RuleFileError(root / AUTHORITIES_FILE, str(exc)) from None


def load_edition(path: Path, authorities: AuthorityRegister | None = None) -> Edition:
    """Loads and compiles the edition version in folder `path`."""
    meta_path = path / "edition.yaml"
    meta = _read_yaml(meta_path)
    if not isinstance(meta, dict):
        raise RuleFileError(meta_path, "must be a mapping")
    name, version = str(meta.get("name", "")), str(meta.get("version", ""))
    if not _EDITION_NAME.match(name):
        raise RuleFileError(meta_path, f"name must be lower-case letters and digits, found {name!r}")
    if not _VERSION.match(version):
        raise RuleFileError(meta_path, f"version must be quoted text like \"2023.1\", found {version!r}")
    info = EditionInfo(
        name,
        version,
        _date(meta_path, "effective_from", meta.get("effective_from"), True),  # type: ignore[arg-type]
        _date(meta_path, "effective_to", meta.get("effective_to"), False),
    )
    if info.effective_to and info.effective_to < info.effective_from:
        raise RuleFileError(meta_path, "effective_to is before effective_from")

    themes_path = path / "themes.yaml"
    try:
        themes = ThemeVocabulary.from_mapping(_read_yaml(themes_path) or {}) if themes_path.exists() else (
            ThemeVocabulary(())
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleFileError(themes_path, f"malformed themes vocabulary: {exc}") from None

    files = {}
    for rule_path in sorted((path / "rules").glob("*.yaml")):
        rule_id = rule_path.stem
        files[rule_id] = rule_path
    catalogue = meta.get("catalogue") or []
    if not isinstance(catalogue, list):
        raise RuleFileError(meta_path, "catalogue must be a list of rule IDs")
    if sorted(catalogue) != sorted(files) or len(set(catalogue)) != len(catalogue):
        missing = sorted(set(files) - set(catalogue))
        extra = sorted(set(catalogue) - set(files))
        raise RuleFileError(
            meta_path,
            "catalogue must list every rule file exactly once"
            + (f"; not listed: {', '.join(missing)}" if missing else "")
            + (f"; no file for: {', '.join(extra)}" if extra else ""),
        )
    rules = tuple(_load_rule(files[rule_id], rule_id, name) for rule_id in catalogue)
    conditions, reads = _compile(rules)
    _check_dependencies(rules)
    digest = hashlib.sha256(
        json.dumps([name, version, conditions], sort_keys=True).encode()
    ).hexdigest()
    ruleset = f"rr_{name}_{re.sub(r'[^0-9A-Za-z]', '_', version)}_{digest[:12]}"
    return Edition(info, str(meta.get("title", name)), path, rules, themes, conditions, ruleset, digest, reads,
                   authorities or AuthorityRegister.empty())


def _resolver(rule_id: str, has_clock: bool) -> notation.FieldResolver:
    fact_key = rule_id.replace(".", "_")

    def resolve(name: str) -> tuple[str, FieldSpec]:
        if name in FACTS:
            return name, FACTS[name]
        if name in CLOCK_FACTS:
            if not has_clock:
                raise notation.NotationError(f"{name} can only be used in a rule with a clock: section")
            return f"clock.{fact_key}.{name.removeprefix('clock_')}", CLOCK_FACTS[name]
        close = difflib.get_close_matches(name, [*FACTS, *CLOCK_FACTS], n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise notation.NotationError(f"unknown fact {name!r}{hint}")

    return resolve


def _load_rule(path: Path, file_id: str, edition: str) -> Rule:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise RuleFileError(path, "must be a mapping")
    unknown = set(data) - _RULE_KEYS
    if unknown:
        raise RuleFileError(path, f"unknown keys: {', '.join(sorted(unknown))}")
    rule_id = str(data.get("id", ""))
    if rule_id != file_id or not _RULE_ID.match(rule_id):
        raise RuleFileError(path, f"id must be the RULES.md ID and match the file name, found {rule_id!r}")
    for key in ("title", "citation"):
        if not str(data.get(key) or "").strip():
            raise RuleFileError(path, f"{key} is required")
    status, stage = data.get("status"), data.get("stage")
    if status not in STATUSES:
        raise RuleFileError(path, f"status must be one of {', '.join(STATUSES)}")
    if stage not in STAGES:
        raise RuleFileError(path, f"stage must be one of {', '.join(STAGES)}")
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise RuleFileError(path, "parameters must be a mapping")
    clock = _clock(path, data.get("clock"), parameters)
    if "preconditions" not in data:
        raise RuleFileError(path, "preconditions: are required (person, place, edition, depends_on)")
    try:
        pre = preconditions.parse(data["preconditions"], edition)
    except preconditions.PreconditionError as exc:
        raise RuleFileError(path, str(exc)) from None
    creates = data.get("creates")
    if creates is None:
        raise RuleFileError(path, f"creates: is required: a list of {', '.join(CREATES)} ([] for none)")
    if not isinstance(creates, list) or any(c not in CREATES for c in creates):
        raise RuleFileError(path, f"creates must be a list of {', '.join(CREATES)} ([] for none)")
    if (clock is not None or "working_days" in parameters) and "clock" not in creates:
        raise RuleFileError(path, "a rule with a clock or a working_days deadline must list clock in creates")
    extra = {"preconditions": pre, "creates": tuple(creates)}

    outcomes, otherwise = data.get("outcomes"), data.get("otherwise")
    if otherwise is None:
        if outcomes:
            raise RuleFileError(path, "a rule with outcomes needs an otherwise: outcome")
        if not parameters:
            raise RuleFileError(path, "a rule without outcomes must carry parameters")
        return Rule(rule_id, data["title"], data["citation"], status, stage, "parameters", (), None,
                    parameters, clock, False, path, **extra)
    if stage not in EVALUATED_STAGES:
        raise RuleFileError(path, f"only {' and '.join(EVALUATED_STAGES)} rules have outcomes")
    kind = data.get("kind")
    expected_kind = "judgement" if rule_id.startswith(("LOCAL.", "REGARD.")) else (
        "statement" if rule_id == "NOT.AUTOMATIC" else "deterministic"
    )
    if kind != expected_kind:
        raise RuleFileError(path, f"kind must be {expected_kind} for {rule_id}")
    resolve = _resolver(rule_id, clock is not None)
    placeholders = {*FACTS, *RATIONALE_TEXT, *parameters, *(CLOCK_TEXT if clock else ())}
    branches = tuple(
        _branch(path, f"{rule_id}#{i}", item, kind, resolve, placeholders)
        for i, item in enumerate(outcomes or [])
    )
    if not isinstance(otherwise, dict) or {"when", "when_json"} & set(otherwise):
        raise RuleFileError(path, "otherwise: takes an outcome, rationale and evidence, never a condition")
    other = _branch(path, f"{rule_id}#otherwise", otherwise, kind, resolve, placeholders)
    return Rule(rule_id, data["title"], data["citation"], status, stage, kind, branches, other,
                parameters, clock, bool(data.get("always_shown")), path, **extra)


def _clock(path: Path, data: Any, parameters: dict[str, Any]) -> ClockSpec | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise RuleFileError(path, "clock must be a mapping")
    working_days, counts_from = parameters.get("working_days"), parameters.get("counts_from")
    completed_by = data.get("completed_by")
    if not isinstance(working_days, int) or working_days < 1:
        raise RuleFileError(path, "a clock needs parameters.working_days, a whole number of at least 1")
    if counts_from not in CASE_DATES:
        raise RuleFileError(path, f"parameters.counts_from must be one of {', '.join(CASE_DATES)}")
    if completed_by is not None and completed_by not in CASE_DATES:
        raise RuleFileError(path, f"clock.completed_by must be one of {', '.join(CASE_DATES)}")
    return ClockSpec(working_days, counts_from, completed_by)


def _branch(
    path: Path,
    key: str,
    data: Any,
    kind: str,
    resolve: notation.FieldResolver,
    placeholders: set[str],
) -> Branch:
    if not isinstance(data, dict):
        raise RuleFileError(path, f"{key}: each outcome must be a mapping")
    unknown = set(data) - _BRANCH_KEYS
    if unknown:
        raise RuleFileError(path, f"{key}: unknown keys {', '.join(sorted(unknown))}")
    outcome = data.get("outcome")
    if outcome not in KIND_OUTCOMES[kind]:
        raise RuleFileError(path, f"{key}: outcome must be one of {', '.join(KIND_OUTCOMES[kind])}")
    rationale = " ".join(str(data.get("rationale") or "").split())
    if not rationale:
        raise RuleFileError(path, f"{key}: rationale is required")
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(rationale) if name is not None}
    except ValueError as exc:
        raise RuleFileError(path, f"{key}: rationale template: {exc}") from None
    bad = sorted(used - placeholders)
    if bad:
        raise RuleFileError(path, f"{key}: rationale uses unknown names {', '.join('{' + b + '}' for b in bad)}")
    evidence = tuple(data.get("evidence") or ())
    bad = sorted(set(evidence) - set(EVIDENCE))
    if bad:
        raise RuleFileError(path, f"{key}: unknown evidence {', '.join(bad)}; one of {', '.join(EVIDENCE)}")
    condition: str | None = None
    node: notation.Node | None = None
    if key.endswith("#otherwise"):
        pass
    elif "when" in data and "when_json" not in data:
        condition = str(data["when"])
        try:
            node = notation.parse(condition, resolve)
        except notation.NotationError as exc:
            raise RuleFileError(path, f"{key}: {exc}") from None
    elif "when_json" in data and "when" not in data:
        if not isinstance(data["when_json"], dict):
            raise RuleFileError(path, f"{key}: when_json must be a durable-rules condition mapping")
        condition = json.dumps(data["when_json"], sort_keys=True)
        node = notation.Raw(condition)
    else:
        raise RuleFileError(path, f"{key}: give exactly one of when or when_json")
    return Branch(key, condition, node, outcome, rationale, evidence)


def _compile(rules: tuple[Rule, ...]) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[str, ...]]]:
    """durable-rules conditions of every branch, with `rule X` expanded, and
    the fact paths each rule reads (through the rules it refers to as well)."""
    by_id = {rule.id: rule for rule in rules}
    positive: dict[str, notation.Node] = {}
    visiting: list[str] = []

    def positive_condition(rule_id: str) -> notation.Node:
        if rule_id in positive:
            return positive[rule_id]
        rule = by_id.get(rule_id)
        if rule is None or not rule.evaluated:
            raise ValueError(f"`rule {rule_id}` refers to no evaluated rule of this edition")
        if rule_id in visiting:
            raise ValueError(f"rules refer to each other in a cycle: {' -> '.join([*visiting, rule_id])}")
        visiting.append(rule_id)
        # The rule is positive when some positive outcome's condition holds and
        # no earlier non-positive outcome's does (an earlier positive one would
        # make it positive anyway, so it needs no negation).
        earlier: list[notation.Node] = []
        options: list[notation.Node] = []
        for branch in rule.branches:
            assert branch.node is not None
            node = notation.expand(branch.node, positive_condition)
            if branch.outcome in POSITIVE_OUTCOMES:
                options.append(notation.All((*(notation.Not(e) for e in earlier), node)) if earlier else node)
            else:
                earlier.append(node)
        if not options:
            raise ValueError(f"`rule {rule_id}` is used but {rule_id} has no MET or INDICATED outcome")
        positive[rule_id] = options[0] if len(options) == 1 else notation.Any_(tuple(options))
        visiting.pop()
        return positive[rule_id]

    conditions: dict[str, dict[str, Any]] = {}
    reads: dict[str, tuple[str, ...]] = {}
    for rule in rules:
        paths: dict[str, None] = {}
        for branch in rule.branches:
            assert branch.node is not None
            try:
                expanded = notation.expand(branch.node, positive_condition)
                conditions[branch.key] = notation.to_durable(expanded)
            except (ValueError, notation.NotationError) as exc:
                visiting.clear()
                raise RuleFileError(rule.path, f"{branch.key}: {exc}") from None
            paths.update(dict.fromkeys(notation.fact_paths(expanded)))
        reads[rule.id] = tuple(paths)
    return conditions, reads



def _check_dependencies(rules: tuple[Rule, ...]) -> None:
    """preconditions.depends_on names rules of this edition, and for an
    evaluated rule exactly the rules its conditions refer to with `rule X`."""
    ids = {rule.id for rule in rules}
    for rule in rules:
        assert rule.preconditions is not None
        declared = set(rule.preconditions.depends_on)
        unknown = sorted(declared - ids)
        if unknown:
            raise RuleFileError(rule.path, f"preconditions.depends_on names no rule of this edition: {', '.join(unknown)}")
        if not rule.evaluated:
            continue
        used = set().union(*(notation.rule_refs(b.node) for b in rule.branches if b.node is not None))
        if declared != used:
            raise RuleFileError(
                rule.path,
                "preconditions.depends_on must list exactly the rules its conditions use "
                f"({', '.join(sorted(used)) or 'none'}), found {', '.join(sorted(declared)) or 'none'}",
            )
