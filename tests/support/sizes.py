"""Worst-case serialized sizes of protobuf messages, computed from the descriptors
and the bounds of every field: how many items each repeated field may hold (the
request caps of rapidreview/limits.py and the caps the services keep on what they
make), how many bytes each string may take, and byte budgets that code enforces on
whole lists. Used to prove every event fits NATS's max_payload whatever a caller sends."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from google.protobuf.descriptor import Descriptor, FieldDescriptor

#: Worst-case bytes of a scalar's value by field type (varints of negative int32/enum take 10).
_SCALAR = {
    FieldDescriptor.TYPE_DOUBLE: 8, FieldDescriptor.TYPE_FLOAT: 4, FieldDescriptor.TYPE_INT64: 10,
    FieldDescriptor.TYPE_UINT64: 10, FieldDescriptor.TYPE_INT32: 10, FieldDescriptor.TYPE_FIXED64: 8,
    FieldDescriptor.TYPE_FIXED32: 4, FieldDescriptor.TYPE_BOOL: 1, FieldDescriptor.TYPE_UINT32: 5,
    FieldDescriptor.TYPE_ENUM: 10, FieldDescriptor.TYPE_SFIXED32: 4, FieldDescriptor.TYPE_SFIXED64: 8,
    FieldDescriptor.TYPE_SINT32: 5, FieldDescriptor.TYPE_SINT64: 10,
}
#: Well-known types with a fixed worst case: Timestamp (seconds and nanos varints).
_WELL_KNOWN = {"google.protobuf.Timestamp": 2 + 10 + 2 + 5}


def varint_size(n: int) -> int:
    size = 1
    while n >= 0x80:
        n >>= 7
        size += 1
    return size


def _tag(f: FieldDescriptor) -> int:
    return varint_size(f.number << 3)


class MissingBound(KeyError):
    """A field the model has no bound for: the caller names it."""


@dataclass
class SizeModel:
    """`lists`: full field name -> most items; `strings`: full field name -> most bytes;
    `budgeted`: full field name -> name of a byte budget (in `budgets`) the items of
    those lists share across the whole message, wherever in it they are."""

    lists: Mapping[str, int]
    strings: Mapping[str, int]
    budgeted: Mapping[str, str] = field(default_factory=dict)
    budgets: Mapping[str, int] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)

    def worst(self, descriptor: Descriptor) -> int:
        """Bytes of the largest message of `descriptor` the bounds allow (fields without a
        bound are collected in `missing` and count 0). A budget's bytes are added once,
        plus the length prefixes its items may add to the messages that hold them."""
        self._groups: set[str] = set()
        total = self._worst(descriptor)
        return total + sum(self.budgets[g] for g in self._groups)

    def _worst(self, descriptor: Descriptor) -> int:
        if descriptor.full_name in _WELL_KNOWN:
            return _WELL_KNOWN[descriptor.full_name]
        total = 0
        for f in descriptor.fields:
            if f.full_name in self.budgeted:
                self._groups.add(self.budgeted[f.full_name])
                continue
            one = self._value(f)
            if f.is_repeated:
                count = self.lists.get(f.full_name)
                if count is None:
                    self.missing.add(f.full_name)
                    continue
                if f.message_type is None and f.type not in (f.TYPE_STRING, f.TYPE_BYTES):
                    body = count * one  # packed
                    total += _tag(f) + varint_size(body) + body
                else:
                    total += count * (_tag(f) + one)
            else:
                total += _tag(f) + one
        return total

    def _value(self, f: FieldDescriptor) -> int:
        """Bytes of one value of `f` with its length prefix (not its tag)."""
        if f.message_type is not None:
            inner = self._worst(f.message_type)
            # A message holding budgeted items may need a longer length prefix for them.
            return varint_size(inner + sum(self.budgets.values())) + inner
        if f.type in (f.TYPE_STRING, f.TYPE_BYTES):
            n = self.strings.get(f.full_name)
            if n is None:
                self.missing.add(f.full_name)
                return 0
            return varint_size(n) + n
        return _SCALAR[f.type]
