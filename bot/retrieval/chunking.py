"""Split knowledge files into chunks along Markdown headings, sized for the embedding window."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from bot.knowledge.models import KnowledgeFile

CHUNKER_VERSION = 3
HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


@dataclass(frozen=True)
class Chunk:
    id: str
    path: str
    title: str
    theme: str
    topic: str
    kind: str
    heading: str
    """Heading path below the title, e.g. 'Hoe pak je het aan?'."""
    section: str
    """Identifier of the section this chunk belongs to (path#heading), for 'Meer hierover'."""
    text: str
    """The passage as shown to participants."""
    tags: str = ""

    @property
    def embed_text(self) -> str:
        """What the dense model sees: title and heading give context to short passages."""
        head = f"{self.title} – {self.heading}" if self.heading else self.title
        return f"{head}\n{self.text}"

    @property
    def search_text(self) -> str:
        """What BM25 sees: passage plus title, heading and tags."""
        return f"{self.title} {self.heading} {self.tags}\n{self.text}"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Chunk:
        return cls(**data)


def strip_links(text: str) -> str:
    """Keep link labels, drop relative targets: participants can't open repo paths."""
    return _LINK.sub(r"\1", text)


MIN_PASSAGE = 250


def chunk_file(doc: KnowledgeFile, max_chars: int = 600, overlap: int = 80) -> list[Chunk]:
    """Chunk one file so that title + heading + passage (what gets embedded) fit ``max_chars``."""
    header_splitter = MarkdownHeaderTextSplitter(headers_to_split_on=HEADERS, strip_headers=True)
    chunks: list[Chunk] = []
    for section in header_splitter.split_text(doc.body):
        heading = " > ".join(
            section.metadata[k] for k in ("h2", "h3") if section.metadata.get(k)
        )
        content = strip_links(section.page_content.replace("  \n", "\n")).strip()
        if not content:
            continue
        head = f"{doc.front.title} – {heading}" if heading else doc.front.title
        budget = max(MIN_PASSAGE, max_chars - len(head) - 1)
        size_splitter = RecursiveCharacterTextSplitter(
            chunk_size=budget,
            chunk_overlap=min(overlap, budget // 4),
            separators=["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""],
            keep_separator="end",
        )
        pieces = [content] if len(content) <= budget else size_splitter.split_text(content)
        for piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            chunks.append(
                Chunk(
                    id=f"{doc.sha256[:16]}-{len(chunks)}",
                    path=doc.path,
                    title=doc.front.title,
                    theme=doc.front.theme,
                    topic=doc.front.topic,
                    kind=doc.front.kind,
                    heading=heading,
                    section=f"{doc.path}#{heading}",
                    text=piece,
                    tags=", ".join(doc.front.tags),
                )
            )
    return chunks
