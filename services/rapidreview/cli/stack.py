"""Commands that run things: the embedded stack, one service, migrations,
development tokens and health checks."""

from __future__ import annotations

import os
import signal
import threading

import typer
from rich.console import Console
from rich.table import Table

from rapidreview.cli.client import data_dir, stack_state
from rapidreview.kernel.auth import Role

console = Console()


def register(app: typer.Typer) -> None:
    app.command()(up)
    app.command()(status)
    app.command()(serve)
    app.command()(migrate)
    app.command()(token)
    app.command()(health)
    app.command("demo-users")(demo_users)


def up(
    example: bool = typer.Option(False, "--example", help="Push the README's example case through once everything is up."),
    exit_after_example: bool = typer.Option(False, "--exit-after-example", help="Stop the stack after the example (for smoke tests)."),
) -> None:
    """Start NATS, PostgreSQL, every service, the web workspace and a local sign-in provider on free
    loopback ports; Ctrl-C stops them."""
    from rapidreview.stack.supervisor import EmbeddedStack

    stack = EmbeddedStack(data_dir(), workspace=True)
    console.print(f"Starting the embedded stack in [bold]{stack.data_dir}[/bold] ...")
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stack.start()
        table = Table(title="Rapid Review embedded stack")
        table.add_column("component")
        table.add_column("endpoint")
        table.add_row("NATS (JetStream)", stack.nats.url)
        table.add_row("PostgreSQL", f"{stack.postgres.display_url()}  (password: {stack.credentials.postgres_password_file})")
        for proc in stack.processes:
            table.add_row(proc.name, f"grpc://{proc.address}  (log: {proc.log_path})")
        table.add_row("OIDC provider (demo sign-in)", stack.oidc_issuer)
        table.add_row("workspace", f"{stack.workspace_url}  (log: {stack.web.log_path if stack.web else ''})")
        console.print(table)
        if example:
            from rapidreview.cli.example import run_example

            run_example(console)
        print_workspace_users(stack.workspace_url)  # last, so that the example's output does not push it away
        if exit_after_example:
            return
        console.print("Running. Press Ctrl-C to stop.")
        stop.wait()
    finally:
        console.print("Stopping ...")
        stack.stop()
        console.print("Stopped.")


#: The local sign-in provider asks no password: the person is chosen by user name on its page.
NO_PASSWORD = "none"


def workspace_sign_in_lines(url: str) -> list[str]:
    """How to sign in to the embedded stack's workspace, as plain lines: the URL, then one line per
    demo user with role, partnership, agency, user name and password (the local provider asks none)."""
    from rapidreview.workspace.demo import GROUPS, USERS

    lines = [f"Workspace: {url}",
             "Demo users (choose Sign in, then the user name on the local provider's page; it asks no password):"]
    for demo in USERS:
        mapped = GROUPS[demo.groups[0]] if demo.groups else {}
        lines.append(f"  role: {mapped.get('role', '(none)'):<14} partnership: {mapped.get('partnership', '-'):<9} "
                     f"agency: {mapped.get('agency', '-'):<22} user: {demo.subject:<28} password: {NO_PASSWORD:<5} {demo.who}")
    return lines


def print_workspace_users(url: str) -> None:
    """Prints the workspace URL and the demo users, one per line, never wrapped or cut."""
    console.print()
    for line in workspace_sign_in_lines(url):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def demo_users(
    url: str = typer.Option("http://127.0.0.1:8080", "--url", help="The workspace's address (the compose stack's by default)."),
) -> None:
    """Print the workspace URL and the demo users of the local sign-in provider, one per line
    (deploy/up prints them for the compose stack; `rapidreview up` prints them itself)."""
    print_workspace_users(url)


def status() -> None:
    """Show each service of the running embedded stack and its health."""
    from rapidreview.stack.supervisor import health_status

    state = stack_state()
    if not state:
        console.print("The embedded stack is not running (no stack.json in the data folder).")
        raise typer.Exit(1)
    table = Table(title="Rapid Review services")
    for col in ("service", "address", "pid", "health"):
        table.add_column(col)
    unhealthy = 0
    for name, info in state["services"].items():
        health = health_status(info["address"])
        unhealthy += health != "SERVING"
        colour = "green" if health == "SERVING" else "red"
        table.add_row(name, info["address"], str(info["pid"]), f"[{colour}]{health}[/{colour}]")
    console.print(table)
    console.print(f"NATS: {state['nats_url']}   PostgreSQL: {state['database_url']}")
    if state.get("workspace_url"):
        console.print(f"Workspace: {state['workspace_url']}   sign-in provider: {state['oidc_issuer']}")
    raise typer.Exit(1 if unhealthy else 0)


def serve(service: str = typer.Argument(..., help="intake, gathering, criteria, decisions or workspace")) -> None:
    """Run one service (or the web workspace) in the foreground, configured by RR_* environment variables."""
    import importlib

    try:
        module = importlib.import_module(f"rapidreview.{service}.bootstrap")
    except ModuleNotFoundError:
        raise typer.BadParameter(f"unknown service {service!r}") from None
    module.run()


def migrate(service: str = typer.Argument(..., help="intake, gathering, criteria, decisions or workspace")) -> None:
    """Apply a service's database migrations (RR_DATABASE_URL); idempotent. `workspace` is the
    web workspace's dashboard read model (schema `workspace`)."""
    from rapidreview.kernel.config import ConfigError, load_settings
    from rapidreview.kernel.migrations import upgrade

    if service == "workspace":
        from rapidreview.kernel.config import _read
        from rapidreview.workspace.readmodel.bootstrap import MIGRATIONS

        try:
            url = _read(os.environ, "RR_DATABASE_URL")
        except ConfigError as exc:
            raise typer.BadParameter(str(exc)) from None
        if not url:
            raise typer.BadParameter("RR_DATABASE_URL: required but not set (or set RR_DATABASE_URL_FILE)")
        upgrade(MIGRATIONS, url)
        console.print("workspace: migrations applied")
        return
    try:
        settings = load_settings(service, require_nats=False)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from None
    upgrade(service, settings.database_url)
    console.print(f"{service}: migrations applied")


def token(
    role: Role = typer.Option(..., "--role", help="Role claim."),
    partnership: str = typer.Option("leeds", "--partnership"),
    agency: str = typer.Option("", "--agency", help="Agency id (required for the agency role)."),
    subject: str = typer.Option("", "--subject"),
    hours: float = typer.Option(12.0, "--hours"),
) -> None:
    """Print a development bearer token signed with the embedded stack's local key."""
    import datetime as dt

    from rapidreview.stack.credentials import DevCredentials

    if role is Role.AGENCY and not agency:
        raise typer.BadParameter("--agency is required for the agency role")
    creds = DevCredentials.ensure(data_dir() / "credentials")
    typer.echo(creds.token(role, partnership=partnership, agency=agency, subject=subject or None, ttl=dt.timedelta(hours=hours)))


def health(addr: str = typer.Option("127.0.0.1:50051", "--addr", help="HOST:PORT of a service")) -> None:
    """Exit 0 when the service at --addr reports SERVING (for container health checks)."""
    from rapidreview.stack.supervisor import health_status

    result = health_status(addr)
    typer.echo(result)
    raise typer.Exit(0 if result == "SERVING" else 1)


