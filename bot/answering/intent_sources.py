"""Intent training examples derived from question keys: where a question sits says what it asks.

Question keys (``knowledge/vragen/<folder>/<stem>.yaml``: ``file``, ``sections: [{heading,
questions}]``) are realistic participant questions written per section of a knowledge file.
``knowledge/intent-secties.yaml`` maps (folder, heading) to an intent ("Valkuilen" ->
valkuilen, a casus -> weerstand, ...); headings no rule maps are skipped. The intent model
(bot/answering/intent.py) adds the derived examples to the hand-labelled ``intenties.yaml``,
after dropping those whose own form disagrees with their section's label.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge.question_keys import read_key_files

log = logging.getLogger(__name__)

SECTIONS_FILE = "intent-secties.yaml"
QUESTIONS_DIR = "vragen"
"""Default folder of the question keys, inside the knowledge directory."""
SKIP = "skip"


@dataclass(frozen=True)
class SectionRule:
    folder: str
    """Empty = any folder."""
    heading: re.Pattern[str] | None
    intent: str
    """An intent label, or ``SKIP``."""

    def matches(self, folder: str, heading: str) -> bool:
        return (not self.folder or self.folder == folder) and \
            (self.heading is None or self.heading.search(heading.strip()) is not None)


def same_question(text: str) -> str:
    """Comparison key: lower case, punctuation and extra spaces ignored."""
    return " ".join(re.findall(r"\w+", text.lower()))


@dataclass(frozen=True)
class SectionMap:
    rules: tuple[SectionRule, ...]
    exclude: frozenset[str] = frozenset()
    """Questions (``same_question`` keys) never used as intent examples."""

    @classmethod
    def load(cls, path: Path, labels: tuple[str, ...]) -> SectionMap:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        rules = raw.get("rules") if isinstance(raw, dict) else None
        if not isinstance(rules, list):
            raise ValueError(f"{path}: expected 'rules: [{{folder, heading, intent}}]'")
        out: list[SectionRule] = []
        for i, rule in enumerate(rules, 1):
            if not isinstance(rule, dict) or "intent" not in rule:
                raise ValueError(f"{path}: rule {i} needs an intent")
            intent = str(rule["intent"])
            if intent != SKIP and intent not in labels:
                raise ValueError(f"{path}: rule {i}: unknown intent {intent!r}")
            pattern = rule.get("heading")
            try:
                heading = re.compile(str(pattern), re.I) if pattern else None
            except re.error as exc:
                raise ValueError(f"{path}: rule {i}: bad heading pattern: {exc}") from None
            out.append(SectionRule(str(rule.get("folder") or ""), heading, intent))
        exclude = raw.get("exclude") or []
        if not isinstance(exclude, list):
            raise ValueError(f"{path}: 'exclude' must be a list of questions")
        return cls(tuple(out), frozenset(same_question(str(q)) for q in exclude))

    def intent(self, folder: str, heading: str) -> str | None:
        """The intent for questions under ``heading`` in ``folder`` (None: not used)."""
        for rule in self.rules:
            if rule.matches(folder, heading):
                return None if rule.intent == SKIP else rule.intent
        return None


@dataclass(frozen=True)
class KeyQuestion:
    text: str
    intent: str
    file: str
    """The knowledge file the question was written for (``lesstof/x.md``)."""
    heading: str


def load_question_keys(folder: Path) -> list[tuple[str, str, str]]:
    """``(file, heading, question)`` from every ``**/*.yaml`` under ``folder``, in path order,
    read by the knowledge loader's parser (shape only: the knowledge files need not be there).
    A file in the wrong shape is logged and skipped."""
    keys = read_key_files(sorted(p for p in folder.glob("**/*.yaml") if p.is_file()), folder,
                          None)
    for err in keys.errors:
        log.warning("question keys skipped: %s", err)
    return [(k.path, k.heading, k.question) for k in keys.keys]


def derive_examples(folder: Path, sections: SectionMap) -> list[KeyQuestion]:
    """Labelled questions from the question keys under ``folder``. A question that appears
    under sections with different intents is left out (its place says nothing)."""
    found: dict[str, KeyQuestion] = {}
    conflicting: set[str] = set()
    for file, heading, question in load_question_keys(folder):
        intent = sections.intent(file.split("/", 1)[0], heading)
        if intent is None:
            continue
        key = same_question(question)
        if key in found and found[key].intent != intent:
            conflicting.add(key)
        found.setdefault(key, KeyQuestion(question, intent, file, heading))
    return [q for key, q in found.items() if key not in conflicting]


def questions_folder(knowledge_dir: Path, override: Path | None = None) -> Path:
    """Where the question keys live: ``override`` or ``knowledge/vragen``."""
    return override if override is not None else knowledge_dir / QUESTIONS_DIR
