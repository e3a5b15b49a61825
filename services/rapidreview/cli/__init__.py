"""The `rapidreview` command line (Typer + Rich)."""
