"""The README and docs/architecture.md list everything that exists, enumerated from the code: every
`rapidreview` command (from the Typer app), every setting (kernel/config.py, the workspace's and the
read model's), every RPC (from the proto descriptors), and every event subject and durable consumer
(from the services' event types and consumer declarations). A new command, setting, RPC, event or
consumer that is not written down fails here, naming it."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
SERVICES = ROOT / "services" / "rapidreview"


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def cli_commands() -> list[str]:
    """Every visible command of the `rapidreview` app, as typed: "notify", "dlq list"..."""
    from typer.main import get_command

    from rapidreview.cli.main import app

    out: list[str] = []

    def walk(command, path: list[str]) -> None:  # type: ignore[no-untyped-def]
        if getattr(command, "hidden", False):
            return
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
        else:
            out.append(" ".join(path))

    walk(get_command(app), [])
    return sorted(out)


def documented_commands(table: str) -> set[str]:
    """The commands the README's CLI table shows: each code span of a row read as
    `[rapidreview] WORD[|WORD...] [WORD[|WORD...]] [arguments]`."""
    found: set[str] = set()
    for line in table.splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = line.split(" | ")[0]
        for span in re.findall(r"`([^`]+)`", first_cell):
            words = span.removeprefix("rapidreview ").split()
            names: list[list[str]] = []
            for word in words[:2]:
                if not re.fullmatch(r"[a-z][a-z-]*(\\?\|[a-z][a-z-]*)*", word):
                    break
                names.append(word.replace("\\|", "|").split("|"))
            if not names:
                continue
            found.update(names[0])
            if len(names) == 2:
                found.update(f"{a} {b}" for a in names[0] for b in names[1])
    return found


def settings() -> list[str]:
    """Every RR_* variable the services read through kernel/config.py."""
    from rapidreview.kernel import config

    return sorted({var for var, _ in config._PARSERS.values()})


def workspace_settings() -> list[str]:
    """Every RR_* variable the workspace and its read model read."""
    from rapidreview.workspace import config as workspace_config
    from rapidreview.workspace.readmodel import config as readmodel_config

    names = {var for var, _ in workspace_config._PARSERS.values()}
    names |= {f"RR_{s.upper()}_ADDR" for s in workspace_config.SERVICES}
    source = Path(readmodel_config.__file__).read_text(encoding="utf-8")
    names |= set(re.findall(r'"(RR_[A-Z0-9_]+)"', source))
    return sorted(names)


def environment_variables() -> list[str]:
    """Every RR_* name written as a string anywhere in the package (CLI, stack, rules...)."""
    names: set[str] = set()
    for path in SERVICES.rglob("*.py"):
        if "/v1/" not in str(path):
            names |= set(re.findall(r'"(RR_[A-Z0-9_]+)"', path.read_text(encoding="utf-8")))
    from rapidreview.kernel.config import _REMOVED

    return sorted(names - set(_REMOVED))


def rpcs() -> list[str]:
    """Every RPC of every service in rapidreview.v1, as "Service.Method"."""
    import rapidreview.v1 as v1

    out = []
    for module in pkgutil.iter_modules(v1.__path__):
        if module.name.endswith("_pb2"):
            descriptor = importlib.import_module(f"rapidreview.v1.{module.name}").DESCRIPTOR
            out += [f"{name}.{method.name}" for name, service in descriptor.services_by_name.items() for method in service.methods]
    return sorted(out)


def event_types() -> list[str]:
    """Every event type the services emit or consume (the strings naming them in the code)."""
    found: set[str] = set()
    for path in SERVICES.rglob("*.py"):
        if "/v1/" not in str(path):
            found |= set(re.findall(r'"((?:incident|agency|information|criteria|summary|decision|review|deadline)\.[a-z_]+)"',
                                    path.read_text(encoding="utf-8")))
    return sorted(e for e in found if e.rsplit(".", 1)[1] not in {"css", "html", "md", "j2", "json", "yaml", "py"})


def durable_consumers(tmp_path: Path) -> list[str]:
    """Every durable consumer any process declares, the optional ones (e-mail delivery) included."""
    from rapidreview.jetstream import CONSUMERS, declared_consumers

    delivery = tmp_path / "delivery.yaml"
    delivery.write_text("smtp: {host: mail.invalid, port: 25, from: rr@example.org}\npartnerships: {leeds: {recipients: [rag@leeds.example]}}\n")
    env = {"RR_DELIVERY_CONFIG_FILE": str(delivery)}
    return sorted({spec.durable for process in CONSUMERS for spec in declared_consumers(process, env)})


def test_the_readme_lists_every_cli_command():
    commands = cli_commands()
    assert len(commands) > 20 and "notify" in commands and "dlq replay" in commands
    shown = documented_commands(_section(README, "The CLI"))
    missing = [c for c in commands if c not in shown]
    assert not missing, f"commands missing from the README's CLI table: {missing}"


def test_the_readme_lists_every_setting_of_the_services():
    table = _section(README, "Configuration")
    missing = [v for v in settings() if f"`{v}`" not in table]
    assert not missing, f"settings missing from the README's configuration table: {missing}"


def test_every_setting_of_the_workspace_is_in_the_readme_or_the_workspace_docs():
    workspace_doc = _section((ROOT / "docs" / "workspace.md").read_text(encoding="utf-8"), "Configuration")
    table = _section(README, "Configuration")
    missing = [v for v in workspace_settings() if f"`{v}`" not in table and v not in workspace_doc
               and v not in (ROOT / "docs" / "workspace.md").read_text(encoding="utf-8")]
    assert not missing, f"workspace settings missing from README and docs/workspace.md: {missing}"


def test_every_environment_variable_the_code_reads_is_documented():
    docs = README + "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    missing = [v for v in environment_variables() if v not in docs]
    assert not missing, f"RR_* variables missing from README and docs: {missing}"


def test_the_readme_lists_every_rpc_of_every_service():
    table = _section(README, "Architecture")
    all_rpcs = rpcs()
    assert "IntakeService.NotifyIncident" in all_rpcs and "DecisionService.GetYearlyFigures" in all_rpcs
    missing = [r for r in all_rpcs if not re.search(rf"`{r.split('.')[1]}`", table)]
    assert not missing, f"RPCs missing from the README's services table: {missing}"


def test_every_rpc_is_described_in_the_docs():
    docs = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    missing = [r for r in rpcs() if not re.search(rf"\b{r.split('.')[1]}\b", docs)]
    assert not missing, f"RPCs no docs/*.md page describes: {missing}"


def test_the_architecture_lists_every_event_subject():
    types = event_types()
    assert "incident.notified" in types and "deadline.overdue" in types
    missing = []
    for event_type in types:
        subject = f"rr.v1.{event_type}" + (".<producer>" if event_type.startswith("deadline.") else "")
        if f"`{subject}`" not in ARCHITECTURE:
            missing.append(subject)
    assert not missing, f"event subjects missing from docs/architecture.md: {missing}"


def test_the_architecture_lists_every_durable_consumer(tmp_path: Path):
    durables = durable_consumers(tmp_path)
    assert "intake-decisions" in durables and "workspace-reminders" in durables
    missing = [d for d in durables if f"`{d}`" not in ARCHITECTURE]
    assert not missing, f"durable consumers missing from docs/architecture.md: {missing}"


@pytest.mark.parametrize("span, expected", [
    ("rapidreview dlq list\\|show", {"dlq", "dlq list", "dlq show"}),
    ("rapidreview report CASE [--pdf F]", {"report"}),
    ("audit export", {"audit", "audit export"}),
])
def test_the_command_reader_understands_the_tables_notation(span: str, expected: set[str]):
    assert documented_commands(f"| `{span}` | what it does |") == expected
