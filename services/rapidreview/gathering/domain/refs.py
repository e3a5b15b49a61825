"""Evidence references: how the checklist points back at what an agency said.

`return:<agency id>:v<version>` names a version of a return; a fragment names
one item in it, counted from 1 in the order submitted, e.g.
`return:west-yorkshire-police:v1#concern-1`.
"""

from __future__ import annotations


def return_ref(agency_id: str, version: int) -> str:
    """The reference of one version of an agency's return ("" for version 0)."""
    return f"return:{agency_id}:v{version}" if version > 0 else ""


def item_ref(agency_id: str, version: int, kind: str, index: int) -> str:
    """The reference of the `index`-th (from 0) item of `kind` in that version."""
    return f"{return_ref(agency_id, version)}#{kind}-{index + 1}"
