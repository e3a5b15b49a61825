"""The business unit's commands on a case (and the Executive's where the access table allows),
as form journeys (see commands.py): the Panel submission and response, the local review's
commissioning, milestones, progress checks, extensions, identifying details and publication,
the action plan, re-evaluation and clock extensions."""

from __future__ import annotations

from rapidreview.workspace.case_commands import case, panel, plan, publication, review
from rapidreview.workspace.commands import Command

#: In the order the index offers them.
ALL: tuple[Command, ...] = (*panel.COMMANDS, *review.COMMANDS, *publication.COMMANDS, *plan.COMMANDS, *case.COMMANDS)
BY_KEY = {command.key: command for command in ALL}
