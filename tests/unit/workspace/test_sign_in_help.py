"""What `rapidreview up` (and so `make run`) prints for people to sign in: the workspace URL, then
one line per demo user with role, partnership, agency, user name and password, never wrapped or
cut however narrow the terminal, and printed after the example case's output."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from rich.console import Console

from rapidreview.cli import stack as cli_stack
from rapidreview.workspace.demo import GROUPS, USERS

URL = "http://127.0.0.1:43123"


def test_the_lines_give_the_url_then_each_demo_user_with_role_agency_user_name_and_password() -> None:
    lines = cli_stack.workspace_sign_in_lines(URL)
    assert lines[0] == f"Workspace: {URL}"
    assert "no password" in lines[1]
    users = lines[2:]
    assert len(users) == len(USERS)
    for line, demo in zip(users, USERS, strict=True):
        mapped = GROUPS[demo.groups[0]] if demo.groups else {}
        fields = line.split()
        assert fields[fields.index("role:") + 1] == mapped.get("role", "(none)")
        assert fields[fields.index("partnership:") + 1] == mapped.get("partnership", "-")
        assert fields[fields.index("agency:") + 1] == mapped.get("agency", "-")
        assert fields[fields.index("user:") + 1] == demo.subject
        assert fields[fields.index("password:") + 1] == "none"
        assert line.endswith(demo.who)
    police = next(line for line in users if "demo-police-lead" in line)
    assert "role: agency" in police and "agency: west-yorkshire-police" in police


def test_each_user_is_printed_on_one_line_even_on_a_narrow_terminal() -> None:
    out = io.StringIO()
    with mock.patch.object(cli_stack, "console", Console(file=out, width=40, color_system=None)):
        cli_stack.print_workspace_users(URL)
    printed = out.getvalue().splitlines()
    assert f"Workspace: {URL}" in printed
    for demo in USERS:
        assert len([line for line in printed if f"user: {demo.subject} " in line]) == 1, demo.subject
    assert printed[-len(USERS):] == cli_stack.workspace_sign_in_lines(URL)[2:]


def test_up_prints_the_users_after_the_example_case(tmp_path: Path) -> None:
    class FakeStack:
        def __init__(self, data_dir: Path, workspace: bool) -> None:
            assert workspace
            self.data_dir = data_dir
            self.nats = SimpleNamespace(url="nats://127.0.0.1:4222")
            self.postgres = SimpleNamespace(display_url=lambda: "postgresql://127.0.0.1:5432/rapidreview")
            self.credentials = SimpleNamespace(postgres_password_file=tmp_path / "pw")
            self.processes: list[object] = []
            self.oidc_issuer = "http://127.0.0.1:43124"
            self.workspace_url = URL
            self.web = None

        def start(self) -> None:
            pass

        def stop(self) -> None:
            pass

    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    with mock.patch.object(cli_stack, "console", console), \
            mock.patch("rapidreview.stack.supervisor.EmbeddedStack", FakeStack), \
            mock.patch.object(cli_stack, "data_dir", lambda: tmp_path), \
            mock.patch("rapidreview.cli.example.run_example", lambda c: c.print("THE EXAMPLE CASE'S OUTPUT")), \
            mock.patch.object(cli_stack.signal, "signal"):
        cli_stack.up(example=True, exit_after_example=True)
    text = out.getvalue()
    assert text.index("THE EXAMPLE CASE'S OUTPUT") < text.index(f"Workspace: {URL}")
    for demo in USERS:
        assert f"user: {demo.subject} " in text


def test_the_demo_users_command_prints_the_same_lines_for_the_compose_workspace() -> None:
    from typer.testing import CliRunner

    from rapidreview.cli.main import app

    out = io.StringIO()
    with mock.patch.object(cli_stack, "console", Console(file=out, width=60, color_system=None)):
        result = CliRunner().invoke(app, ["demo-users"])
        assert result.exit_code == 0, result.output
        default = out.getvalue().splitlines()
        out.truncate(0)
        out.seek(0)
        result = CliRunner().invoke(app, ["demo-users", "--url", "https://rr.example.org"])
        assert result.exit_code == 0, result.output
    assert default[-len(USERS) - 2:] == cli_stack.workspace_sign_in_lines("http://127.0.0.1:8080")
    assert out.getvalue().splitlines()[-len(USERS) - 2:] == cli_stack.workspace_sign_in_lines("https://rr.example.org")


def test_deploy_up_starts_compose_in_the_background_then_prints_the_workspace_and_its_demo_users(tmp_path: Path) -> None:
    import os
    import subprocess

    repo = Path(__file__).resolve().parents[3]
    tools = tmp_path / "bin"
    tools.mkdir()
    calls = tmp_path / "compose-calls"
    fake = tools / "podman-compose"  # stands for compose: records how it was called
    fake.write_text(f"#!/bin/sh\necho \"$@\" >> {calls}\n", encoding="utf-8")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}", "RR_SECRETS_DIR": str(tmp_path / "secrets"),
           "RR_WORKSPACE_PUBLIC_URL": "http://127.0.0.1:8080"}
    done = subprocess.run([str(repo / "deploy" / "up")], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert calls.read_text(encoding="utf-8").split() == ["-f", str(repo / "deploy" / "compose.yaml"), "up", "-d"]
    printed = done.stdout.splitlines()
    assert "Workspace: http://127.0.0.1:8080" in printed
    for demo in USERS:
        assert len([line for line in printed if f"user: {demo.subject} " in line and "password: none" in line]) == 1, demo.subject
