"""Answer-level eval: is the text a participant reads an answer? (``wijkwijs eval``)

Per question (``tests/eval/answers.yaml``): every key fact present (phrases from the right
section), key-fact coverage, the recognised intent, refusals; plus noise checks on the body:
link-list bodies, mid-list starts, stray case quotes (the objection quoted back), passages from
a second file. Follow-ups (``follow_up_of``) are asked right after their first question with
that answer's context, as a participant would.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.answering.documents import Document
from bot.answering.followup import AnswerContext
from bot.answering.intent import INTENTS
from bot.answering.service import Answer, AnswerService
from bot.folding import fold

_LIST = re.compile(r"^\s*(?:[-*•]|\d+\.)\s+")
_NUMBERED = re.compile(r"^\s*(\d+)\.\s+")
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
MIN_SENTENCE = 40
QUOTE_PREFIX = 40


def norm(text: str) -> str:
    """Lowercase, no accents, no Markdown emphasis, uniform quotes, single spaces."""
    text = fold(text).replace("**", "").replace("*", "")
    text = re.sub(r"[“”„\"']", "", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class AnswerEvalQuestion:
    question: str
    intent: str
    topics: tuple[str, ...]
    key_facts: tuple[str, ...]
    lang: str = "nl"
    follow_up_of: str = ""

    @property
    def in_scope(self) -> bool:
        return self.intent != "buiten_scope"


def load_answer_questions(path: Path) -> list[AnswerEvalQuestion]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = raw["questions"] if isinstance(raw, dict) else raw
    out = []
    for item in items:
        intent = str(item["intent"])
        if intent not in INTENTS:
            raise ValueError(f"{path}: unknown intent {intent!r} for {item['question']!r}")
        out.append(AnswerEvalQuestion(
            str(item["question"]), intent, tuple(item.get("topics") or ()),
            tuple(str(f) for f in item.get("key_facts") or ()), str(item.get("lang", "nl")),
            str(item.get("follow_up_of") or "")))
    return out


def load_intent_questions(path: Path) -> list[tuple[str, str]]:
    """``questions: [{text, intent}]`` (the intent eval format)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = raw["questions"] if isinstance(raw, dict) else raw
    return [(str(i.get("text") or i.get("question")), str(i["intent"])) for i in items]


class NoiseChecker:
    """Text-based checks of an answer body against the material."""

    def __init__(self, docs: dict[str, Document]) -> None:
        self.link_lines: set[str] = set()
        self.quotes: list[str] = []
        self.list_position: dict[str, int] = {}
        """Normalised start of a list item -> its position in its list (0 = first)."""
        self.file_text: dict[str, str] = {}
        for doc in docs.values():
            self.file_text[doc.path] = norm("\n".join(s.text for s in doc.sections
                                                      if not s.is_links))
            for s in doc.sections:
                lines = [ln for ln in s.text.splitlines() if ln.strip()]
                if s.is_links:
                    self.link_lines |= {norm(_LIST.sub("", ln))[:QUOTE_PREFIX] for ln in lines}
                    continue
                if doc.kind == "casus" and s.heading.lower().startswith("het bezwaar"):
                    for sentence in _SENTENCES.split(s.text.lstrip("> ")):
                        if len(sentence) >= 25:
                            self.quotes.append(norm(sentence)[:QUOTE_PREFIX])
                position = -1
                for ln in lines:
                    if _LIST.match(ln):
                        position += 1
                        key = norm(_LIST.sub("", ln))[:QUOTE_PREFIX]
                        self.list_position.setdefault(key, position)
                    else:
                        position = -1

    def link_list_body(self, body: str) -> bool:
        lines = [norm(_LIST.sub("", ln))[:QUOTE_PREFIX] for ln in body.splitlines() if ln.strip()]
        return sum(ln in self.link_lines for ln in lines) >= 2

    def mid_list_start(self, body: str) -> bool:
        prev_item = False
        for ln in body.splitlines():
            if not ln.strip():
                continue  # a blank line does not end a list
            item = bool(_LIST.match(ln))
            if item and not prev_item:
                m = _NUMBERED.match(ln)
                if m and int(m.group(1)) > 1:
                    return True
                pos = self.list_position.get(norm(_LIST.sub("", ln))[:QUOTE_PREFIX])
                if not m and pos is not None and pos > 0:
                    return True
            prev_item = item
        return False

    def stray_quote(self, body: str) -> bool:
        text = norm(body)
        return any(q in text for q in self.quotes)

    def files_used(self, body: str) -> set[str]:
        """Files that are the only source of some sentence of the body."""
        used: set[str] = set()
        for sentence in _SENTENCES.split(body):
            s = norm(_LIST.sub("", sentence))
            if len(s) < MIN_SENTENCE:
                continue
            owners = [p for p, t in self.file_text.items() if s in t]
            if len(owners) == 1:
                used.add(owners[0])
        return used

    def second_file(self, body: str) -> bool:
        return len(self.files_used(body)) >= 2


@dataclass
class AnswerReport:
    questions: int = 0
    in_scope: int = 0
    out_of_scope: int = 0
    with_facts: int = 0
    all_facts: float = 0.0
    """Share of in-scope questions with key facts whose answer has every key fact."""
    fact_coverage: float = 0.0
    intent_accuracy: float = 0.0
    topic_hit: float = 0.0
    """Share of answered in-scope questions whose (first) source has a wanted topic."""
    in_scope_refusals: int = 0
    in_scope_refusal_rate: float = 0.0
    oos_refused: float = 0.0
    link_list_bodies: int = 0
    mid_list_starts: int = 0
    stray_case_quotes: int = 0
    second_file_passages: int = 0
    over_length: int = 0
    """Bodies longer than the 900-character target (+10 %)."""
    refusals_by_lang: dict[str, str] = field(default_factory=dict)
    intent_confusion: dict[str, int] = field(default_factory=dict)
    p95_ms: float = 0.0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def render(self, verbose: bool = False) -> str:
        lines = [
            f"answers: {self.questions} (in scope {self.in_scope}, out of scope "
            f"{self.out_of_scope}; with key facts {self.with_facts})",
            f"every key fact: {self.all_facts:.3f}",
            f"key-fact coverage: {self.fact_coverage:.3f}",
            f"intent accuracy: {self.intent_accuracy:.3f}",
            f"right file (topic): {self.topic_hit:.3f}",
            f"in-scope refusals: {self.in_scope_refusals} ({self.in_scope_refusal_rate:.3f}); "
            f"by language: {self.refusals_by_lang}",
            f"out-of-scope refused: {self.oos_refused:.3f}",
            f"noise: link-list bodies {self.link_list_bodies}, mid-list starts "
            f"{self.mid_list_starts}, stray case quotes {self.stray_case_quotes}, second-file "
            f"passages {self.second_file_passages}, over length {self.over_length}",
            f"answer p95: {self.p95_ms:.1f} ms   time: {self.seconds:.2f} s",
        ]
        if verbose and self.misses:
            lines.append("misses:")
            lines.extend(f"  {m}" for m in self.misses)
        return "\n".join(lines)


def answered(questions: list[AnswerEvalQuestion],
             ask: Callable[[str, AnswerContext | None], Answer],
             ) -> Iterator[tuple[AnswerEvalQuestion, Answer]]:
    """Each question with its answer (``ask``: e.g. ``AnswerService.ask``). A follow-up is
    asked with the context its first question left (that question is asked first when the set
    does not hold it before); a refused answer keeps the context it was asked with."""
    contexts: dict[str, AnswerContext | None] = {}

    def asked(question: str, context: AnswerContext | None) -> Answer:
        answer = ask(question, context)
        contexts[question] = answer.context if answer.grounded else context
        return answer

    for q in questions:
        context = None
        if q.follow_up_of:
            if q.follow_up_of not in contexts:
                asked(q.follow_up_of, None)
            context = contexts.get(q.follow_up_of)
        yield q, asked(q.question, context)


def evaluate_answers(service: AnswerService, questions: list[AnswerEvalQuestion],
                     docs: dict[str, Document]) -> AnswerReport:
    checker = NoiseChecker(docs)
    report = AnswerReport(questions=len(questions))
    started = time.perf_counter()
    timings: list[float] = []
    facts_found = facts_total = all_ok = intent_ok = topic_ok = answered_in = 0
    refused_by_lang: Counter[str] = Counter()
    total_by_lang: Counter[str] = Counter()
    oos_ok = 0
    confusion: Counter[str] = Counter()

    def timed(question: str, context: AnswerContext | None) -> Answer:
        t0 = time.perf_counter()
        answer = service.ask(question, context)
        timings.append((time.perf_counter() - t0) * 1000)
        return answer

    for q, answer in answered(questions, timed):
        body = answer.answer if answer.grounded else ""
        label = answer.intent or "?"
        if label == q.intent:
            intent_ok += 1
        else:
            confusion[f"{q.intent}->{label}"] += 1
        if not q.in_scope:
            report.out_of_scope += 1
            oos_ok += not answer.grounded
            if answer.grounded:
                report.misses.append(f"OOS answered: {q.question!r}")
            continue
        report.in_scope += 1
        total_by_lang[q.lang] += 1
        if not answer.grounded:
            report.in_scope_refusals += 1
            refused_by_lang[q.lang] += 1
            report.misses.append(f"refused: {q.question!r}")
        else:
            answered_in += 1
            if answer.sources and answer.sources[0].topic in q.topics:
                topic_ok += 1
        if q.key_facts:
            report.with_facts += 1
            text = norm(body)
            found = [f for f in q.key_facts if norm(f) in text]
            facts_found += len(found)
            facts_total += len(q.key_facts)
            if len(found) == len(q.key_facts):
                all_ok += 1
            elif answer.grounded:
                missing = [f for f in q.key_facts if f not in found]
                src = answer.sources[0].path if answer.sources else "-"
                report.misses.append(f"missing {missing}: {q.question!r} [{label}] from {src}")
        noise = {
            "link": checker.link_list_body(body),
            "mid": checker.mid_list_start(body),
            "quote": checker.stray_quote(body),
            "second": checker.second_file(body),
        }
        report.link_list_bodies += noise["link"]
        report.mid_list_starts += noise["mid"]
        report.stray_case_quotes += noise["quote"]
        report.second_file_passages += noise["second"]
        report.over_length += len(body) > 990
        if any(noise.values()):
            report.misses.append(f"noise {[k for k, v in noise.items() if v]}: {q.question!r}")
    report.all_facts = all_ok / max(report.with_facts, 1)
    report.fact_coverage = facts_found / max(facts_total, 1)
    report.intent_accuracy = intent_ok / max(len(questions), 1)
    report.topic_hit = topic_ok / max(answered_in, 1)
    report.in_scope_refusal_rate = report.in_scope_refusals / max(report.in_scope, 1)
    report.oos_refused = oos_ok / max(report.out_of_scope, 1)
    report.refusals_by_lang = {lang: f"{refused_by_lang[lang]}/{n}"
                               for lang, n in sorted(total_by_lang.items())}
    report.intent_confusion = dict(confusion.most_common())
    ordered = sorted(timings)
    report.p95_ms = ordered[int(0.95 * (len(ordered) - 1))] if ordered else 0.0
    report.seconds = time.perf_counter() - started
    return report


def evaluate_intents(service: AnswerService, items: list[tuple[str, str]]) -> dict[str, Any]:
    """Intent accuracy of the recogniser on ``(text, intent)`` pairs (no follow-up context)."""
    composer = service.composer
    if composer is None or composer.intents is None:
        return {"questions": len(items), "accuracy": 0.0, "errors": ["no intent model"]}
    ok = 0
    errors = []
    per: Counter[str] = Counter()
    per_ok: Counter[str] = Counter()
    for text, intent in items:
        normalised = composer.glossary.normalise(text)
        pred = composer.intents.predict(normalised)
        per[intent] += 1
        if pred.intent == intent:
            ok += 1
            per_ok[intent] += 1
        else:
            errors.append(f"{intent}->{pred.intent}: {text!r}")
    return {"questions": len(items), "accuracy": ok / max(len(items), 1),
            "per_intent": {k: f"{per_ok[k]}/{n}" for k, n in sorted(per.items())},
            "errors": errors}


@dataclass
class ScopeReport:
    """Answer-level scope decision on the retrieval set (questions.yaml: grounded true/false)."""

    in_scope: int = 0
    in_scope_refused: int = 0
    out_of_scope: int = 0
    out_of_scope_refused: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def refusal_rate(self) -> float:
        return self.in_scope_refused / max(self.in_scope, 1)

    @property
    def oos_refused(self) -> float:
        return self.out_of_scope_refused / max(self.out_of_scope, 1)

    def to_json(self) -> dict[str, Any]:
        return {"in_scope": self.in_scope, "in_scope_refusal_rate": self.refusal_rate,
                "out_of_scope": self.out_of_scope, "out_of_scope_refused": self.oos_refused,
                "misses": self.misses}

    def render(self) -> str:
        return (f"answers on the retrieval set: in-scope refused {self.in_scope_refused}/"
                f"{self.in_scope} ({self.refusal_rate:.3f}), out-of-scope refused "
                f"{self.out_of_scope_refused}/{self.out_of_scope} ({self.oos_refused:.3f})")


def evaluate_scope(service: AnswerService, questions: list[tuple[str, bool]]) -> ScopeReport:
    """``(question, in scope)`` pairs answered as a participant would ask them."""
    report = ScopeReport()
    for question, in_scope in questions:
        answer = service.ask(question)
        if in_scope:
            report.in_scope += 1
            if not answer.grounded:
                report.in_scope_refused += 1
                report.misses.append(f"refused: {question!r}")
        else:
            report.out_of_scope += 1
            if not answer.grounded:
                report.out_of_scope_refused += 1
            else:
                report.misses.append(f"OOS answered: {question!r}")
    return report
