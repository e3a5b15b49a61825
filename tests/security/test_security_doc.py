"""docs/security.md states what the code does: its role table is the access table."""

from __future__ import annotations

import pytest

from tests.security import role_table

pytestmark = pytest.mark.integration


def test_the_documented_role_table_is_the_access_table():
    assert role_table.documented() == role_table.render(), "run: .venv/bin/python -m tests.security.role_table"


def test_the_documented_table_has_a_row_for_every_rpc():
    from rapidreview.access import ACCESS_TABLE

    rows = [line for line in role_table.documented().splitlines()[2:] if line.startswith("| ")]
    assert len(rows) == len(ACCESS_TABLE)
