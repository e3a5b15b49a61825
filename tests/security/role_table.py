"""The role table of docs/security.md, generated from the access table.

    .venv/bin/python -m tests.security.role_table          # rewrite the table in docs/security.md

test_security_doc.py fails when the document and ACCESS_TABLE differ.
"""

from __future__ import annotations

from pathlib import Path

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.auth import Role, Scope

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
START, END = "<!-- role table: generated from ACCESS_TABLE -->", "<!-- end of role table -->"
CELL = {Scope.OWN_PARTNERSHIP: "partnership", Scope.OWN_AGENCY: "own agency", Scope.ANY: "any"}
HEADINGS = {
    Role.NOTIFYING_LA: "notifying LA", Role.AGENCY: "agency", Role.BUSINESS_UNIT: "business unit",
    Role.RAG_MEMBER: "RAG member", Role.EXECUTIVE: "Executive", Role.AUDITOR: "auditor", Role.SERVICE: "service",
}


def render() -> str:
    lines = ["| service | RPC | " + " | ".join(HEADINGS[r] for r in Role) + " |",
             "|---|---|" + "---|" * len(Role)]
    for method, roles in ACCESS_TABLE.items():
        service, rpc = method.removeprefix("/rapidreview.v1.").split("/")
        name = "every service" if service == "AccessLogService" else service.removesuffix("Service").lower()
        name = "decisions" if name == "decision" else name
        cells = [CELL[roles[r]] if r in roles else "·" for r in Role]
        lines.append(f"| {name} | `{rpc}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def documented() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def rewrite() -> None:
    text = DOC.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(f"{before}{START}\n{render()}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    rewrite()
