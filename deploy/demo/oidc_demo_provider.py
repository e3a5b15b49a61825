"""DEMO ONLY: a local OpenID Connect provider for the compose demonstration.

Runs oidc-provider-mock (the same provider `rapidreview up` starts) with the demo users of
users.json, each with a `groups` claim that deploy/demo/principals.yaml maps to a role. Anyone who
can reach it signs in as any of them with one click: never expose it, never use it beyond a
demonstration on one host. A real deployment uses the partnership's own provider (Entra ID,
Keycloak, ...; docs/operations.md).

    OIDC_PORT   port to listen on (default 9400), on all interfaces of the container
"""

import json
import os
import runpy
import sys
from pathlib import Path

users = json.loads((Path(__file__).with_name("users.json")).read_text(encoding="utf-8"))
arguments = ["--host", "0.0.0.0", "--port", os.environ.get("OIDC_PORT", "9400")]
for user in users:
    arguments += ["--user-claims", json.dumps(user)]
os.environ.setdefault("NO_COLOR", "1")
sys.argv = ["oidc_provider_mock", *arguments]
runpy.run_module("oidc_provider_mock", run_name="__main__", alter_sys=True)
