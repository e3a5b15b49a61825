"""The embedded stack's demonstration people: one per role of the Leeds partnership (three
agency leads among them), people of a second partnership (Bradford, for isolation: its business
unit, local authority officer, a police lead, advisory group member and Executive),
and one person with no role. They exist only in the local OpenID Connect provider that
`rapidreview up` starts (oidc-provider-mock); the mapping file below gives them their roles
by group, as a partnership's own file would."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class DemoUser:
    subject: str
    groups: tuple[str, ...]
    who: str


GROUPS = {
    "leeds-la-officers": {"role": "notifying_la", "partnership": "leeds"},
    "leeds-business-unit": {"role": "business_unit", "partnership": "leeds"},
    "leeds-police-safeguarding": {"role": "agency", "partnership": "leeds", "agency": "west-yorkshire-police"},
    "leeds-gp-safeguarding": {"role": "agency", "partnership": "leeds", "agency": "gp-practice"},
    "leeds-nursery-safeguarding": {"role": "agency", "partnership": "leeds", "agency": "sibling-nursery"},
    "leeds-rag": {"role": "rag_member", "partnership": "leeds"},
    "leeds-executive": {"role": "executive", "partnership": "leeds"},
    "leeds-auditors": {"role": "auditor", "partnership": "leeds"},
    "bradford-business-unit": {"role": "business_unit", "partnership": "bradford"},
    "bradford-la-officers": {"role": "notifying_la", "partnership": "bradford"},
    "bradford-police-safeguarding": {"role": "agency", "partnership": "bradford", "agency": "west-yorkshire-police"},
    "bradford-rag": {"role": "rag_member", "partnership": "bradford"},
    "bradford-executive": {"role": "executive", "partnership": "bradford"},
}

USERS = (
    DemoUser("demo-la-officer", ("leeds-la-officers",), "Leeds local authority officer (notifies incidents)"),
    DemoUser("demo-business-unit", ("leeds-business-unit",), "Leeds business unit (dashboard, runs the review)"),
    DemoUser("demo-police-lead", ("leeds-police-safeguarding",), "West Yorkshire Police safeguarding lead"),
    DemoUser("demo-gp-lead", ("leeds-gp-safeguarding",), "GP practice safeguarding lead"),
    DemoUser("demo-nursery-lead", ("leeds-nursery-safeguarding",), "Nursery designated safeguarding lead"),
    DemoUser("demo-rag-member", ("leeds-rag",), "Review Advisory Group member"),
    DemoUser("demo-executive", ("leeds-executive",), "Executive of the safeguarding partners"),
    DemoUser("demo-auditor", ("leeds-auditors",), "Auditor"),
    DemoUser("demo-bradford-business-unit", ("bradford-business-unit",), "Bradford business unit (another partnership)"),
    DemoUser("demo-bradford-la-officer", ("bradford-la-officers",), "Bradford local authority officer (another partnership)"),
    DemoUser("demo-bradford-police-lead", ("bradford-police-safeguarding",),
             "West Yorkshire Police safeguarding lead for Bradford (another partnership)"),
    DemoUser("demo-bradford-rag-member", ("bradford-rag",), "Bradford Review Advisory Group member (another partnership)"),
    DemoUser("demo-bradford-executive", ("bradford-executive",), "Bradford Executive (another partnership)"),
    DemoUser("demo-no-role", (), "Someone with no role in Rapid Review (sees 'no access')"),
)


def user(subject: str) -> DemoUser:
    return next(u for u in USERS if u.subject == subject)


def provider_arguments() -> list[str]:
    """oidc-provider-mock's command-line options that predefine the demo users and their groups."""
    args = []
    for demo in USERS:
        args += ["--user-claims", json.dumps({"sub": demo.subject, "groups": list(demo.groups)})]
    return args


def write_principals_file(path: Path) -> Path:
    path.write_text(
        "# The embedded stack's mapping of the local provider's groups to Rapid Review principals.\n"
        + yaml.safe_dump({"groups_claim": "groups", "groups": GROUPS}, sort_keys=False),
        encoding="utf-8",
    )
    return path
