"""The input-limit check every request passes before its handler runs.

One walk over the decoded request refuses, with field violations:
- a repeated field longer than its cap (every repeated field reachable from a
  request must have one; the caps are `rapidreview.limits.LIST_CAPS`),
- the same value twice in a repeated enum field (a set of choices),
- a NUL character in any text field (PostgreSQL refuses NUL in text).

Limits are per field, keyed by full field name ("rapidreview.v1.Notification.agencies"),
so a message type used in several requests has one cap everywhere. The walk visits
only the fields that can hold a list (a plan per message type, made once), so a
request without lists costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

ListCaps = Mapping[str, int]


class UncappedListError(RuntimeError):
    """A repeated field of a request has no cap: refused at start-up, not at the first call."""


@dataclass(frozen=True)
class _Step:
    field: FieldDescriptor
    cap: int  # 0 for a singular message field visited only for what it contains
    distinct: bool  # a repeated enum: a value may appear once


def repeated_fields(descriptor: Descriptor) -> list[FieldDescriptor]:
    """Every repeated field reachable from `descriptor` (map fields included), each once."""
    out: dict[str, FieldDescriptor] = {}
    seen: set[str] = set()

    def visit(d: Descriptor) -> None:
        if d.full_name in seen:
            return
        seen.add(d.full_name)
        for f in d.fields:
            if f.is_repeated:
                out.setdefault(f.full_name, f)
            if f.message_type is not None:
                visit(f.message_type)

    visit(descriptor)
    return list(out.values())


class InputLimits:
    """Checks decoded requests against the list caps (and for NUL characters)."""

    def __init__(self, caps: ListCaps) -> None:
        self.caps = dict(caps)
        self._plans: dict[str, list[_Step]] = {}

    def require_caps(self, descriptors: Iterable[Descriptor]) -> None:
        """Raises UncappedListError naming every repeated field of these request types without a cap."""
        missing = sorted({f.full_name for d in descriptors for f in repeated_fields(d) if f.full_name not in self.caps})
        if missing:
            raise UncappedListError(f"repeated fields without a cap in rapidreview/limits.py: {', '.join(missing)}")

    def violations(self, request: Message, *, nul: bool = False) -> list[tuple[str, str]]:
        """Field violations of `request` (empty when it is within every limit). NUL characters
        are looked for only when `nul` (the caller knows whether the raw bytes hold one)."""
        out: list[tuple[str, str]] = []
        self._walk(request, "", out)
        if nul:
            out += [(path, "must not contain NUL characters") for path in fields_with_nul(request)]
        return out

    def _plan(self, descriptor: Descriptor) -> list[_Step]:
        plan = self._plans.get(descriptor.full_name)
        if plan is None:
            self._plans[descriptor.full_name] = []  # recursion guard for self-referencing types
            plan = []
            for f in descriptor.fields:
                if f.is_repeated:
                    cap = self.caps.get(f.full_name)
                    if cap is None:
                        raise UncappedListError(f"{f.full_name} has no cap in rapidreview/limits.py")
                    plan.append(_Step(f, cap, f.type == FieldDescriptor.TYPE_ENUM))
                elif f.message_type is not None and self._holds_lists(f.message_type):
                    plan.append(_Step(f, 0, False))
            self._plans[descriptor.full_name] = plan
        return plan

    def _holds_lists(self, descriptor: Descriptor) -> bool:
        return bool(repeated_fields(descriptor))

    def _walk(self, msg: Message, prefix: str, out: list[tuple[str, str]]) -> None:
        for step in self._plan(msg.DESCRIPTOR):
            f = step.field
            path = prefix + f.name
            if not f.is_repeated:
                if msg.HasField(f.name):
                    self._walk(getattr(msg, f.name), path + ".", out)
                continue
            items = getattr(msg, f.name)
            if len(items) > step.cap:
                out.append((path, f"at most {step.cap} items"))
                continue  # its items are not looked at: the list is refused whole
            if step.distinct:
                seen: set[int] = set()
                for i, value in enumerate(items):
                    if value in seen:
                        out.append((f"{path}[{i}]", "duplicate value: each value at most once"))
                    seen.add(value)
            elif f.message_type is not None and not f.message_type.GetOptions().map_entry and self._plan(f.message_type):
                for i, item in enumerate(items):
                    self._walk(item, f"{path}[{i}].", out)


def fields_with_nul(msg: Message, prefix: str = "") -> list[str]:
    """Paths of the string fields of `msg` (recursively) that contain a NUL character."""
    out: list[str] = []
    for field, value in msg.ListFields():
        path = prefix + field.name
        items = list(value) if field.is_repeated else [value]
        for i, item in enumerate(items):
            where = f"{path}[{i}]" if field.is_repeated else path
            if field.message_type is not None:
                if not field.message_type.GetOptions().map_entry:
                    out += fields_with_nul(item, where + ".")
            elif isinstance(item, str) and "\x00" in item:
                out.append(where)
    return out
