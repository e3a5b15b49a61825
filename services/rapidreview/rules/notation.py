"""The condition notation of rule files and its compilation to durable-rules JSON.

A condition reads like the "machine form" column of RULES.md:

    abuse_or_neglect in [known, suspected] and (died or seriously_harmed)
    involved_agency_count >= 2 and joint_working_concern_count >= 1
    rule DEF.SERIOUS_CASE and incident_in_notifying_la
    not withdrawn
    always

Grammar (keywords are lower case):

    condition  := or
    or         := and ("or" and)*
    and        := unary ("and" unary)*
    unary      := "not" unary | primary
    primary    := "(" condition ")" | "always" | "rule" RULE_ID | test
    test       := FIELD                               (a yes/no fact is true)
                | FIELD ("==" | "!=" | "<" | "<=" | ">" | ">=") VALUE
                | FIELD ["not"] "in" "[" VALUE ("," VALUE)* "]"
    VALUE      := integer | true | false | enum value name | "quoted text"

`rule X` stands for the condition under which rule X of the same edition
comes out positive (MET or INDICATED); it is expanded before compiling.
durable-rules has no general NOT, so negations are pushed down to the tests
(De Morgan) before compiling.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Union

from rapidreview.rules.engine import ALWAYS, FACT_TYPE_FIELD
from rapidreview.rules.vocabulary import FieldSpec


class NotationError(ValueError):
    """A condition could not be parsed or does not fit the fact vocabulary."""


@dataclass(frozen=True)
class Test:
    path: str
    op: str
    value: Any


@dataclass(frozen=True)
class All:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class Always:
    pass


@dataclass(frozen=True)
class Never:
    pass


@dataclass(frozen=True)
class RuleRef:
    rule_id: str


@dataclass(frozen=True)
class Raw:
    """A condition written directly in durable-rules JSON (`when_json`)."""

    json: str


Node = Union[Test, All, Any_, Not, Always, Never, RuleRef, Raw]

# Resolves a field name used in a condition to its path in the asserted fact
# and its type; raises NotationError for unknown names.
FieldResolver = Callable[[str], tuple[str, FieldSpec]]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>-?\d+)
    | (?P<str>"[^"]*"|'[^']*')
    | (?P<op>==|!=|<=|>=|<|>)
    | (?P<punct>[()\[\],])
    | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)
_NEGATED_OP = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_DURABLE_OP = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_KEYWORDS = {"and", "or", "not", "in", "rule", "always", "true", "false"}
_RULE_ID = re.compile(r"^[A-Z]+(\.[A-Z0-9_]+)+$")


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise NotationError(f"unexpected character at {pos + 1}: {text[pos:pos + 12]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind), match.start(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, resolve: FieldResolver) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.resolve = resolve

    def error(self, message: str) -> NotationError:
        where = self.tokens[self.pos][2] + 1 if self.pos < len(self.tokens) else len(self.text) + 1
        return NotationError(f"{message} (at character {where} of {self.text!r})")

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None, what: str | None = None) -> tuple[str, str, int]:
        """The next token; with `expected`, it must be that exact text."""
        if self.pos >= len(self.tokens):
            wanted = what or (repr(expected) if expected else "more")
            raise self.error(f"expected {wanted} but the condition ended")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise self.error(f"expected {expected!r}, found {token[1]!r}")
        self.pos += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise NotationError("empty condition")
        node = self.parse_or()
        if self.pos != len(self.tokens):
            raise self.error(f"unexpected {self.peek()!r}")
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self.peek() == "or":
            self.take()
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Any_(tuple(items))

    def parse_and(self) -> Node:
        items = [self.parse_unary()]
        while self.peek() == "and":
            self.take()
            items.append(self.parse_unary())
        return items[0] if len(items) == 1 else All(tuple(items))

    def parse_unary(self) -> Node:
        if self.peek() == "not":
            self.take()
            return Not(self.parse_unary())
        return self.parse_primary()

    def parse_primary(self) -> Node:
        kind, text, _ = self.take(what="a fact, `rule`, `always` or `(`")
        if text == "(":
            node = self.parse_or()
            self.take(")")
            return node
        if text == "always":
            return Always()
        if text == "rule":
            _, rule_id, _ = self.take(what="a rule ID")
            if not _RULE_ID.match(rule_id):
                self.pos -= 1
                raise self.error(f"{rule_id!r} is not a RULES.md rule ID")
            return RuleRef(rule_id)
        if kind != "name" or text in _KEYWORDS:
            self.pos -= 1
            raise self.error(f"expected a fact name, found {text!r}")
        try:
            path, spec = self.resolve(text)
        except NotationError as exc:
            self.pos -= 1
            raise self.error(str(exc)) from None
        return self.parse_test(text, path, spec)

    def parse_test(self, name: str, path: str, spec: FieldSpec) -> Node:
        nxt = self.peek()
        if nxt in _NEGATED_OP:
            op = self.take()[1]
            return Test(path, op, self.parse_value(name, spec, op))
        if nxt == "in" or (nxt == "not" and self._next_is("in")):
            negated = self.take()[1] == "not"
            if negated:
                self.take("in")
            values = self.parse_list(name, spec)
            node: Node = Any_(tuple(Test(path, "==", value) for value in values))
            if len(values) == 1:
                node = Test(path, "==", values[0])
            return Not(node) if negated else node
        if spec.kind != "bool":
            raise self.error(f"{name} is a {spec.kind} fact: compare it (e.g. {name} == ...)")
        return Test(path, "==", True)

    def _next_is(self, text: str) -> bool:
        return self.pos + 1 < len(self.tokens) and self.tokens[self.pos + 1][1] == text

    def parse_list(self, name: str, spec: FieldSpec) -> list[Any]:
        self.take("[")
        values = [self.parse_value(name, spec, "==")]
        while self.peek() == ",":
            self.take()
            values.append(self.parse_value(name, spec, "=="))
        self.take("]")
        return values

    def parse_value(self, name: str, spec: FieldSpec, op: str) -> Any:
        kind, text, _ = self.take(what="a value")
        if spec.kind == "bool":
            if text not in ("true", "false") or op not in ("==", "!="):
                self.pos -= 1
                raise self.error(f"{name} is yes/no: use `{name}`, `not {name}` or == true/false")
            return text == "true"
        if spec.kind == "int":
            if kind != "num":
                self.pos -= 1
                raise self.error(f"{name} is a number, found {text!r}")
            return int(text)
        if op not in ("==", "!="):
            self.pos -= 1
            raise self.error(f"{name} can only be compared with ==, != or in")
        if spec.kind == "enum":
            if kind != "name" or text not in spec.values:
                self.pos -= 1
                raise self.error(f"{text!r} is not a value of {name}; one of: {', '.join(spec.values)}")
            return text
        if kind != "str":
            self.pos -= 1
            raise self.error(f"{name} is text: quote the value")
        return text[1:-1]


def parse(text: str, resolve: FieldResolver) -> Node:
    """Parses a condition; raises NotationError naming the position of a mistake."""
    return _Parser(str(text), resolve).parse()


def rule_refs(node: Node) -> set[str]:
    """The rule IDs a condition refers to with `rule X`."""
    if isinstance(node, RuleRef):
        return {node.rule_id}
    if isinstance(node, (All, Any_)):
        return set().union(*(rule_refs(item) for item in node.items))
    if isinstance(node, Not):
        return rule_refs(node.item)
    return set()


def fact_paths(node: Node) -> list[str]:
    """The fact paths a condition tests, in first-use order."""
    if isinstance(node, Test):
        return [node.path]
    if isinstance(node, (All, Any_)):
        return list(dict.fromkeys(p for item in node.items for p in fact_paths(item)))
    if isinstance(node, Not):
        return fact_paths(node.item)
    return []


def expand(node: Node, lookup: Callable[[str], Node]) -> Node:
    """Replaces every `rule X` by `lookup(X)` (which must itself be expanded)."""
    if isinstance(node, RuleRef):
        return lookup(node.rule_id)
    if isinstance(node, All):
        return All(tuple(expand(item, lookup) for item in node.items))
    if isinstance(node, Any_):
        return Any_(tuple(expand(item, lookup) for item in node.items))
    if isinstance(node, Not):
        return Not(expand(node.item, lookup))
    return node


def negate(node: Node) -> Node:
    """The negation of `node`, pushed down to its tests (no Not left)."""
    if isinstance(node, Test):
        return Test(node.path, _NEGATED_OP[node.op], node.value)
    if isinstance(node, All):
        return Any_(tuple(negate(item) for item in node.items))
    if isinstance(node, Any_):
        return All(tuple(negate(item) for item in node.items))
    if isinstance(node, Not):
        return normalise(node.item)
    if isinstance(node, Always):
        return Never()
    if isinstance(node, Never):
        return Always()
    if isinstance(node, Raw):
        raise NotationError("a condition in durable-rules JSON cannot be negated; write it in the notation")
    raise NotationError(f"cannot negate an unexpanded reference to {node.rule_id}")


def normalise(node: Node) -> Node:
    """Pushes negations down to the tests and flattens nested and/or."""
    if isinstance(node, Not):
        return negate(node.item)
    if isinstance(node, (All, Any_)):
        kind = type(node)
        flat: list[Node] = []
        for item in (normalise(item) for item in node.items):
            flat.extend(item.items if isinstance(item, kind) else (item,))
        return flat[0] if len(flat) == 1 else kind(tuple(flat))
    if isinstance(node, RuleRef):
        raise NotationError(f"unexpanded reference to {node.rule_id}")
    return node


def to_durable(node: Node) -> dict[str, Any]:
    """durable-rules JSON for one fact (`{"m": <this>}`) of a normalised condition."""
    node = normalise(node)
    if isinstance(node, Test):
        if node.op == "==":
            return {node.path: node.value}
        return {_DURABLE_OP[node.op]: {node.path: node.value}}
    if isinstance(node, All):
        return {"$and": [to_durable(item) for item in node.items]}
    if isinstance(node, Any_):
        return {"$or": [to_durable(item) for item in node.items]}
    if isinstance(node, Always):
        return dict(ALWAYS)
    if isinstance(node, Never):
        return {FACT_TYPE_FIELD: "never"}
    if isinstance(node, Raw):
        return json.loads(node.json)
    raise NotationError(f"cannot compile {node!r}")
