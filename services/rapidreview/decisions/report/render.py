"""Renders the report model as PDF (HTML + CSS through WeasyPrint, like the
advisory-group summary) and as DOCX (python-docx). Both walk the same model
block by block, so the two documents hold the same words. Rendering is
CPU-bound and blocking: call it from a worker thread inside an event loop."""

from __future__ import annotations

import io
import logging
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from rapidreview.decisions.report.model import Block, Report
from rapidreview.v1 import decisions_pb2 as D

MEDIA_TYPES = {
    D.REPORT_FORMAT_PDF: "application/pdf",
    D.REPORT_FORMAT_DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FORMATS = (D.REPORT_FORMAT_PDF, D.REPORT_FORMAT_DOCX)

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.WARNING)

_HTML = Environment(loader=PackageLoader("rapidreview.decisions.report", "templates"), autoescape=select_autoescape(["j2"]),
                    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(report: Report) -> str:
    """The report as a standalone print HTML page (styles inlined)."""
    css = (resources.files("rapidreview.decisions.report") / "templates" / "report.css").read_text(encoding="utf-8")
    return _HTML.get_template("report.html.j2").render(r=report, css=css)


def render_pdf(report: Report) -> bytes:
    """The report as an A4 PDF with running header, protective marking and page numbers.
    ImportError/OSError when WeasyPrint (the "pdf" extra) or its libraries are not installed."""
    from weasyprint import HTML  # imported here: heavy, and only needed for PDF

    return HTML(string=render_html(report)).write_pdf()


def render_docx(report: Report) -> bytes:
    """The report as a Word document: the same sections, fields, tables and lists,
    with the protective marking in every page's header and page numbers in the footer."""
    from docx import Document
    from docx.enum.section import WD_ORIENT  # noqa: F401 - portrait A4 below
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(17)
    section.top_margin, section.bottom_margin = Mm(20), Mm(18)
    styles = doc.styles
    styles["Normal"].font.name = "Arial"
    styles["Normal"].font.size = Pt(10)
    band = RGBColor(0x1F, 0x3A, 0x5F)
    for name in ("Title", "Heading 1", "Heading 2"):
        styles[name].font.color.rgb = band
        styles[name].font.name = "Arial"

    header = section.header.paragraphs[0]
    header.text = f"{report.marking} · {report.title} — {report.case_reference}"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _page_number_footer(section.footer.paragraphs[0], f"{report.partnership.replace('-', ' ').title()} safeguarding partnership · "
                                                      f"prepared {report.rendered_on} · page ")

    doc.core_properties.title = f"{report.title} — {report.case_reference}"
    doc.core_properties.subject = report.marking
    doc.core_properties.author = f"{report.partnership} safeguarding partnership"

    doc.add_paragraph(f"{report.partnership.replace('-', ' ').title()} safeguarding partnership".upper())
    doc.add_paragraph(report.title, style="Title")
    doc.add_paragraph(f"{report.case_reference} (pseudonymous reference)")
    marking = doc.add_paragraph()
    run = marking.add_run(report.marking)
    run.bold = True
    run.font.color.rgb = RGBColor(0x8A, 0x2B, 0x2B)
    _fields(doc, report.meta)
    for caveat in report.caveats:
        p = doc.add_paragraph(caveat, style="Intense Quote")
        p.paragraph_format.space_after = Pt(2)
    for s in report.sections:
        doc.add_heading(f"{s.number}. {s.title}", level=1)
        for block in s.blocks:
            _block(doc, block)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _block(doc, block: Block) -> None:  # type: ignore[no-untyped-def]
    if block.kind == "para":
        doc.add_paragraph(block.text)
    elif block.kind == "heading":
        doc.add_heading(block.text, level=2)
    elif block.kind == "note":
        doc.add_paragraph(block.text, style="Intense Quote")
    elif block.kind == "fields":
        _fields(doc, block.rows)
    elif block.kind == "items":
        for row in block.rows:
            doc.add_paragraph(row[0], style="List Bullet")
    elif block.kind == "table":
        table = doc.add_table(rows=1, cols=len(block.columns))
        table.style = "Table Grid"
        for cell, title in zip(table.rows[0].cells, block.columns):
            cell.text = ""
            cell.paragraphs[0].add_run(title).bold = True
        for row in block.rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row):
                cell.text = value
        doc.add_paragraph()
    else:  # pragma: no cover - the model has no other kind
        raise ValueError(f"unknown block kind {block.kind}")


def _fields(doc, rows) -> None:  # type: ignore[no-untyped-def]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = ""
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].text = value
    doc.add_paragraph()


def _page_number_footer(paragraph, text: str) -> None:  # type: ignore[no-untyped-def]
    """`text` followed by Word's PAGE field, so Word numbers the pages itself."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.text = text
    run = paragraph.add_run()
    for kind, value in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = value
        run._r.append(element)


def render(report: Report, fmt: int) -> bytes:
    """The report in one ReportFormat."""
    if fmt == D.REPORT_FORMAT_PDF:
        return render_pdf(report)
    if fmt == D.REPORT_FORMAT_DOCX:
        return render_docx(report)
    raise ValueError("unknown report format")
