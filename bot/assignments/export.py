"""Export one assignment as Markdown or Word (.docx), answers in checklist order."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from docx import Document

from bot.assignments import texts
from bot.assignments.models import Assignment, field_label


@dataclass(frozen=True)
class ExportData:
    assignment: Assignment
    answers: dict[str, str] = field(default_factory=dict)
    """Answer text per item id; missing or blank = not filled in."""
    name: str = ""
    date: dt.date | None = None


def _blocks(data: ExportData) -> list[tuple[int, str, str | None]]:
    """(heading level, heading, answer or None for a group heading) in checklist order."""
    blocks: list[tuple[int, str, str | None]] = []
    for section in data.assignment.sections():
        if section.group:
            blocks.append((2, section.heading, None))
            for item in section.items:
                blocks.append((3, field_label(item), data.answers.get(item.id, "").strip()))
        else:
            item = section.items[0]
            blocks.append((2, item.label, data.answers.get(item.id, "").strip()))
    return blocks


def _meta_lines(data: ExportData) -> list[str]:
    lines = []
    if data.name:
        lines.append(texts.EXPORT_NAME.format(name=data.name))
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
    for level, heading, answer in _blocks(data):
        out += [f"{'#' * level} {heading}", ""]
        if answer is not None:
            out += [_md_escape(answer) if answer else f"_{texts.EXPORT_NOT_FILLED}_", ""]
    return "\n".join(out).rstrip() + "\n"


def to_docx(data: ExportData) -> bytes:
    doc = Document()
    doc.core_properties.title = data.assignment.heading
    if data.name:
        doc.core_properties.author = data.name
    doc.add_heading(data.assignment.heading, level=1)
    for line in _meta_lines(data):
        doc.add_paragraph(line)
    for level, heading, answer in _blocks(data):
        doc.add_heading(heading, level=level)
        if answer is None:
            continue
        if not answer:
            doc.add_paragraph().add_run(texts.EXPORT_NOT_FILLED).italic = True
            continue
        for paragraph in re.split(r"\n\s*\n", answer):
            lines = paragraph.split("\n")
            p = doc.add_paragraph()
            for i, line in enumerate(lines):
                run = p.add_run(line)
                if i < len(lines) - 1:
                    run.add_break()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
