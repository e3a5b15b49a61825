"""Importing chronology entries from a CSV or Excel file into the person's draft.

Every row is checked first (returns/importing.py); when any row is wrong the page lists every
problem by line and column and NOTHING is added, not even the good rows. When all are good
they join the draft's chronology, for the person to review on the chronology page before
submitting. The file itself is never stored or logged.
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rapidreview.workspace.forms import FormErrors
from rapidreview.workspace.pages import render
from rapidreview.workspace.returns import importing
from rapidreview.workspace.returns.sections import CONTACT_TYPES, section
from rapidreview.workspace.routes.agency import drafts_of, require_agency_lead
from rapidreview.workspace.routes.returns import _context, _page, _Redirect, _url


async def import_page(request: Request) -> Response:
    person = require_agency_lead(request)
    try:
        page = await _page(request, person)
    except _Redirect as go:
        return RedirectResponse(go.url, status_code=303)
    chronology = section("chronology")
    assert chronology is not None
    room = chronology.max_items - len(page.draft.items("chronology"))
    list_url = _url(request, "return_section", case_id=page.case_id, section="chronology")
    errors_ = FormErrors()
    if request.method == "POST":
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors_.add("file", "Select a CSV or Excel file")
        else:
            # Read one byte more than allowed: a larger file is refused without reading it all.
            data = await upload.read(importing.MAX_FILE_BYTES + 1)
            result = importing.read_chronology(upload.filename, data, request.app.state.today(), room=room)
            if result.ok:
                page.draft.add_items("chronology", result.rows)
                await drafts_of(request).save(person, page.case_id, page.draft)
                return RedirectResponse(f"{list_url}?imported={len(result.rows)}", status_code=303)
            for message in result.messages():
                errors_.add("file", message)
        await form.close()
    return render(request, "agency/import.html", _context(
        request, page, chronology, title="Import chronology entries from a file", errors=errors_, room=room, back=list_url,
        file_error=_file_error(errors_), columns=importing.COLUMNS, contact_types=CONTACT_TYPES, max_mb=importing.MAX_FILE_BYTES // (1024 * 1024)),
        status=400 if errors_ else 200)


def _file_error(errors_: FormErrors) -> dict[str, str] | None:
    """The message under the file field: one line, the summary above lists every problem."""
    count = len(errors_.items)
    if not count:
        return None
    if count == 1:
        return {"text": errors_.items[0][1]}
    return {"text": f"The file has {count} problems, listed at the top of the page. Nothing was imported."}


ROUTES = [Route("/my-requests/{case_id}/chronology/import", import_page, methods=["GET", "POST"], name="return_import")]
