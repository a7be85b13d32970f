"""Honest, deterministic feedback on one checklist answer: what is still missing.

No language model: the checks follow each assignment's quality criteria, which live as data in
``knowledge/opdrachten/controles.yaml`` (see `bot.assignments.criteria`):

- word count (``min_words`` of the opdracht file) and entry count of list answers, robust to
  commas, "en", bullets, lines and names with notes in parentheses;
- a reason per listed partner or tool;
- required parts and perspectives (partner AND library side for "What's in it for me?");
- vague text: no concrete who/what/when, or the vague promises the criteria warn about.

A *warning* means the item is not "in orde" yet; *advice* (requirements beyond the course
description) is only a tip. Every message is one friendly Dutch sentence with an example.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.assignments import texts
from bot.assignments.counting import count_words, entry_name, has_reason, split_entries
from bot.assignments.criteria import EMPTY, Criteria, ItemCriteria, Lexicons
from bot.assignments.models import field_label
from bot.knowledge.models import ChecklistItem

__all__ = ["Finding", "Review", "brief", "check", "count_words", "review", "split_entries",
           "where"]

SENTENCES = re.compile(r"(?<=[.!?:])\s+|\n+|[,;]\s+")
PROPER_NAME = re.compile(r"(?<=[a-zé,;(]\s)[A-Z][\w'’-]+|(?<=\w\s)[A-Z]{2,}\b")
"""A capitalised word that does not start a sentence ('… met Welzijn Noord', '… de GGD')."""
QUOTED = re.compile(r"['‘“\"][^'’”\"]{8,}['’”\"]")
CONCRETE_ENOUGH = 2
"""Concrete signals (numbers, days, names, activities, people) that outweigh vague phrases."""


@dataclass(frozen=True)
class Finding:
    code: str
    """'empty', 'short', 'few', 'no_reason', 'vague' or 'missing:<part>' (warnings);
    'advice:<part>' / 'advice:count' (tips)."""
    message: str
    severity: Literal["warning", "advice"] = "warning"


@dataclass(frozen=True)
class Review:
    findings: tuple[Finding, ...]

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def advice(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "advice")

    @property
    def codes(self) -> set[str]:
        return {f.code for f in self.warnings}

    @property
    def ok(self) -> bool:
        return not self.warnings


def first_sentence(text: str) -> str:
    """The first sentence of a help text (the short message stays one sentence)."""
    text = text.strip()
    match = re.match(r"(.+?[.!?])(?:\s|$)", text)
    return match.group(1) if match else text


def _noun(item: ChecklistItem, spec: ItemCriteria | None) -> str:
    if spec is not None and spec.count is not None and spec.count.noun:
        return spec.count.noun
    return item.item_noun or texts.DEFAULT_ITEM_NOUN


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCES.split(text) if s.strip()]


def concreteness(text: str, lexicons: Lexicons) -> int:
    """How many kinds of concrete detail the text has (numbers, days, names, activities …)."""
    score = sum(1 for p in lexicons.concrete if p.search(text))
    if PROPER_NAME.search(text):
        score += 1
    if QUOTED.search(text):
        score += 1
    return score


def is_vague(text: str, lexicons: Lexicons) -> bool:
    concrete = concreteness(text, lexicons)
    if concrete == 0:
        return True
    if lexicons.deferral.search(text) and concrete <= CONCRETE_ENOUGH:
        return True  # "drie keer per jaar iets leuks, wat precies zien we later wel"
    vague_hits = len(lexicons.vague.findall(text))
    return vague_hits > 0 and concrete < CONCRETE_ENOUGH + (vague_hits > 2)


NAMED_SUBJECT = re.compile(
    r"^\s*(?:[Hh]et |[Dd]e )?[A-Z][\w'’-]+(?:\s+(?:&\s+)?[A-Z][\w'’-]*)+")
"""A sentence that starts with a proper name: 'Naaiatelier Fatma wil …', 'Het Repair Café …'."""


def sides(text: str, lexicons: Lexicons) -> set[str]:
    """Which perspectives the text takes: 'partner', 'bibliotheek' (first cue per sentence).

    A sentence about 'we' together ('samen kunnen we …') belongs to neither side; 'ze'/'zij'
    only speak for the partner in a sentence without any library cue.
    """
    found: set[str] = set()
    for sentence in _sentences(text):
        hits: list[tuple[int, str]] = []
        if m := lexicons.library_strong.search(sentence):
            hits.append((m.start(), "bibliotheek"))
        if (m := lexicons.library_weak.search(sentence)) and not re.search(
                r"\bsamen\b|\bbeide\b|\ballebei\b|\biedereen\b", sentence, re.IGNORECASE):
            hits.append((m.start(), "bibliotheek"))
        if m := lexicons.partner.search(sentence):
            hits.append((m.start(), "partner"))
        if (m := NAMED_SUBJECT.match(sentence)) and not lexicons.library_strong.search(m.group()):
            hits.append((m.start(), "partner"))
        if not hits and (m := lexicons.partner_weak.search(sentence)) and not \
                lexicons.library_weak.search(sentence):
            hits.append((m.start(), "partner"))
        if hits:
            found.add(min(hits)[1])
    return found


def _count_findings(item: ChecklistItem, spec: ItemCriteria | None, text: str,
                    lexicons: Lexicons) -> list[Finding]:
    minimum = item.min_items
    count_spec = spec.count if spec is not None else None
    if count_spec is not None:
        minimum = count_spec.min
    if not minimum:
        return []
    entries = split_entries(text)
    noun = _noun(item, spec)
    example = count_spec.example if count_spec is not None and count_spec.example else ""
    findings: list[Finding] = []
    if len(entries) < minimum:
        if len(entries) == 1:
            message = texts.CHECK_ONE_ENTRY.format(minimum=minimum, noun=noun)
        else:
            message = texts.CHECK_FEW_ENTRIES.format(count=len(entries), noun=noun,
                                                     minimum=minimum)
        findings.append(Finding("few", message))
    elif count_spec is not None and count_spec.advice and len(entries) < count_spec.advice:
        findings.append(Finding("advice:count", texts.ADVICE_MORE_ENTRIES.format(
            count=len(entries), noun=noun, advice=count_spec.advice), "advice"))
    if count_spec is not None and count_spec.reasons:
        missing = [entry_name(e) or e for e in entries if not has_reason(e, lexicons.reason)]
        if missing:
            names = texts.join_names([f"'{m}'" for m in missing[:3]])
            findings.append(Finding("no_reason", texts.CHECK_NO_REASON.format(
                names=names, example=example or texts.DEFAULT_REASON_EXAMPLE)))
    return findings


def review(item: ChecklistItem, text: str, criteria: ItemCriteria | None = None,
           lexicons: Lexicons | None = None) -> Review:
    """All findings for ``text`` as the answer to ``item``, warnings first in a fixed order."""
    lexicons = lexicons or EMPTY.lexicons
    if not text.strip():
        return Review((Finding("empty", texts.CHECK_EMPTY),))
    findings: list[Finding] = []
    words = count_words(text)
    short = words < item.min_words
    if short:
        template = texts.CHECK_SHORT if item.help.strip() else texts.CHECK_SHORT_NO_HELP
        findings.append(Finding("short", template.format(
            words=words, word_noun=texts.word_noun(words), minimum=item.min_words,
            help=first_sentence(item.help))))
    findings += _count_findings(item, criteria, text, lexicons)
    if criteria is not None:
        for part in criteria.parts:
            if not part.pattern.search(text):
                findings.append(Finding(f"missing:{part.id}", part.message))
        if criteria.sides is not None:
            present = sides(text, lexicons)
            if "partner" not in present:
                findings.append(Finding("missing:partner", criteria.sides.partner))
            if "bibliotheek" not in present:
                findings.append(Finding("missing:bibliotheek", criteria.sides.bibliotheek))
        if criteria.vague and not short and is_vague(text, lexicons):
            findings.append(Finding("vague", criteria.vague))
        for part in criteria.advice:
            if not part.pattern.search(text):
                findings.append(Finding(f"advice:{part.id}", part.message, "advice"))
    order = {"warning": 0, "advice": 1}
    return Review(tuple(sorted(findings, key=lambda f: order[f.severity])))


def review_for(criteria: Criteria, assignment: int, item: ChecklistItem, text: str) -> Review:
    return review(item, text, criteria.for_item(assignment, item.id), criteria.lexicons)


def check(item: ChecklistItem, text: str, criteria: ItemCriteria | None = None,
          lexicons: Lexicons | None = None) -> list[str]:
    """Dutch messages saying what is still missing in ``text``; empty list = in orde."""
    return [f.message for f in review(item, text, criteria, lexicons).warnings]


def where(item: ChecklistItem, heading: str | None = None) -> str:
    """"Partner 2: 'Wat levert…'" or "'Kies drie potentiële partners'"."""
    if item.group:
        return texts.WHERE_GROUP.format(group=heading or item.group, label=field_label(item))
    return texts.WHERE_ITEM.format(label=item.label)


def brief(item: ChecklistItem, result: Review, heading: str | None = None) -> list[str]:
    """One short line per warning, naming the item (for the assignment-level check)."""
    return [texts.ASSIGNMENT_LINE.format(where=where(item, heading), message=f.message)
            for f in result.warnings]


def partner_names(answers: Mapping[str, str], item_id: str = "keuze") -> list[str]:
    """Names of the chosen partners / tools, in order (for headings)."""
    return [entry_name(e) for e in split_entries(answers.get(item_id, ""))]
