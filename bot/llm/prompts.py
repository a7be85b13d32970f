"""Prompt files: Dutch text in ``prompts/<name>.md`` (or ``.txt``) with ``{placeholder}`` fields.

The files are content, not code: a course designer can reword them without touching Python.
Rules, enforced by `PromptLibrary.render`:

* a placeholder is a plain name in braces, ``{question}``; a literal brace is written ``{{``/``}}``
  (str.format rules), which the evaluator prompt needs for its JSON example;
* every placeholder in the file must be filled, and every value passed must be used, so a
  renamed field fails loudly instead of sending "{sources}" to the model;
* ``<!-- ... -->`` comments are notes for editors and are never sent to the model.

Every caller declares the fields it passes in `PROMPT_FIELDS`; `PromptLibrary.validate` checks
the files against it at start-up (see `bot.llm.tutor.build_tutor`).
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path
from typing import Final

_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
SUFFIXES: Final = (".md", ".txt")

PROMPT_FIELDS: Final[dict[str, frozenset[str]]] = {
    "answer_system": frozenset({"max_words"}),
    "answer_user": frozenset({"sources", "question"}),
    "rewrite_question": frozenset({"history", "question"}),
    "persona_system": frozenset({
        "name", "role", "organisation", "traits", "situation", "hidden_concern", "resistance",
        "mood", "reaction", "examples",
    }),
    "persona_turn": frozenset({"transcript", "name"}),
    "roleplay_evaluator": frozenset({
        "title", "persona", "situation", "goal", "hidden_concern", "criteria", "transcript",
    }),
}
"""Prompt name -> the fields its caller passes (the single list the tests check)."""


class PromptError(Exception):
    """A prompt file is missing, unreadable or its placeholders don't match the caller."""


def placeholders(template: str) -> set[str]:
    """The ``{name}`` fields of a template; raises `PromptError` on anything but plain names."""
    found: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise PromptError(f"bad braces: {exc}") from None
    for _text, field, spec, conversion in parsed:
        if field is None:
            continue
        if not _NAME.match(field) or spec or conversion:
            raise PromptError(f"unsupported placeholder {{{field}}}: use a plain lower-case name")
        found.add(field)
    return found


@lru_cache(maxsize=64)
def _read(path: Path, mtime_ns: int) -> str:
    return _COMMENT.sub("", path.read_text(encoding="utf-8")).strip()


class PromptLibrary:
    """Loads prompt files by name from one directory (re-read when a file changes)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, name: str) -> Path:
        for suffix in SUFFIXES:
            candidate = self.directory / f"{name}{suffix}"
            if candidate.is_file():
                return candidate
        raise PromptError(f"prompt '{name}' not found in {self.directory} (.md or .txt)")

    def template(self, name: str) -> str:
        path = self.path(name)
        try:
            return _read(path, path.stat().st_mtime_ns)
        except (OSError, UnicodeDecodeError) as exc:
            raise PromptError(f"{path}: cannot read: {exc}") from None

    def render(self, prompt: str, /, **values: object) -> str:
        """The prompt with every placeholder filled; `PromptError` on a missing or unused one."""
        name = prompt
        template = self.template(name)
        try:
            fields = placeholders(template)
        except PromptError as exc:
            raise PromptError(f"{self.path(name)}: {exc}") from None
        missing = sorted(fields - values.keys())
        unused = sorted(values.keys() - fields)
        if missing or unused:
            raise PromptError(
                f"{self.path(name)}: placeholders missing a value: {missing or '-'}; "
                f"values without a placeholder: {unused or '-'}"
            )
        return template.format_map({k: str(v) for k, v in values.items()})

    def validate(self, expected: dict[str, frozenset[str]] = PROMPT_FIELDS) -> None:
        """Check every expected prompt exists and has exactly the expected placeholders."""
        problems: list[str] = []
        for name, fields in expected.items():
            try:
                found = placeholders(self.template(name))
            except PromptError as exc:
                problems.append(f"{name}: {exc}")
                continue
            if found != fields:
                problems.append(
                    f"{name}: has {sorted(found)}, the code fills {sorted(fields)}"
                )
        if problems:
            raise PromptError("; ".join(problems))
