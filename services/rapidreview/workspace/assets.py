"""Static files: GOV.UK Frontend and MOJ Frontend from node_modules (installed by npm from
package-lock.json, never copied into the repository), and the workspace's own files.

| URL | folder |
|---|---|
| /assets/fonts, /assets/images | govuk-frontend's then MOJ Frontend's `assets/` (the paths their CSS uses) |
| /static/govuk | node_modules/govuk-frontend/dist/govuk (CSS, ES module JS) |
| /static/moj | node_modules/@ministryofjustice/frontend/moj |
| /static/app | workspace/static (app.css, app.js: the workspace's own, no inline script or style) |
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

OWN = Path(__file__).parent / "static"


def node_modules(configured: Path | None) -> Path:
    """The node_modules folder: RR_WORKSPACE_ASSETS_DIR, else the repository's, else the working directory's."""
    candidates = [configured] if configured else [Path(__file__).resolve().parents[3] / "node_modules", Path.cwd() / "node_modules"]
    for folder in candidates:
        if folder and (folder / "govuk-frontend" / "dist" / "govuk").is_dir():
            return folder
    raise RuntimeError("GOV.UK Frontend not found: run scripts/bootstrap (npm ci) or set RR_WORKSPACE_ASSETS_DIR")


class LayeredStaticFiles(StaticFiles):
    """Static files looked up in several folders, first match wins."""

    def __init__(self, directories: list[Path]) -> None:
        super().__init__(directory=directories[0])
        self.all_directories = [os.fspath(d) for d in directories]


def mounts(configured: Path | None) -> list[Mount]:
    modules = node_modules(configured)
    govuk = modules / "govuk-frontend" / "dist" / "govuk"
    moj = modules / "@ministryofjustice" / "frontend" / "moj"
    return [
        Mount("/assets", app=LayeredStaticFiles([govuk / "assets", moj / "assets"]), name="assets"),
        Mount("/static/govuk", app=StaticFiles(directory=govuk), name="govuk"),
        Mount("/static/moj", app=StaticFiles(directory=moj), name="moj"),
        Mount("/static/app", app=StaticFiles(directory=OWN), name="app_static"),
    ]
