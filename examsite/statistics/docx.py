"""The work-report section as a Word document laid out as official documents are
(GB/T 9704): A4, the standard margins, 仿宋_GB2312 三号 body text on a 28 pt line, 黑体
headings, the page number as “— N —” in the footer."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from examsite.statistics.workreport import Section

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
PAGE_NUMBER_FONT = "宋体"
#: 三号 (body and headings), 二号 (the title), 四号 (the page number).
BODY_SIZE, TITLE_SIZE, PAGE_NUMBER_SIZE = Pt(16), Pt(22), Pt(14)
#: Exactly 28 pt: 22 lines on the page's 225 mm type area, as GB/T 9704 sets.
LINE_SPACING = Pt(28)
#: GB/T 9704 margins: top 37 mm, bottom 35 mm, left (binding side) 28 mm, right 26 mm.
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}


def _font(run: Run, name: str, size: Pt, *, bold: bool = False) -> None:
    """Set a run's font for Latin and East-Asian text (Word takes Chinese from eastAsia)."""
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _spacing(paragraph: Paragraph) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_SPACING
    fmt.space_before = fmt.space_after = Pt(0)


def _page_number(paragraph: Paragraph) -> None:
    """“— N —”, N a PAGE field (Word fills it in on every page)."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    run = paragraph.add_run()
    _font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._element.append(shown)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._element.append(end)
    _font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def docx_bytes(section: Section) -> bytes:
    """The .docx of one work-report section."""
    document = Document()
    page = document.sections[0]
    page.orientation = WD_ORIENT.PORTRAIT
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.top_margin, page.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    page.left_margin, page.right_margin = MARGINS["left"], MARGINS["right"]
    page.footer_distance = Mm(28)  # the page number sits 7 mm below the type area

    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(title)
    title.paragraph_format.line_spacing = Pt(36)
    _font(title.add_run(section.title), TITLE_FONT, TITLE_SIZE)
    _spacing(document.add_paragraph())  # one blank line under the title

    heading = document.add_paragraph()
    _spacing(heading)
    heading.paragraph_format.first_line_indent = Pt(32)  # two characters, as body text
    _font(heading.add_run(section.heading), HEADING_FONT, BODY_SIZE)

    for text in section.paragraphs:
        paragraph = document.add_paragraph()
        _spacing(paragraph)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Pt(32)
        _font(paragraph.add_run(text), BODY_FONT, BODY_SIZE)

    _page_number(page.footer.paragraphs[0])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
