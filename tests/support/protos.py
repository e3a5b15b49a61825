"""The .proto contracts as the tests read them: each field's comment, from a
descriptor set with source info (as scripts/gen-api-docs makes it)."""

from __future__ import annotations

import functools
import subprocess
import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2

PROTOS = Path(__file__).parents[2] / "protos"
MSG_FIELD, MSG_NESTED = 2, 3


@functools.cache
def proto_field_comments() -> dict[str, str]:
    """Full field name ("rapidreview.v1.Notification.agencies") -> its leading and
    trailing comment, on one line."""
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "api.binpb"
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", str(PROTOS), "--include_source_info",
                        f"--descriptor_set_out={out}", *sorted(str(p) for p in (PROTOS / "rapidreview" / "v1").glob("*.proto"))],
                       check=True)
        files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    comments: dict[str, str] = {}
    for f in files.file:
        where = {tuple(loc.path): loc for loc in f.source_code_info.location}

        def visit(m: descriptor_pb2.DescriptorProto, prefix: str, path: tuple[int, ...]) -> None:
            name = f"{prefix}.{m.name}"
            for i, field in enumerate(m.field):
                loc = where.get((*path, MSG_FIELD, i))
                text = f"{loc.leading_comments} {loc.trailing_comments}" if loc else ""
                comments[f"{name}.{field.name}"] = " ".join(text.split())
            for j, nested in enumerate(m.nested_type):
                visit(nested, name, (*path, MSG_NESTED, j))

        for i, m in enumerate(f.message_type):
            visit(m, f.package, (4, i))
    return comments
