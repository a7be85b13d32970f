"""Export one assignment as Markdown or Word (.docx), answers in checklist order.

The Word file is ready to hand in: Dutch proofing language (nl-NL) on every style and run, A4,
author and title in the document properties, name, library and date on top, the chosen partners
or tools as headings, and items that are not in order marked.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, RGBColor
from docx.text.run import Run

from bot.assignments import texts
from bot.assignments.models import Assignment, field_label

LANGUAGE = "nl-NL"
A4 = (Cm(21.0), Cm(29.7))
MARGIN = Cm(2.5)
WARNING_COLOUR = RGBColor(0xB0, 0x3A, 0x00)


@dataclass(frozen=True)
class ExportData:
    assignment: Assignment
    answers: dict[str, str] = field(default_factory=dict)
    """Answer text per item id; missing or blank = not filled in."""
    name: str = ""
    library: str = ""
    date: dt.date | None = None
    headings: dict[str, str] = field(default_factory=dict)
    """Group heading -> heading to show ('Partner 1' -> 'Partner 1: Welzijn Noord')."""
    warnings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Item id -> what is still missing, for answered items that are not in order."""


@dataclass(frozen=True)
class Block:
    level: int
    heading: str
    answer: str | None
    """None for a group heading."""
    warnings: tuple[str, ...] = ()


def _blocks(data: ExportData) -> list[Block]:
    """Headings and answers in checklist order."""
    blocks: list[Block] = []
    for section in data.assignment.sections():
        if section.group:
            blocks.append(Block(2, data.headings.get(section.heading, section.heading), None))
            items = [(3, field_label(item), item) for item in section.items]
        else:
            items = [(2, section.items[0].label, section.items[0])]
        for level, heading, item in items:
            blocks.append(Block(level, heading, data.answers.get(item.id, "").strip(),
                                data.warnings.get(item.id, ())))
    return blocks


def _meta_lines(data: ExportData) -> list[str]:
    lines = []
    if data.name:
        lines.append(texts.EXPORT_NAME.format(name=data.name))
    if data.library:
        lines.append(texts.EXPORT_LIBRARY.format(library=data.library))
    if data.date:
        lines.append(texts.EXPORT_DATE.format(date=texts.format_date(data.date)))
    return lines


def _md_escape(text: str) -> str:
    """Keep participant text from turning into headings in Markdown."""
    return re.sub(r"^(\s*)#", r"\1\\#", text, flags=re.MULTILINE)


def to_markdown(data: ExportData) -> str:
    out = [f"# {data.assignment.heading}", ""]
    meta = _meta_lines(data)
    if meta:
        out += ["  \n".join(meta), ""]
    for block in _blocks(data):
        out += [f"{'#' * block.level} {block.heading}", ""]
        if block.answer is None:
            continue
        out += [_md_escape(block.answer) if block.answer else f"_{texts.EXPORT_NOT_FILLED}_", ""]
        for warning in block.warnings:
            out += [f"> {texts.EXPORT_NOT_IN_ORDER.format(message=warning)}", ""]
    return "\n".join(out).rstrip() + "\n"


def _set_language(element: object) -> None:
    """Set w:lang (Latin, East Asian and complex script) on a style's or run's properties."""
    _set_language_on(element.get_or_add_rPr())  # type: ignore[attr-defined]


def _set_language_on(rpr: Any) -> None:
    """Set w:lang on run properties (``w:rPr``)."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), LANGUAGE)


def _dutch(doc: DocxDocument) -> None:
    """Proofing language nl-NL in the document defaults and every style."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            rpr = rpr_default.find(qn("w:rPr"))
            if rpr is not None:
                _set_language_on(rpr)
    for style in doc.styles:
        element = style.element
        if hasattr(element, "get_or_add_rPr"):
            _set_language(element)


def _run(paragraph: object, text: str) -> Run:
    run: Run = paragraph.add_run(text)  # type: ignore[attr-defined]
    _set_language(run._r)
    return run


def _heading(doc: DocxDocument, text: str, level: int) -> None:
    paragraph = doc.add_heading(level=level)
    _run(paragraph, text)


def to_docx(data: ExportData) -> bytes:
    doc = Document()
    _dutch(doc)
    for section in doc.sections:
        section.page_width, section.page_height = A4
        section.left_margin = section.right_margin = MARGIN
        section.top_margin = section.bottom_margin = MARGIN
    props = doc.core_properties
    props.title = data.assignment.heading
    props.author = data.name
    props.last_modified_by = data.name
    props.language = LANGUAGE
    props.subject = data.library
    props.comments = ""
    _heading(doc, data.assignment.heading, 1)
    for line in _meta_lines(data):
        _run(doc.add_paragraph(), line)
    for block in _blocks(data):
        _heading(doc, block.heading, block.level)
        if block.answer is None:
            continue
        if not block.answer:
            _run(doc.add_paragraph(), texts.EXPORT_NOT_FILLED).italic = True
            continue
        for paragraph_text in re.split(r"\n\s*\n", block.answer):
            lines = paragraph_text.split("\n")
            p = doc.add_paragraph()
            for i, line in enumerate(lines):
                run = _run(p, line)
                if i < len(lines) - 1:
                    run.add_break()
        for warning in block.warnings:
            run = _run(doc.add_paragraph(), texts.EXPORT_NOT_IN_ORDER.format(message=warning))
            run.italic = True
            run.font.color.rgb = WARNING_COLOUR
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
