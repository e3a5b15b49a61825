"""Renders a summary model as Markdown, HTML or PDF (Jinja2 templates in
`templates/`, PDF by WeasyPrint from the HTML). Rendering is CPU-bound and
blocking: call it from a worker thread inside an event loop."""

from __future__ import annotations

import logging
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from rapidreview.criteria.domain.summary import Summary
from rapidreview.v1 import criteria_pb2

MEDIA_TYPES = {
    criteria_pb2.SUMMARY_FORMAT_MARKDOWN: "text/markdown; charset=utf-8",
    criteria_pb2.SUMMARY_FORMAT_HTML: "text/html; charset=utf-8",
    criteria_pb2.SUMMARY_FORMAT_PDF: "application/pdf",
}
PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"

# WeasyPrint announces every layout step at INFO and its font subsetting choice
# as a warning on every render: neither helps an operator reading service logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("weasyprint").setLevel(logging.ERROR)

_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|#"})


def _md(text: object) -> str:
    """Markdown-escaped single-line text (table cells and list items)."""
    return " ".join(str(text).split()).translate(_MD_SPECIAL)


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("rapidreview.criteria.summary", "templates"),
        autoescape=select_autoescape(["html.j2"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md
    return env


_MARKDOWN = _environment(autoescape=False)
_HTML = _environment(autoescape=True)


def _stylesheet() -> str:
    return (resources.files("rapidreview.criteria.summary") / "templates" / "summary.css").read_text(encoding="utf-8")


def render_markdown(summary: Summary) -> str:
    """The summary as GitHub-flavoured Markdown."""
    return _MARKDOWN.get_template("summary.md.j2").render(s=summary, marking=PROTECTIVE_MARKING)


def render_html(summary: Summary, *, for_print: bool = False) -> str:
    """The summary as a standalone HTML page (styles inlined)."""
    return _HTML.get_template("summary.html.j2").render(s=summary, marking=PROTECTIVE_MARKING, css=_stylesheet(),
                                                        for_print=for_print)


def render_document(summary: Summary):  # type: ignore[no-untyped-def]
    """The laid-out print document (weasyprint.Document): A4 pages with running
    header, page numbers and protective marking."""
    from weasyprint import HTML  # imported here: heavy, and only needed for PDF

    return HTML(string=render_html(summary, for_print=True)).render()


def render_pdf(summary: Summary) -> bytes:
    """The summary as a PDF."""
    return render_document(summary).write_pdf()


def render(summary: Summary, fmt: int) -> bytes:
    """The summary in `fmt` (a SummaryFormat) as bytes; ValueError for an unknown format."""
    if fmt == criteria_pb2.SUMMARY_FORMAT_MARKDOWN:
        return render_markdown(summary).encode("utf-8")
    if fmt == criteria_pb2.SUMMARY_FORMAT_HTML:
        return render_html(summary).encode("utf-8")
    if fmt == criteria_pb2.SUMMARY_FORMAT_PDF:
        return render_pdf(summary)
    raise ValueError("unknown summary format")
