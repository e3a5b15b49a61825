"""The baselines of the workspace benchmark: bare Starlette pages, served by uvicorn with the
workspace's own server settings, in a process of their own.

    /hello   a minimal page rendered from a small Jinja2 template: the framework's floor
    /cases   the dashboard's table for the same cases with the same visible content (reference
             link, stage, next step, each clock with due date, days left and tag, returns),
             rendered from rows held in memory by one plain Jinja2 template: no session, no
             middleware, no database, no design-system macros. What any Starlette page showing
             that much costs; the workspace's dashboard is measured against it.

    python bench/bare_page.py ROWS.json HOST PORT
"""

from __future__ import annotations

import json
import sys

import jinja2
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

TEMPLATES = {
    "hello.html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ text }}</p></main></body></html>
""",
    "cases.html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Dashboard</title>
<link rel="stylesheet" href="/static/govuk/govuk-frontend.min.css"></head>
<body><main>
<h1>Dashboard</h1>
<p>{{ rows | length }} open cases in your partnership.</p>
<table class="govuk-table" id="cases">
<thead><tr><th>Case</th><th>Stage</th><th>Next step</th><th>Statutory clocks</th><th>Returns in</th></tr></thead>
<tbody>
{% for row in rows %}
<tr class="govuk-table__row" data-case="{{ row.case_id }}">
<td class="govuk-table__cell"><a class="govuk-link" href="/cases/{{ row.case_id }}">{{ row.reference }}</a></td>
<td class="govuk-table__cell">{{ row.stage }}</td>
<td class="govuk-table__cell">{{ row.next_step }}</td>
<td class="govuk-table__cell">
{% for clock in row.clocks %}<div class="rr-clock" data-clock="{{ clock.id }}"><strong>{{ clock.id }}</strong>: due {{ clock.due }}{% if clock.days_left %}, {{ clock.days_left }}{% endif %}
<strong class="govuk-tag {{ clock.tag_classes }}">{{ clock.tag_text }}</strong></div>
{% else %}No clock running{% endfor %}
</td>
<td class="govuk-table__cell">{{ row.returns }}</td>
</tr>
{% endfor %}
</tbody></table>
</main></body></html>
""",
}


def build(rows: list[dict]) -> Starlette:
    env = jinja2.Environment(loader=jinja2.DictLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    hello, cases = env.get_template("hello.html"), env.get_template("cases.html")

    async def hello_page(request: Request) -> HTMLResponse:
        return HTMLResponse(hello.render(title="Rapid Review", text="A bare Starlette page."))

    async def cases_page(request: Request) -> HTMLResponse:
        return HTMLResponse(cases.render(rows=rows))

    return Starlette(routes=[Route("/hello", hello_page), Route("/cases", cases_page)])


def main() -> None:
    rows_file, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(rows_file, encoding="utf-8") as f:
        rows = json.load(f)
    uvicorn.run(build(rows), host=host, port=port, log_config=None, access_log=False, proxy_headers=True,
                server_header=False, date_header=True)


if __name__ == "__main__":
    main()
