"""New edition versions are loaded into a running service without a restart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rapidreview.criteria.watchers import RulebookWatcher
from rapidreview.rules import Rulebook, default_rules_dir


def add_version(root: Path, version: str) -> None:
    """A copy of wt2023 under a new version number, as a policy officer would add it."""
    target = root / f"wt2023-{version}"
    shutil.copytree(root / "wt2023", target)
    edition = target / "edition.yaml"
    edition.write_text(edition.read_text().replace('version: "2023.1"', f'version: "{version}"'))


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), root)
    return root


async def test_a_new_version_in_the_folder_is_loaded_on_the_next_look(rules_copy):
    book = Rulebook.load(rules_copy)
    watcher = RulebookWatcher(book)
    assert not await watcher.check_once()  # first look: nothing to compare with
    add_version(rules_copy, "2023.2")
    assert await watcher.check_once()
    assert [i.version for i in book.editions if i.name == "wt2023"] == ["2023.1", "2023.2"]
    assert not await watcher.check_once()  # unchanged since


async def test_a_malformed_rule_file_changes_nothing(rules_copy):
    book = Rulebook.load(rules_copy)
    watcher = RulebookWatcher(book)
    await watcher.check_once()
    add_version(rules_copy, "2023.3")
    (rules_copy / "wt2023-2023.3" / "rules" / "LOCAL.PANEL_VIEW.yaml").write_text("id: LOCAL.PANEL_VIEW\ntitle: [broken\n")
    assert not await watcher.check_once()
    assert [i.version for i in book.editions if i.name == "wt2023"] == ["2023.1"]
