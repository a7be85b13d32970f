"""Load and validate Markdown knowledge files.

A bad file is reported as ``path:line: reason`` and skipped; the rest keeps loading.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.knowledge.models import (
    CasusFields,
    FrontMatter,
    KnowledgeFile,
    OpdrachtFields,
    expand_checklist,
)
from bot.knowledge.taxonomy import Taxonomy

MARKDOWN_GLOB = "**/*.md"
SKIP_NAMES = {"README.md"}


@dataclass(frozen=True)
class LoadError:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class LoadResult:
    files: list[KnowledgeFile] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)


class _Invalid(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def _key_line(front_lines: list[str], key: str) -> int:
    """1-based file line of ``key:`` in the front matter (front matter starts at file line 2)."""
    for i, line in enumerate(front_lines):
        if line.startswith(f"{key}:"):
            return i + 2
    return 1


def _pydantic_reason(exc: ValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if err.get("type") == "missing":
        return loc, f"missing field '{loc}'"
    return loc, f"field '{loc}': {msg}"


def parse_file(raw: bytes, rel_path: str, taxonomy: Taxonomy) -> KnowledgeFile:
    """Parse one file or raise `_Invalid` with a line number."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _Invalid(line, "not valid UTF-8") from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise _Invalid(1, "missing front matter (the file must start with a '---' line)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise _Invalid(1, "front matter is not closed with a '---' line") from None
    front_lines = lines[1:end]
    try:
        meta = yaml.safe_load("\n".join(front_lines))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise _Invalid(line, f"bad YAML in front matter: {problem}") from None
    if not isinstance(meta, dict):
        raise _Invalid(1, "front matter must be a YAML mapping")
    try:
        front = FrontMatter.model_validate(meta)
    except ValidationError as exc:
        loc, reason = _pydantic_reason(exc)
        raise _Invalid(_key_line(front_lines, loc.split(".")[0]), reason) from None
    if front.theme not in taxonomy.theme_labels:
        raise _Invalid(_key_line(front_lines, "theme"), f"unknown theme '{front.theme}'")
    if front.topic not in taxonomy.topic_theme:
        raise _Invalid(_key_line(front_lines, "topic"), f"unknown topic '{front.topic}'")
    if taxonomy.topic_theme[front.topic] != front.theme:
        raise _Invalid(
            _key_line(front_lines, "topic"),
            f"topic '{front.topic}' does not belong to theme '{front.theme}'",
        )
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        raise _Invalid(end + 2, "empty body")
    casus = opdracht = None
    try:
        if front.kind == "casus":
            casus = CasusFields.model_validate(meta)
        elif front.kind == "opdracht":
            opdracht = OpdrachtFields.model_validate(meta)
            expand_checklist(opdracht.checklist)
    except ValidationError as exc:
        loc, reason = _pydantic_reason(exc)
        raise _Invalid(_key_line(front_lines, loc.split(".")[0]), reason) from None
    except ValueError as exc:
        raise _Invalid(_key_line(front_lines, "checklist"), str(exc)) from None
    return KnowledgeFile(
        path=rel_path,
        front=front,
        body=body,
        sha256=hashlib.sha256(raw).hexdigest(),
        casus=casus,
        opdracht=opdracht,
    )


def iter_markdown(knowledge_dir: Path) -> list[Path]:
    return sorted(
        p for p in knowledge_dir.glob(MARKDOWN_GLOB) if p.is_file() and p.name not in SKIP_NAMES
    )


def load_knowledge(knowledge_dir: Path, taxonomy: Taxonomy | None = None) -> LoadResult:
    """Load every Markdown file under ``knowledge_dir``; bad files become `LoadError`s."""
    taxonomy = taxonomy or Taxonomy.load(knowledge_dir)
    result = LoadResult()
    for path in iter_markdown(knowledge_dir):
        rel = path.relative_to(knowledge_dir).as_posix()
        try:
            result.files.append(parse_file(path.read_bytes(), rel, taxonomy))
        except _Invalid as exc:
            result.errors.append(LoadError(rel, exc.line, exc.reason))
        except OSError as exc:
            result.errors.append(LoadError(rel, 1, f"cannot read file: {exc.strerror}"))
    return result


def file_hashes(knowledge_dir: Path) -> dict[str, str]:
    """Content hash per Markdown file, without parsing (cheap change detection)."""
    return {
        p.relative_to(knowledge_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in iter_markdown(knowledge_dir)
    }
