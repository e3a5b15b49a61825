"""Renders the API reference (docs/api/) from the proto contracts.

Input: a FileDescriptorSet with source info, made by
`grpc_tools.protoc --include_source_info --include_imports --descriptor_set_out`
(see scripts/gen-api-docs). Output: one Markdown page per proto file of
`protos/rapidreview/v1/` (services, RPCs, messages, fields, enums, with their
comments), an index, and the error model. Every RPC lists the roles that may
call it (from the access table) and the error codes its comment names; an RPC
whose request matches a JSON file in docs/examples/ gets a copy-paste
`buf curl` example.

Deterministic: the same protos, access table and examples give byte-identical
pages (declaration order, sorted examples, no timestamps).

    python scripts/api_docs.py --descriptor-set FILE --out DIR [--examples DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

PACKAGE_PREFIX = "rapidreview/"

# FileDescriptorProto / DescriptorProto / ... field numbers used in SourceCodeInfo paths.
FILE_PACKAGE, FILE_MESSAGE, FILE_ENUM, FILE_SERVICE, FILE_SYNTAX = 2, 4, 5, 6, 12
MSG_FIELD, MSG_NESTED, MSG_ENUM, MSG_ONEOF = 2, 3, 4, 8
ENUM_VALUE = 2
SERVICE_METHOD = 2

STATUS_CODES = [
    "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
    "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
]
# Every rapidreview RPC can fail with these, whatever its comment says (see errors.md).
COMMON_CODES = ["UNAUTHENTICATED", "PERMISSION_DENIED", "INVALID_ARGUMENT", "INTERNAL", "UNAVAILABLE"]

SCALARS = {
    descriptor_pb2.FieldDescriptorProto.TYPE_DOUBLE: "double",
    descriptor_pb2.FieldDescriptorProto.TYPE_FLOAT: "float",
    descriptor_pb2.FieldDescriptorProto.TYPE_INT64: "int64",
    descriptor_pb2.FieldDescriptorProto.TYPE_UINT64: "uint64",
    descriptor_pb2.FieldDescriptorProto.TYPE_INT32: "int32",
    descriptor_pb2.FieldDescriptorProto.TYPE_FIXED64: "fixed64",
    descriptor_pb2.FieldDescriptorProto.TYPE_FIXED32: "fixed32",
    descriptor_pb2.FieldDescriptorProto.TYPE_BOOL: "bool",
    descriptor_pb2.FieldDescriptorProto.TYPE_STRING: "string",
    descriptor_pb2.FieldDescriptorProto.TYPE_BYTES: "bytes",
    descriptor_pb2.FieldDescriptorProto.TYPE_UINT32: "uint32",
    descriptor_pb2.FieldDescriptorProto.TYPE_SFIXED32: "sfixed32",
    descriptor_pb2.FieldDescriptorProto.TYPE_SFIXED64: "sfixed64",
    descriptor_pb2.FieldDescriptorProto.TYPE_SINT32: "sint32",
    descriptor_pb2.FieldDescriptorProto.TYPE_SINT64: "sint64",
}

# Default ports by proto file (RR_GRPC_LISTEN overrides; the embedded stack picks free ports).
DEFAULT_PORTS = {"intake": "50051", "gathering": "50052", "criteria": "50053", "decisions": "50054", "access_log": "every service's port"}


# --------------------------------------------------------------------------- text helpers


def _escape_html(text: str) -> str:
    """Escapes `<`, `>` and `&` outside inline code so Markdown renders them as text."""
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(part)
        else:
            out.append(part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    return "".join(out)


def _clean(comment: str) -> str:
    """A proto comment as Markdown paragraphs: common indentation removed, trailing blanks dropped."""
    lines = [line.rstrip() for line in comment.strip("\n").split("\n")]
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    return _escape_html("\n".join(line[cut:] for line in lines).strip())


def _one_line(comment: str) -> str:
    """A comment squeezed into one table cell."""
    text = " ".join(part.strip() for part in comment.split("\n") if part.strip())
    return _escape_html(text).replace("|", "\\|")


def _anchor(full_name: str) -> str:
    return full_name


# --------------------------------------------------------------------------- model


@dataclass
class Location:
    leading: str = ""
    trailing: str = ""
    detached: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(part.strip("\n") for part in (self.leading, self.trailing) if part.strip())


class Comments:
    def __init__(self, file: descriptor_pb2.FileDescriptorProto) -> None:
        self.by_path: dict[tuple[int, ...], Location] = {}
        for loc in file.source_code_info.location:
            self.by_path[tuple(loc.path)] = Location(loc.leading_comments, loc.trailing_comments, list(loc.leading_detached_comments))

    def get(self, path: Iterable[int]) -> Location:
        return self.by_path.get(tuple(path), Location())


@dataclass
class TypeInfo:
    full_name: str
    page: str  # docs page file name; "" for types outside the package
    kind: str  # "message" | "enum"


@dataclass
class Example:
    path: Path
    body: str  # JSON text of the request
    verbatim: bool  # True when the file itself is the request


class Renderer:
    def __init__(self, fds: descriptor_pb2.FileDescriptorSet, *, access: dict[str, dict[str, str]] | None, examples_dir: Path | None,
                 examples_label: str = "docs/examples") -> None:
        self.fds = fds
        self.access = access
        self.files = [f for f in fds.file if f.name.startswith(PACKAGE_PREFIX)]
        self.types: dict[str, TypeInfo] = {}
        for f in fds.file:
            page = self.page_name(f) if f.name.startswith(PACKAGE_PREFIX) else ""
            for prefix, msg in self._walk_messages(f.package, f.message_type):
                self.types[f"{prefix}.{msg.name}"] = TypeInfo(f"{prefix}.{msg.name}", page, "message")
                for enum in msg.enum_type:
                    self.types[f"{prefix}.{msg.name}.{enum.name}"] = TypeInfo(f"{prefix}.{msg.name}.{enum.name}", page, "enum")
            for enum in f.enum_type:
                self.types[f"{f.package}.{enum.name}"] = TypeInfo(f"{f.package}.{enum.name}", page, "enum")
        self.pool = descriptor_pool.DescriptorPool()
        for f in fds.file:
            self.pool.Add(f)
        self.examples_label = examples_label
        self.examples = self._load_examples(examples_dir)

    # -- discovery --------------------------------------------------------------
    @staticmethod
    def page_name(file: descriptor_pb2.FileDescriptorProto) -> str:
        return Path(file.name).stem + ".md"

    def _walk_messages(self, prefix: str, messages: Iterable[descriptor_pb2.DescriptorProto]):
        for msg in messages:
            yield prefix, msg
            yield from self._walk_messages(f"{prefix}.{msg.name}", msg.nested_type)

    def _load_examples(self, folder: Path | None) -> list[tuple[Path, object]]:
        if folder is None or not folder.is_dir():
            return []
        out = []
        for path in sorted(folder.glob("*.json")):
            try:
                out.append((path, json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError):
                print(f"api-docs: {path.name}: not valid JSON, ignored", file=sys.stderr)
        return out

    def _parses_as(self, data: object, full_name: str) -> bool:
        if not isinstance(data, dict) or not data:
            return False
        cls = message_factory.GetMessageClass(self.pool.FindMessageTypeByName(full_name))
        try:
            json_format.ParseDict(data, cls())
        except (json_format.ParseError, TypeError, ValueError):
            return False
        return True

    def examples_for(self, request_type: str) -> list[Example]:
        """Example files that are this request (verbatim) or one of its message fields (wrapped)."""
        found: list[Example] = []
        desc = self.pool.FindMessageTypeByName(request_type)
        for path, data in self.examples:
            if self._parses_as(data, request_type):
                found.append(Example(path, path.read_text(encoding="utf-8").rstrip("\n"), True))
                continue
            for fld in desc.fields:
                if fld.message_type is None or fld.is_repeated or fld.message_type.GetOptions().map_entry:
                    continue
                if self._parses_as(data, fld.message_type.full_name):
                    wrapped = {fld.json_name: data}
                    found.append(Example(path, json.dumps(wrapped, indent=2, ensure_ascii=False), False))
                    break
        return found

    # -- links -------------------------------------------------------------------
    def type_ref(self, type_name: str, from_page: str) -> str:
        name = type_name.lstrip(".")
        info = self.types.get(name)
        short = name[len("rapidreview.v1."):] if name.startswith("rapidreview.v1.") else name
        if info is None or not info.page:
            return f"`{name}`"
        target = f"#{_anchor(name)}" if info.page == from_page else f"{info.page}#{_anchor(name)}"
        return f"[`{short}`]({target})"

    def field_type(self, fld: descriptor_pb2.FieldDescriptorProto, owner: descriptor_pb2.DescriptorProto, page: str) -> str:
        if fld.type in SCALARS:
            return f"`{SCALARS[fld.type]}`"
        if fld.type == descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE:
            nested = {n.name: n for n in owner.nested_type}
            entry_name = fld.type_name.rsplit(".", 1)[-1]
            entry = nested.get(entry_name)
            if entry is not None and entry.options.map_entry:
                key, value = entry.field[0], entry.field[1]
                return f"map&lt;{self.field_type(key, entry, page).strip('`')}, {self.field_type(value, entry, page)}&gt;"
        return self.type_ref(fld.type_name, page)

    # -- rendering -----------------------------------------------------------------
    def render(self) -> dict[str, str]:
        pages = {"README.md": self.render_index(), "errors.md": self.render_errors()}
        for f in self.files:
            pages[self.page_name(f)] = self.render_file(f)
        return pages

    def file_summary(self, f: descriptor_pb2.FileDescriptorProto) -> str:
        comments = Comments(f)
        text = comments.get([FILE_PACKAGE]).text or "\n\n".join(comments.get([FILE_SYNTAX]).detached)
        return _clean(text)

    def render_index(self) -> str:
        out = [
            "# Rapid Review API reference",
            "",
            "<!-- Generated by scripts/gen-api-docs from protos/ and the access table; do not edit. -->",
            "",
            "Package `rapidreview.v1`. Every RPC is unary, needs a bearer token (or an mTLS client",
            "certificate mapped to a principal) and fails with the statuses of the [error model](errors.md).",
            "Servers have gRPC server reflection and `grpc.health.v1` on, so tools such as `buf curl` need no",
            "proto files. Partner onboarding, step by step: [docs/integration.md](../integration.md).",
            "",
            "## Services",
            "",
            "| service | default port | RPCs | page |",
            "|---|---|---|---|",
        ]
        for f in self.files:
            for svc in f.service:
                rpcs = ", ".join(f"[`{m.name}`]({self.page_name(f)}#{_anchor(f'{f.package}.{svc.name}.{m.name}')})" for m in svc.method)
                port = DEFAULT_PORTS.get(Path(f.name).stem, "")
                out.append(f"| `{f.package}.{svc.name}` | {port} | {rpcs} | [{self.page_name(f)}]({self.page_name(f)}) |")
        out += ["", "## Proto files", "", "| file | what it holds |", "|---|---|"]
        for f in self.files:
            summary = _one_line(self.file_summary(f).split("\n\n")[0])
            out.append(f"| [`{f.name}`]({self.page_name(f)}) | {summary} |")
        out += [
            "",
            "## Conventions",
            "",
            "- Field names are `snake_case` in protos and field violations, `lowerCamelCase` in proto3 JSON",
            "  (`buf curl`, `json_format`, Node's proto-loader with `keepCase: false`). Each field table gives both.",
            "- Calendar dates in law are strings `YYYY-MM-DD`; instants are `google.protobuf.Timestamp`.",
            "- Enum value `..._UNSPECIFIED` (0) means \"not set\" and is refused where a value is required.",
            "- Commands that create a record take an `idempotency_key` (8-128 characters): keep it across",
            "  retries. The same key with the same body returns the stored answer; with a different body,",
            "  `ALREADY_EXISTS`.",
            "- Send `x-request-id` metadata to correlate your call with the service's logs; errors quote it.",
            "",
        ]
        return "\n".join(out)

    def render_errors(self) -> str:
        return ERRORS_PAGE

    def render_file(self, f: descriptor_pb2.FileDescriptorProto) -> str:
        page = self.page_name(f)
        comments = Comments(f)
        out = [f"# {f.name}", "", "<!-- Generated by scripts/gen-api-docs from protos/; do not edit. -->", ""]
        out += [f"Package `{f.package}`. [Index](README.md) · [Error model](errors.md)", ""]
        summary = self.file_summary(f)
        if summary:
            out += [summary, ""]
        # table of contents
        toc = []
        for svc in f.service:
            toc.append(f"- service [`{svc.name}`](#{_anchor(f'{f.package}.{svc.name}')})")
        for prefix, msg in self._walk_messages(f.package, f.message_type):
            if msg.options.map_entry:
                continue
            name = f"{prefix}.{msg.name}"
            toc.append(f"- message [`{name[len(f.package) + 1:]}`](#{_anchor(name)})")
        for enum in f.enum_type:
            toc.append(f"- enum [`{enum.name}`](#{_anchor(f'{f.package}.{enum.name}')})")
        if toc:
            out += ["## Contents", "", *toc, ""]
        for i, svc in enumerate(f.service):
            out += self.render_service(f, svc, comments, [FILE_SERVICE, i], page)
        if f.message_type:
            out += ["## Messages", ""]
            for i, msg in enumerate(f.message_type):
                out += self.render_message(f.package, msg, comments, [FILE_MESSAGE, i], page)
        if f.enum_type:
            out += ["## Enums", ""]
            for i, enum in enumerate(f.enum_type):
                out += self.render_enum(f"{f.package}.{enum.name}", enum, comments, [FILE_ENUM, i])
        while out and out[-1] == "":
            out.pop()
        return "\n".join(out) + "\n"

    def render_service(self, f, svc, comments: Comments, path: list[int], page: str) -> list[str]:
        full = f"{f.package}.{svc.name}"
        out = [f'<a id="{_anchor(full)}"></a>', "", f"## Service `{svc.name}`", ""]
        text = _clean(comments.get(path).text)
        if text:
            out += [text, ""]
        out += ["| RPC | request | response | who may call |", "|---|---|---|---|"]
        for m in svc.method:
            out.append(
                f"| [`{m.name}`](#{_anchor(f'{full}.{m.name}')}) | {self.type_ref(m.input_type, page)} | "
                f"{self.type_ref(m.output_type, page)} | {self.roles(full, m.name)} |"
            )
        out.append("")
        for j, m in enumerate(svc.method):
            out += self.render_method(full, m, comments, [*path, SERVICE_METHOD, j], page)
        return out

    def roles(self, service: str, method: str) -> str:
        if self.access is None:
            return "see the access table"
        row = self.access.get(f"/{service}/{method}")
        if not row:
            return "nobody yet (no access-table row)"
        return ", ".join(f"`{role}` ({scope.replace('_', ' ')})" for role, scope in row.items())

    def render_method(self, service: str, m, comments: Comments, path: list[int], page: str) -> list[str]:
        full = f"{service}.{m.name}"
        stream_in = "stream " if m.client_streaming else ""
        stream_out = "stream " if m.server_streaming else ""
        out = [f'<a id="{_anchor(full)}"></a>', "", f"### `{m.name}`", ""]
        out += [
            "```proto",
            f"rpc {m.name}({stream_in}{m.input_type.rsplit('.', 1)[-1]}) returns ({stream_out}{m.output_type.rsplit('.', 1)[-1]});",
            "```",
            "",
        ]
        text = _clean(comments.get(path).text)
        if text:
            out += [text, ""]
        out += [
            f"- Method path: `/{service}/{m.name}`",
            f"- Request: {self.type_ref(m.input_type, page)} · Response: {self.type_ref(m.output_type, page)}",
            f"- Who may call: {self.roles(service, m.name)}",
        ]
        named = [code for code in STATUS_CODES if re.search(rf"\b{code}\b", text)]
        codes = named + [c for c in COMMON_CODES if c not in named]
        out.append("- Errors: " + ", ".join(f"[`{c}`](errors.md#{c.lower().replace('_', '-')})" for c in codes))
        out.append("")
        examples = self.examples_for(m.input_type.lstrip("."))
        if examples:
            out += self.render_example(service, m.name, examples[0])
        if len(examples) > 1:
            more = ", ".join(f"[`{e.path.name}`](../examples/{e.path.name})" for e in examples[1:])
            out += [f"More example requests in {self.examples_label}/: {more}.", ""]
        return out

    def render_example(self, service: str, method: str, example: Example) -> list[str]:
        # the address variable the CLI, the clients and docs/integration.md use: RR_<proto file stem>_ADDR
        stem = next((Path(f.name).stem for f in self.files for s in f.service if f"{f.package}.{s.name}" == service), "service")
        env = f"RR_{stem.upper()}_ADDR"
        source = f"{self.examples_label}/{example.path.name}"
        how = f"the request in [`{source}`](../examples/{example.path.name})" if example.verbatim else \
            f"[`{source}`](../examples/{example.path.name}) wrapped in its request"
        return [
            f"Example ({how}), with `${env}` and `$RR_TOKEN` set as in [integration.md](../integration.md):",
            "",
            "```sh",
            "npx buf curl --protocol grpc --http2-prior-knowledge \\",
            '  -H "authorization: Bearer $RR_TOKEN" -H "x-request-id: docs-example-1" \\',
            f'  -d @- "http://${env}/{service}/{method}" <<\'JSON\'',
            example.body,
            "JSON",
            "```",
            "",
        ]

    def render_message(self, prefix: str, msg, comments: Comments, path: list[int], page: str) -> list[str]:
        if msg.options.map_entry:
            return []
        full = f"{prefix}.{msg.name}"
        out = [f'<a id="{_anchor(full)}"></a>', "", f"### `{full[len('rapidreview.v1.'):] if full.startswith('rapidreview.v1.') else full}`", ""]
        if msg.options.deprecated:
            out += ["**Deprecated.**", ""]
        text = _clean(comments.get(path).text)
        if text:
            out += [text, ""]
        real_oneofs = {}
        for idx, oneof in enumerate(msg.oneof_decl):
            members = [f for f in msg.field if f.HasField("oneof_index") and f.oneof_index == idx and not f.proto3_optional]
            if members:
                real_oneofs[idx] = oneof.name
        if msg.field:
            out += ["| field | number | type | JSON name | description |", "|---|---|---|---|---|"]
            for k, fld in enumerate(msg.field):
                label = ""
                if fld.label == descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED and "map&lt;" not in self.field_type(fld, msg, page):
                    label = "repeated "
                elif fld.proto3_optional:
                    label = "optional "
                notes = []
                if fld.HasField("oneof_index") and fld.oneof_index in real_oneofs:
                    notes.append(f"One of `{real_oneofs[fld.oneof_index]}`.")
                if fld.options.deprecated:
                    notes.append("**Deprecated.**")
                desc = " ".join([*notes, _one_line(comments.get([*path, MSG_FIELD, k]).text)]).strip()
                out.append(f"| `{fld.name}` | {fld.number} | {label}{self.field_type(fld, msg, page)} | `{fld.json_name}` | {desc} |")
            out.append("")
        else:
            out += ["No fields.", ""]
        for i, enum in enumerate(msg.enum_type):
            out += self.render_enum(f"{full}.{enum.name}", enum, comments, [*path, MSG_ENUM, i])
        for i, nested in enumerate(msg.nested_type):
            out += self.render_message(full, nested, comments, [*path, MSG_NESTED, i], page)
        return out

    def render_enum(self, full: str, enum, comments: Comments, path: list[int]) -> list[str]:
        short = full[len("rapidreview.v1."):] if full.startswith("rapidreview.v1.") else full
        out = [f'<a id="{_anchor(full)}"></a>', "", f"### enum `{short}`", ""]
        text = _clean(comments.get(path).text)
        if text:
            out += [text, ""]
        out += ["| value | number | description |", "|---|---|---|"]
        for k, value in enumerate(enum.value):
            desc = _one_line(comments.get([*path, ENUM_VALUE, k]).text)
            if value.options.deprecated:
                desc = ("**Deprecated.** " + desc).strip()
            out.append(f"| `{value.name}` | {value.number} | {desc} |")
        out.append("")
        return out


ERRORS_PAGE = """# Error model

<!-- Generated by scripts/gen-api-docs; do not edit. -->

[Index](README.md)

Errors are part of the API. Every failed call ends with a standard gRPC status code and a message
that names fields and steps, never the values you sent. Invalid input also carries a
`google.rpc.Status` in the binary trailer `grpc-status-details-bin`, whose `details` hold one
`google.rpc.BadRequest` listing every field violation at once. A rejected request stores nothing, so
you can fix it and send it again with the same idempotency key.

| code | when | retry? |
|---|---|---|
| <a id="invalid-argument"></a>`INVALID_ARGUMENT` | the request is invalid (field violations attached), or its bytes are not the RPC's request message | no: fix the fields named |
| <a id="failed-precondition"></a>`FAILED_PRECONDITION` | a step is done out of order (e.g. a return once gathering is closed); the message names the missing step | no: do the missing step first |
| <a id="already-exists"></a>`ALREADY_EXISTS` | an idempotency key was reused with a different body | no: use a new key for a new request |
| <a id="not-found"></a>`NOT_FOUND` | the case or record does not exist (for an agency: the case has no information request for it) | no |
| <a id="unauthenticated"></a>`UNAUTHENTICATED` | no token, or an invalid or expired token (or no accepted client certificate) | after getting a new token |
| <a id="permission-denied"></a>`PERMISSION_DENIED` | your role may not call this RPC, or the case or record belongs to another partnership or agency (it is not hidden as `NOT_FOUND`) | no |
| <a id="resource-exhausted"></a>`RESOURCE_EXHAUSTED` | you are over your rate limit; a `google.rpc.RetryInfo` detail says how long to wait | yes, after that pause |
| <a id="unavailable"></a>`UNAVAILABLE` | the service is starting, stopping or unreachable, or overloaded (then with a `google.rpc.RetryInfo` detail: retry no sooner) | yes, with backoff and the same idempotency key |
| <a id="deadline-exceeded"></a>`DEADLINE_EXCEEDED` | your deadline passed before the answer came | yes, with the same idempotency key (the first attempt may have been stored: the key makes the retry safe) |
| <a id="internal"></a>`INTERNAL` | a bug; the message is only `internal error; quote request id <id>` | no: report the request id |
| <a id="cancelled"></a>`CANCELLED` | you cancelled the call (the services never cancel one: under overload a call waits until your deadline, `DEADLINE_EXCEEDED`) | - |

## Field violations

```proto
// google/rpc/status.proto: serialized into the `grpc-status-details-bin` trailer.
message Status {
  int32 code = 1;                       // the gRPC status code, e.g. 3 = INVALID_ARGUMENT
  string message = 2;                   // e.g. "invalid request: notification.child.child_ref"
  repeated google.protobuf.Any details = 3;  // one google.rpc.BadRequest for invalid input
}

// google/rpc/error_details.proto
message BadRequest {
  message FieldViolation {
    string field = 1;        // path of the field in the request, snake_case, dots for nesting,
                             // e.g. "notification.child.child_ref" or "notification.agencies[2].kind"
    string description = 2;  // what is wrong, e.g. "required" or "must not be in the future"
  }
  repeated FieldViolation field_violations = 1;
}
```

Reading them:

- Python client (`clients/python`): every failed call raises `rapidreview_client.RapidReviewError`
  (a subclass per code, e.g. `InvalidArgumentError`); `error.field_violations` is a list of
  `FieldViolation(field, description)`, `error.request_id` the id to quote.
- Python with plain grpcio: `grpc_status.rpc_status.from_call(error)` then unpack
  `google.rpc.BadRequest` from `status.details`.
- `buf curl` prints the status as JSON on stderr, each detail as its type and its bytes in base64;
  `buf convert` with the repository's protos turns a detail into JSON:
  ```sh
  npx buf curl ... 2> error.json
  python3 -c 'import base64,json; v=next(d["value"] for d in json.load(open("error.json"))["details"] if d["type"]=="google.rpc.BadRequest"); open("bad-request.binpb","wb").write(base64.urlsafe_b64decode(v+"="*(-len(v)%4)))'
  npx buf convert protos --type google.rpc.BadRequest --from bad-request.binpb#format=binpb --to -#format=json
  # {"fieldViolations":[{"field":"idempotency_key","description":"8 to 128 printable characters"}, ...]}
  ```
- Node.js (`@grpc/grpc-js`): `error.metadata.get('grpc-status-details-bin')[0]` is the serialized
  `google.rpc.Status`. Decode it with a protobuf library and the two files shipped in
  `protos/google/rpc/` (`status.proto`, `error_details.proto`: unchanged copies of googleapis'
  files, Apache 2.0, as published in googleapis-common-protos), e.g. protobufjs — or without any
  proto file with `tests/interop/rr-errors.mjs` (`fieldViolations(err)`; `decodeStatus(err, protoDir)`
  for every detail).

## Request ids

Send `x-request-id` (at most 64 characters) with every call and keep it across retries; the
service binds it to its logs and to the events the call causes (correlation id). Without one the
service makes its own. An `INTERNAL` error quotes it.
"""


def load_access_table() -> dict[str, dict[str, str]] | None:
    """The access table as {method: {role: scope}}, or None when the server package is absent."""
    try:
        from rapidreview.access import ACCESS_TABLE
    except Exception:  # noqa: BLE001 - documentation still renders without it
        return None
    return {method: {role.value: scope.value for role, scope in row.items()} for method, row in ACCESS_TABLE.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--descriptor-set", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--examples", type=Path, default=None)
    parser.add_argument("--no-access-table", action="store_true", help="do not list who may call each RPC")
    args = parser.parse_args(argv)
    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString(args.descriptor_set.read_bytes())
    access = None if args.no_access_table else load_access_table()
    renderer = Renderer(fds, access=access, examples_dir=args.examples)
    args.out.mkdir(parents=True, exist_ok=True)
    pages = renderer.render()
    for stale in args.out.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()
    for name, text in sorted(pages.items()):
        (args.out / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
