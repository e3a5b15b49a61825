"""Hypothesis strategies for gRPC requests, generated from the message descriptors:
whole random messages, valid requests with a few fields changed (to boundary,
malformed or hostile values), and raw bytes for the wire."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from google.protobuf import message
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from hypothesis import strategies as st

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
BOUNDARY_INTS = (0, 1, -1, 2, 4, 49, 50, 51, 100, 101, 199, 200, 201, 499, 500, 501, 1000, INT32[0], INT32[1])
LENGTHS = (8, 63, 64, 65, 100, 101, 127, 128, 129, 199, 200, 201, 1999, 2000, 2001, 3999, 4000, 4001, 20_000)
HOSTILE = (
    "", " ", "\t\n", "a", "leeds", "bradford", "LEEDS", "00000000-0000-0000-0000-000000000000", "not-a-uuid",
    "2024-06-07", "2024-02-30", "2024-6-7", "0000-00-00", "9999-12-31", "1999-12-31", "2025-01-20", "2025-01-21",
    "2025-13-01", "RR.DEADLINE", "NOTIFY.DEADLINE", "SIX_MONTHS", "wt2023", "wt2018", "wt2023@2023.1", "wt2023@9.9", "wt1999",
    "LOCAL.IMPROVEMENTS", "RR.REQUIRED", "west-yorkshire-police", "gp-practice", "Child K", "Mr Smith", "Dr Jones",
    "\x00", "\x00\x01\x02", "' OR 1=1 --", "'; DROP TABLE incidents; --", "%s%s%s%n", "{0}{1}", "${jndi:ldap://x}",
    "../../etc/passwd", "<script>alert(1)</script>", "😀" * 3, "\u202etxt.exe", "\ufeff", "Ａ", "ß" * 70,
    "a:b:c", "v1:k1:AAAA", "null", "NaN", "-1", "1e309",
    # page tokens: base64 of a huge number, a negative one, zero, JSON, and of nothing sensible
    "OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "LTE=", "MA==", "eyJhIjoxfQ==", "AAAA", "====", "MjAyNC0wNi0wN3w=",
)


def text_values(extra: Sequence[str] = ()) -> st.SearchStrategy[str]:
    """Strings a caller might send: known ids and valid-looking values, hostile and
    malformed ones, long ones at and around every length limit, and arbitrary text."""
    return st.one_of(
        st.sampled_from(tuple(extra) + HOSTILE) if extra else st.sampled_from(HOSTILE),
        st.builds(lambda n, c: c * n, st.sampled_from(LENGTHS), st.sampled_from(("x", "é", "7", " "))),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
        st.uuids().map(str),
    )


def int_values(bits: tuple[int, int]) -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from([b for b in BOUNDARY_INTS if bits[0] <= b <= bits[1]]), st.integers(*bits))


def scalar(field: FieldDescriptor, known: Sequence[str]) -> st.SearchStrategy[object]:
    t = field.type
    if t == FieldDescriptor.TYPE_STRING:
        return text_values(known)
    if t == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=64)
    if t == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if t == FieldDescriptor.TYPE_ENUM:
        numbers = sorted(field.enum_type.values_by_number)
        return st.one_of(st.sampled_from(numbers), int_values(INT32))  # proto3 enums are open: any int32 travels
    if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return st.floats(allow_nan=True, allow_infinity=True, width=64 if t == FieldDescriptor.TYPE_DOUBLE else 32)
    if t in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64):
        return int_values(INT64)
    if t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return int_values((0, 2**32 - 1))
    if t in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return int_values((0, 2**64 - 1))
    return int_values(INT32)


@st.composite
def random_message(draw, descriptor: Descriptor, known: Sequence[str], depth: int = 0):  # type: ignore[no-untyped-def]
    """A message of `descriptor` with a random subset of its fields set (nested to depth 3)."""
    from google.protobuf import message_factory

    msg = message_factory.GetMessageClass(descriptor)()
    for field in descriptor.fields:
        if not draw(st.booleans()):
            continue
        set_field(msg, field, draw(field_values(field, known, depth)))
    return msg


def field_values(field: FieldDescriptor, known: Sequence[str], depth: int) -> st.SearchStrategy[object]:
    if field.message_type is not None:
        if depth >= 3:
            element: st.SearchStrategy[object] = st.none()
        else:
            element = random_message(field.message_type, known, depth + 1)
    else:
        element = scalar(field, known)
    if field.is_repeated:
        return st.lists(element, max_size=3 if depth < 2 else 1)
    return element


def set_field(msg: message.Message, field: FieldDescriptor, value: object) -> None:
    """Sets a field whatever its kind; a value the runtime refuses (out of range) leaves it unset."""
    try:
        if field.is_repeated:
            container = getattr(msg, field.name)
            del container[:]
            for item in value:  # type: ignore[attr-defined]
                if field.message_type is not None:
                    if item is not None:
                        container.add().CopyFrom(item)
                else:
                    container.append(item)
        elif field.message_type is not None:
            if value is None:
                msg.ClearField(field.name)
            else:
                getattr(msg, field.name).CopyFrom(value)
        else:
            setattr(msg, field.name, value)
    except (ValueError, TypeError):
        msg.ClearField(field.name)


def leaf_paths(msg: message.Message, prefix: tuple = ()) -> list[tuple]:  # type: ignore[type-arg]
    """Paths of every field of `msg` (set or not) down to scalars, through set sub-messages and
    repeated elements: (("notification", None), ("child", None), ("child_ref", None)), index for elements."""
    out = []
    for field in msg.DESCRIPTOR.fields:
        out.append(prefix + ((field.name, None),))
        if field.message_type is None:
            continue
        if field.is_repeated:
            for i, item in enumerate(getattr(msg, field.name)):
                out += leaf_paths(item, prefix + ((field.name, i),))
        elif msg.HasField(field.name):
            out += leaf_paths(getattr(msg, field.name), prefix + ((field.name, None),))
    return out


def _resolve(msg: message.Message, path: tuple) -> tuple[message.Message, FieldDescriptor]:  # type: ignore[type-arg]
    for name, index in path[:-1]:
        msg = getattr(msg, name) if index is None else getattr(msg, name)[index]
    return msg, msg.DESCRIPTOR.fields_by_name[path[-1][0]]


@st.composite
def mutated(draw, template: message.Message, known: Sequence[str]):  # type: ignore[no-untyped-def]
    """`template` (a valid request) with 1-3 fields cleared or set to another value."""
    msg = type(template)()
    msg.CopyFrom(template)
    paths = leaf_paths(msg)
    if not paths:  # a message without fields: nothing to change
        return msg
    for path in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3, unique=True)):
        try:
            parent, field = _resolve(msg, path)
        except (IndexError, KeyError, AttributeError):
            continue  # an earlier change removed this path
        if draw(st.integers(0, 5)) == 0:
            parent.ClearField(field.name)
        else:
            set_field(parent, field, draw(field_values(field, known, depth=len(path))))
    return msg


@dataclass(frozen=True)
class Wire:
    """Raw bytes for the wire, not necessarily a message of the RPC."""

    data: bytes

    def SerializeToString(self, **_: object) -> bytes:  # noqa: N802 - same call as a message
        return self.data


def wire_bytes(template: message.Message) -> st.SearchStrategy[Wire]:
    valid = template.SerializeToString()
    return st.one_of(
        st.binary(max_size=300),
        st.builds(lambda n: valid[:n], st.integers(0, max(0, len(valid) - 1))),  # truncated
        st.builds(lambda junk: valid + junk, st.binary(min_size=1, max_size=40)),  # trailing garbage
        st.builds(lambda b, i: valid[:i] + bytes([b]) + valid[i + 1:], st.integers(0, 255), st.integers(0, max(0, len(valid) - 1))),
    ).map(Wire)


def requests(template: message.Message, known: Sequence[str]) -> st.SearchStrategy[object]:
    """Valid, boundary and malformed requests around `template`, and raw bytes."""
    return st.one_of(
        st.just(template),
        mutated(template, known),
        mutated(template, known),
        mutated(template, known),
        random_message(template.DESCRIPTOR, known),
        wire_bytes(template),
    )
