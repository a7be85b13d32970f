"""Whole files and sections, split along the same headings as the chunker.

The chunker cuts long sections into overlapping pieces for the embedding window; answers use
*whole* sections instead: whole list items, never starting mid-list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from langchain_text_splitters import MarkdownHeaderTextSplitter

from bot.knowledge.models import KnowledgeFile
from bot.retrieval.chunking import HEADERS, strip_links

LINK_HEADINGS = re.compile(r"^(zie ook|verbonden onderwerpen|lees meer|meer lezen)\b", re.I)
"""Sections that only list related files: never answer text."""


@dataclass(frozen=True)
class Section:
    heading: str
    text: str
    key: str
    """The chunk's section id (path#heading), as used by 'Meer hierover'."""

    @property
    def is_links(self) -> bool:
        return bool(LINK_HEADINGS.match(self.heading))


@dataclass
class Document:
    path: str
    title: str
    kind: str
    topic: str
    sections: list[Section] = field(default_factory=list)

    def find(self, pattern: re.Pattern[str]) -> Section | None:
        return next((s for s in self.sections if pattern.search(s.heading)), None)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def text(self) -> str:
        """The text of every section, link lists included, without headings."""
        return "\n".join(s.text for s in self.sections)

    def link_labels(self) -> list[str]:
        """Labels of the related-file list ('Zie ook' / 'Verbonden onderwerpen')."""
        labels: list[str] = []
        for s in self.sections:
            if not s.is_links:
                continue
            for line in s.text.splitlines():
                line = line.strip().lstrip("-* ").strip()
                if line:
                    label = re.split(r":\s| – | - ", line, maxsplit=1)[0].strip()
                    labels.append(label.removeprefix("Casus:").strip())
        return labels

    def body(self) -> str:
        """The whole file without its link lists, headings in bold ('📖 Hele casus')."""
        parts = []
        for s in self.sections:
            if s.is_links:
                continue
            parts.append(f"**{s.heading}**\n{s.text}" if s.heading else s.text)
        return "\n\n".join(parts)


def build_documents(files: list[KnowledgeFile]) -> dict[str, Document]:
    """Documents by path, sections in file order, split exactly as the chunker splits them."""
    splitter = MarkdownHeaderTextSplitter(headers_to_split_on=HEADERS, strip_headers=True)
    docs: dict[str, Document] = {}
    for f in files:
        doc = Document(f.path, f.front.title, f.front.kind, f.front.topic)
        for part in splitter.split_text(f.body):
            heading = " > ".join(part.metadata[k] for k in ("h2", "h3") if part.metadata.get(k))
            content = strip_links(part.page_content.replace("  \n", "\n")).strip()
            if content:
                doc.sections.append(Section(heading, content, f"{f.path}#{heading}"))
        docs[f.path] = doc
    return docs
