"""Question keys: participant questions written per section of a knowledge file ("doc2query by
people"), in ``knowledge/vragen/<folder>/<file-stem>.yaml``::

    file: lesstof/netwerken.md
    sections:
      - heading: "Hoe pak je het aan?"      # an exact ``## `` heading of that file
        questions:
          - "hoe begin ik een gesprek op een netwerkborrel?"

A close match of a participant's question to a key votes for that file and section
(``bot.answering.keys``). Bad entries are reported as ``path:line: reason`` and skipped, like bad
Markdown files; the rest keeps loading.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.knowledge.loader import LoadError, decode_utf8, iter_key_files
from bot.knowledge.models import KnowledgeFile

_H2 = re.compile(r"^##\s+(.+?)\s*#*\s*$")
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when installed (ten times faster on the ~2,000 keys)."""


@dataclass(frozen=True)
class QuestionKey:
    question: str
    path: str
    """The knowledge file it belongs to (``lesstof/netwerken.md``)."""
    heading: str
    """The ``##`` heading of the section it asks about."""

    @property
    def section(self) -> str:
        """The section id as the chunker and the composer name it (``path#heading``)."""
        return f"{self.path}#{self.heading}"


@dataclass
class QuestionKeys:
    keys: list[QuestionKey] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)

    def digest(self, model: str) -> str:
        """Content hash of the keys and the model that embeds them (cache key)."""
        h = hashlib.sha256(model.encode("utf-8"))
        for k in self.keys:
            h.update(f"\n{k.path}\t{k.heading}\t{k.question}".encode())
        return h.hexdigest()[:16]


def h2_headings(body: str) -> list[str]:
    """The ``## `` headings of a Markdown body, in order (outside code fences)."""
    out: list[str] = []
    fenced = False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        m = None if fenced else _H2.match(line)
        if m:
            out.append(m.group(1).strip())
    return out


def _scalar(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith((":str", ":int", ":float")):
        return str(node.value).strip()
    return None


def _mapping(node: yaml.Node) -> dict[str, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def parse_key_file(raw: bytes, rel: str,
                   headings: Mapping[str, list[str]] | None) -> QuestionKeys:
    """One question-key file. ``headings``: knowledge file path -> its ``##`` headings; None
    = shape only (the files themselves are not at hand)."""
    out = QuestionKeys()

    def error(node: yaml.Node | None, reason: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        out.errors.append(LoadError(rel, line, reason))

    try:
        root = yaml.compose(decode_utf8(raw), Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        out.errors.append(LoadError(rel, mark.line + 1 if mark else 1, f"invalid YAML: {exc}"))
        return out
    except Exception as exc:  # InvalidFile from decode_utf8
        out.errors.append(LoadError(rel, getattr(exc, "line", 1), str(exc)))
        return out
    top = _mapping(root) if root is not None else None
    if top is None:
        error(root, "expected a mapping with 'file' and 'sections'")
        return out
    file_node = top.get("file")
    path = _scalar(file_node) if file_node is not None else None
    if not path:
        error(file_node or root, "field 'file' is required (e.g. lesstof/netwerken.md)")
        return out
    if headings is not None and path not in headings:
        error(file_node, f"file {path!r} does not exist in knowledge/ (or failed to load)")
        return out
    known = headings[path] if headings is not None else None
    sections = top.get("sections")
    if not isinstance(sections, yaml.SequenceNode):
        error(sections or root, "field 'sections' must be a list of {heading, questions}")
        return out
    for entry in sections.value:
        fields = _mapping(entry)
        if fields is None:
            error(entry, "a section must be a mapping with 'heading' and 'questions'")
            continue
        heading_node = fields.get("heading")
        heading = _scalar(heading_node) if heading_node is not None else None
        if not heading:
            error(heading_node or entry, "field 'heading' is required")
            continue
        if known is not None and heading not in known:
            error(heading_node, f"heading {heading!r} is not a '## ' heading of {path} "
                                f"(headings: {', '.join(known)})")
            continue
        questions = fields.get("questions")
        if not isinstance(questions, yaml.SequenceNode) or not questions.value:
            error(questions or entry, f"section {heading!r}: 'questions' must be a non-empty list")
            continue
        for q in questions.value:
            text = _scalar(q)
            if not text:
                error(q, f"section {heading!r}: a question must be a non-empty string")
                continue
            out.keys.append(QuestionKey(" ".join(text.split()), path, heading))
    return out


def read_key_files(paths: Iterable[Path], root: Path,
                   headings: Mapping[str, list[str]] | None) -> QuestionKeys:
    """The keys of ``paths`` (named relative to ``root`` in errors), in order, duplicates (same
    file, heading, text) once; ``headings`` as in `parse_key_file`."""
    result = QuestionKeys()
    seen: set[tuple[str, str, str]] = set()
    for p in paths:
        rel = p.relative_to(root).as_posix()
        try:
            raw = p.read_bytes()
        except OSError as exc:
            result.errors.append(LoadError(rel, 1, f"cannot read file: {exc.strerror}"))
            continue
        part = parse_key_file(raw, rel, headings)
        result.errors.extend(part.errors)
        for k in part.keys:
            if (k.path, k.heading, k.question) not in seen:
                seen.add((k.path, k.heading, k.question))
                result.keys.append(k)
    return result


def load_question_keys(knowledge_dir: Path, files: Iterable[KnowledgeFile]) -> QuestionKeys:
    """Every question-key file under ``knowledge/vragen/``, validated against ``files`` (the
    loaded knowledge files): the file must exist, each heading must be one of its ``##``
    headings. Keys are returned in file order, duplicates (same file, heading, text) once."""
    return read_key_files(iter_key_files(knowledge_dir), knowledge_dir,
                          {f.path: h2_headings(f.body) for f in files})
