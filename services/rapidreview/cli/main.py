"""Entry point of the `rapidreview` command. Each module under rapidreview.cli
adds its own commands through a `register(app)` function, listed here once."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="rapidreview",
    help="Rapid Review decision support: run the embedded stack, submit and inspect cases.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

# One line per command module; keep sorted.
_COMMAND_MODULES: list[str] = ["audit", "criteria", "decisions", "dlq", "documents", "gathering", "intake", "keys", "nats", "rules", "stack"]

for _name in _COMMAND_MODULES:
    importlib.import_module(f"rapidreview.cli.{_name}").register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
