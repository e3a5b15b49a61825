"""What an amendment of a notification changed: fields and duties, named so the
amendment record says it without quoting personal data."""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf import message

from rapidreview.v1 import common_pb2, intake_pb2


def changed_fields(old: intake_pb2.Notification, new: intake_pb2.Notification) -> list[str]:
    """Paths of the fields that differ ("abuse_or_neglect", "child.age_years",
    "agencies"), in the order of the message."""
    return _diff(old, new, "")


def _diff(old: message.Message, new: message.Message, prefix: str) -> list[str]:
    out = []
    for field in old.DESCRIPTOR.fields:
        path = prefix + field.name
        a, b = getattr(old, field.name), getattr(new, field.name)
        if field.message_type is not None and not field.is_repeated:
            out.extend(_diff(a, b, path + "."))
        elif field.has_presence and old.HasField(field.name) != new.HasField(field.name):
            out.append(path)
        elif (list(a) if field.is_repeated else a) != (list(b) if field.is_repeated else b):
            out.append(path)
    return out


def _outcome(value: int) -> str:
    return common_pb2.Outcome.Name(value).removeprefix("OUTCOME_")


def duties_changed(old: Iterable[common_pb2.RuleOutcome], new: Iterable[common_pb2.RuleOutcome]) -> list[str]:
    """"RULE: OLD -> NEW" for each duty whose outcome changed (a duty present on
    one side only counts as NOT_APPLICABLE on the other)."""
    before = {d.rule_id: d.outcome for d in old}
    after = {d.rule_id: d.outcome for d in new}
    out = []
    for rule_id in list(after) + [r for r in before if r not in after]:
        a = before.get(rule_id, common_pb2.OUTCOME_NOT_APPLICABLE)
        b = after.get(rule_id, common_pb2.OUTCOME_NOT_APPLICABLE)
        if a != b:
            out.append(f"{rule_id}: {_outcome(a)} -> {_outcome(b)}")
    return out
