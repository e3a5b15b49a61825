"""The API reference renderer (scripts/api_docs.py): complete, deterministic, with examples."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

ROOT = Path(__file__).resolve().parents[3]


def _load_renderer():
    spec = importlib.util.spec_from_file_location("api_docs", ROOT / "scripts" / "api_docs.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["api_docs"] = module
    spec.loader.exec_module(module)
    return module


api_docs = _load_renderer()


def _descriptor_set(tmp_path: Path, protos: Path) -> descriptor_pb2.FileDescriptorSet:
    out = tmp_path / "set.binpb"
    files = sorted(str(p.relative_to(protos)) for p in (protos / "rapidreview" / "v1").glob("*.proto"))
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", f"-I{protos}", "--include_imports", "--include_source_info",
         f"--descriptor_set_out={out}", *files],
        check=True, cwd=protos, timeout=120,
    )
    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString(out.read_bytes())
    return fds


@pytest.fixture(scope="module")
def repo_set(tmp_path_factory: pytest.TempPathFactory) -> descriptor_pb2.FileDescriptorSet:
    return _descriptor_set(tmp_path_factory.mktemp("fds"), ROOT / "protos")


def test_every_service_rpc_message_field_and_enum_value_of_the_contracts_is_documented(repo_set) -> None:
    pages = api_docs.Renderer(repo_set, access=None, examples_dir=None).render()
    for f in repo_set.file:
        if not f.name.startswith("rapidreview/"):
            continue
        page = pages[Path(f.name).stem + ".md"]
        for svc in f.service:
            assert f'id="{f.package}.{svc.name}"' in page
            for m in svc.method:
                assert f'id="{f.package}.{svc.name}.{m.name}"' in page, m.name
        stack = [(f.package, m) for m in f.message_type]
        while stack:
            prefix, msg = stack.pop()
            stack += [(f"{prefix}.{msg.name}", n) for n in msg.nested_type]
            if msg.options.map_entry:
                continue
            assert f'id="{prefix}.{msg.name}"' in page, msg.name
            for fld in msg.field:
                assert f"| `{fld.name}` | {fld.number} |" in page, f"{msg.name}.{fld.name}"
        for enum in f.enum_type:
            for value in enum.value:
                assert f"| `{value.name}` | {value.number} |" in page, value.name


def test_rendering_is_deterministic(repo_set) -> None:
    first = api_docs.Renderer(repo_set, access=None, examples_dir=ROOT / "docs" / "examples").render()
    second = api_docs.Renderer(repo_set, access=None, examples_dir=ROOT / "docs" / "examples").render()
    assert first == second


PROTO = '''syntax = "proto3";

// Widgets for the test.
package rapidreview.v1;

// Makes widgets.
service WidgetService {
  // Creates a widget. FAILED_PRECONDITION when the <factory> is closed.
  rpc CreateWidget(CreateWidgetRequest) returns (CreateWidgetResponse);
}

// Request for CreateWidget.
message CreateWidgetRequest {
  // Caller-chosen key | kept across retries.
  string idempotency_key = 1;
  // The widget.
  Widget widget = 2;
}

// Response of CreateWidget.
message CreateWidgetResponse {
  // Labels by name.
  map<string, Colour> labels = 1;
}

// A widget.
message Widget {
  // Its colour.
  Colour colour = 1;
  // Its size.
  optional int32 size = 2;
}

// Colours.
enum Colour {
  // Not set.
  COLOUR_UNSPECIFIED = 0;
  // Red.
  COLOUR_RED = 1;
}
'''


@pytest.fixture
def widget_set(tmp_path: Path) -> descriptor_pb2.FileDescriptorSet:
    protos = tmp_path / "protos"
    (protos / "rapidreview" / "v1").mkdir(parents=True)
    (protos / "rapidreview" / "v1" / "widget.proto").write_text(PROTO)
    return _descriptor_set(tmp_path, protos)


def test_rpc_lists_roles_from_the_access_table_and_the_error_codes_its_comment_names(widget_set) -> None:
    access = {"/rapidreview.v1.WidgetService/CreateWidget": {"business_unit": "own_partnership"}}
    page = api_docs.Renderer(widget_set, access=access, examples_dir=None).render()["widget.md"]
    assert "Who may call: `business_unit` (own partnership)" in page
    assert "[`FAILED_PRECONDITION`](errors.md#failed-precondition)" in page
    # comment text is escaped for Markdown: no raw HTML, no broken table cells
    assert "&lt;factory&gt;" in page
    assert "Caller-chosen key \\| kept across retries." in page
    assert "map&lt;string, [`Colour`](#rapidreview.v1.Colour)&gt;" in page
    assert "| `size` | 2 | optional `int32` | `size` | Its size. |" in page


def test_examples_are_attached_verbatim_or_wrapped_in_their_request(widget_set, tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    examples.mkdir()
    (examples / "a-request.json").write_text(json.dumps({"idempotencyKey": "key-12345678", "widget": {"colour": "COLOUR_RED"}}))
    (examples / "b-widget.json").write_text(json.dumps({"colour": "COLOUR_RED", "size": 3}))
    (examples / "c-other.json").write_text(json.dumps({"notAField": 1}))
    renderer = api_docs.Renderer(widget_set, access=None, examples_dir=examples)
    found = renderer.examples_for("rapidreview.v1.CreateWidgetRequest")
    assert [(e.path.name, e.verbatim) for e in found] == [("a-request.json", True), ("b-widget.json", False)]
    assert json.loads(found[1].body) == {"widget": {"colour": "COLOUR_RED", "size": 3}}
    page = renderer.render()["widget.md"]
    assert '"http://$RR_WIDGET_ADDR/rapidreview.v1.WidgetService/CreateWidget"' in page  # RR_<proto file>_ADDR
    assert "More example requests in docs/examples/: [`b-widget.json`]" in page
    assert "c-other.json" not in page
