"""Objection advice from the casussen: match the case, then underneath / approach / pitfall.

A participant who describes resistance ("mijn teamleider zegt dat er geen tijd is") gets:
what often lies underneath, the good approach in 3–5 concrete steps, one example sentence and
the one pitfall to avoid, from the best-matching casus. Matching is dense (the query vector
against one profile vector per casus: title, stakeholder, objection, summary) plus BM25 over
the same profile, so a case is found in English or Flemish too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.answering.compose import _shorten_item, clean_lines, strip_marker
from bot.answering.documents import Document
from bot.knowledge.models import KnowledgeFile
from bot.retrieval.embeddings import Embedder
from bot.retrieval.lexical import LexicalIndex, tokenize

UNDERNEATH = re.compile(r"^de zorg eronder", re.I)
GOOD = re.compile(r"^goede aanpak", re.I)
POOR = re.compile(r"^minder goede aanpak", re.I)
OBJECTION = re.compile(r"^het bezwaar", re.I)
WHO = re.compile(r"^wie$", re.I)
BOLD = re.compile(r"\*\*([^*]+)\*\*")
"""The bold lead of a list item ("**Luister eerst.**")."""
LEAD_ITEM = re.compile(r"^((?:[-*])\s+\*\*[^*]+\*\*)")
"""A list item that starts with its bold lead; group 1 = marker and lead."""
MAX_STEPS = 5
MIN_STEPS = 3
UNDERNEATH_SENTENCES = 6
UNDERNEATH_FOCUS_SENTENCES = 10
LAST_STEP_SENTENCES = 2
"""The last step (the small concrete step) keeps its detail ("Bijvoorbeeld zes weken...")."""
MAX_CHARS = 900
LEXICAL_WEIGHT = 0.02
"""BM25 is unbounded; this scales it to a small bonus next to the cosine similarity."""
VIEW_MAX = 0.5
"""Case score = VIEW_MAX * best view + (1 - VIEW_MAX) * mean of the views (``Casus.views``)."""
KEEP_FIRST = 2
"""The first steps of *Goede aanpak* (listen, acknowledge) are always shown."""
SHRINK = ("step", "last", "step", "bare", "pitfall",
          *["under"] * (UNDERNEATH_FOCUS_SENTENCES - 1), "more_avoid", "more_steps")
"""Over MAX_CHARS, shrink in this order: drop the least relevant optional step (its lead moves
to the "Verder helpt" line), the small step's detail, the next optional step, the first
sentences of the shown steps (bare leads), the pitfall's explanation, the concern sentence by
sentence (least relevant first), the "Ook niet" line of other pitfalls, the "Verder helpt"
line (round 4: new writers' key facts sit in the concern and in any step or pitfall lead)."""
FOCUS_SHRINK = ("last", "bare", "pitfall", "more_avoid", "more_steps",
                *["under"] * (UNDERNEATH_FOCUS_SENTENCES - 1))
"""The same for ``focus="underneath"``: the concern is what was asked, it shrinks last."""
COMMON_LEAD = 3
"""A step lead found in this many cases ("Vraag open door.") is generic: shown last-resort."""


@dataclass(frozen=True)
class Casus:
    path: str
    title: str
    stakeholder: str
    good_responses: tuple[str, ...]
    doc: Document
    summary: str = ""
    tags: tuple[str, ...] = ()

    def profile(self) -> str:
        objection = self.doc.find(OBJECTION)
        quote = objection.text.lstrip("> ").strip() if objection else ""
        return f"{self.title}. {self.stakeholder}. {quote}"

    def views(self) -> list[str]:
        """Texts a participant's description may resemble: the objection as said, the case in
        a nutshell, and who objects with the concern underneath."""
        who = self.doc.find(WHO)
        underneath = self.doc.find(UNDERNEATH)
        return [
            self.profile(),
            f"{self.title}. {self.summary} {' '.join(self.tags)}",
            f"{self.stakeholder}. {_sentences(who.text, 2) if who else ''} "
            f"{_sentences(underneath.text, 3) if underneath else ''}",
        ]


@dataclass(frozen=True)
class CasusMatch:
    casus: Casus
    score: float


@dataclass(frozen=True)
class Advice:
    text: str
    casus: Casus
    similar: list[Casus]


def _split_sentences(text: str) -> list[str]:
    flat = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return [p for p in re.split(r"(?<=[.!?])\s+", flat) if p]


def _sentences(text: str, n: int) -> str:
    return " ".join(_split_sentences(text)[:n])


def _by_relevance(sentences: list[str], question: str) -> list[int]:
    """Sentence indices: the first (it introduces the concern), then those sharing most words
    with the question, ties in text order."""
    q = set(tokenize(question))
    rest = sorted(range(1, len(sentences)),
                  key=lambda i: (-len(q & set(tokenize(sentences[i]))), i))
    return [0, *rest] if sentences else []


def _lead_text(item: str) -> str:
    """The bold lead of a list item as written, without its final full stop."""
    m = BOLD.search(item)
    lead = m.group(1) if m else strip_marker(_shorten_item(item))
    return lead.strip().rstrip(".").strip()


def _items(text: str) -> list[str]:
    return [ln for ln in clean_lines(text) if ln.lstrip().startswith(("-", "*"))]


def _item(line: str, sentences: int) -> str:
    """A list item as its bold lead plus its first ``sentences`` sentences (0: the lead)."""
    if sentences == 0:
        m = LEAD_ITEM.match(line)
        return m.group(1) if m else _shorten_item(line)
    if sentences <= 1:
        return _shorten_item(line)
    m = LEAD_ITEM.match(line)
    if m is None:
        return _shorten_item(line)
    return f"{m.group(1)} {_sentences(line[m.end():], sentences)}".rstrip()


def _lead(item: str) -> str:
    """The bold lead of a list item, normalised ("vraag open door.")."""
    m = BOLD.search(item)
    return (m.group(1) if m else strip_marker(item)).strip().lower()


def _common_leads(cases: list[Casus]) -> frozenset[str]:
    counts: dict[str, int] = {}
    for c in cases:
        good = c.doc.find(GOOD)
        if good is None:
            continue
        leads = {_lead(ln) for ln in clean_lines(good.text) if ln.lstrip().startswith(("-", "*"))}
        for lead in leads:
            counts[lead] = counts.get(lead, 0) + 1
    return frozenset(lead for lead, n in counts.items() if n >= COMMON_LEAD)


class CasusAdvisor:
    def __init__(self, files: list[KnowledgeFile], docs: dict[str, Document],
                 embedder: Embedder) -> None:
        self.cases: list[Casus] = [
            Casus(f.path, f.front.title, f.casus.stakeholder, tuple(f.casus.good_responses),
                  docs[f.path], f.front.summary, tuple(f.front.tags))
            for f in files if f.casus is not None and f.path in docs
        ]
        views = [c.views() for c in self.cases]
        self.n_views = len(views[0]) if views else 1
        flat = [v for vs in views for v in vs]
        self.embedder = embedder
        self.vectors = embedder.encode_documents(flat) if flat else np.zeros((0, 1))
        # Words: who objects and how (not the story underneath, which names other parties).
        self.lexical = LexicalIndex([" ".join(vs[:2]) for vs in views])
        self.common_leads = _common_leads(self.cases)

    def rank(self, vector: np.ndarray, question: str,
             keys: dict[str, float] | None = None) -> list[CasusMatch]:
        """Cases best first; ``keys``: file path -> best question-key similarity, a fourth
        view (the casus's keys in ``knowledge/vragen/casussen/``) joining best and mean."""
        if not self.cases:
            return []
        per_view = (self.vectors @ np.asarray(vector, dtype=np.float32)).reshape(
            len(self.cases), self.n_views)
        if keys:
            column = np.asarray([keys.get(c.path, 0.0) for c in self.cases], dtype=np.float32)
            if column.any():
                per_view = np.hstack([per_view, column[:, None]])
        scores = (VIEW_MAX * per_view.max(axis=1) +
                  (1 - VIEW_MAX) * per_view.mean(axis=1)).astype(float)
        for i, s in self.lexical.search(tokenize(question), len(self.cases)):
            scores[i] += LEXICAL_WEIGHT * s
        order = np.argsort(-scores)
        return [CasusMatch(self.cases[i], float(scores[i])) for i in order]

    def by_path(self, path: str) -> Casus | None:
        return next((c for c in self.cases if c.path == path), None)

    def advise(self, casus: Casus, question: str, similar: list[Casus],
               labels: dict[str, str], focus: str = "") -> Advice:
        """The advice text (Markdown). ``labels`` holds the Dutch headings (texts.py).

        Parts: what lies underneath (up to UNDERNEATH_SENTENCES sentences of *De zorg
        eronder*: the first, then those sharing most words with the question), 3-5 steps of
        *Goede aanpak* (the first two, the steps closest to the question, the last one: the
        small concrete step, with its detail), the leads of the other steps ("Verder helpt",
        generic leads left out), one example reply, the pitfall closest to the question and
        the leads of the other pitfalls ("Ook niet"). Over MAX_CHARS it shrinks in the order
        of ``SHRINK``. ``focus="underneath"`` (a follow-up asking what lies behind the
        objection) shows the whole concern and only the fixed steps (``FOCUS_SHRINK``)."""
        doc = casus.doc
        underneath = doc.find(UNDERNEATH)
        good = doc.find(GOOD)
        items = _items(good.text) if good is not None else []
        # Words naming the case itself ("teamleider", "tijd") say nothing about which step.
        asked = " ".join(set(tokenize(question)) - set(tokenize(casus.profile())))
        chosen, optional = self._steps(items, asked)
        concern = _split_sentences(underneath.text) if underneath is not None else []
        concern_order = _by_relevance(concern, question)
        state = {"under": UNDERNEATH_SENTENCES, "last": LAST_STEP_SENTENCES,
                 "more_steps": 1, "more_avoid": 1, "bare": 1, "pitfall": 1}
        if focus == "underneath":
            chosen = [i for i in chosen if i not in optional]
            optional = []
            state.update(under=UNDERNEATH_FOCUS_SENTENCES, last=1)
        example = self._example(casus, question)
        pitfalls = self._pitfalls(doc, asked)

        def render() -> str:
            parts: list[str] = []
            if concern:
                shown = sorted(concern_order[:state["under"]])
                parts.append(f"**{labels['underneath']}** " +
                             " ".join(concern[i] for i in shown))
            steps = [_item(items[i], state["last"] if i == len(items) - 1 else
                           state["bare"]) for i in chosen]
            if steps:
                parts.append(f"**{labels['approach']}**\n" + "\n".join(steps))
            rest = [_lead_text(items[i]) for i in range(len(items))
                    if i not in chosen and _lead(items[i]) not in self.common_leads]
            if rest and state["more_steps"]:
                parts.append(f"**{labels['more_steps']}** " + " · ".join(rest) + ".")
            if example:
                parts.append(f"**{labels['example']}** “{example}”")
            if pitfalls:
                pitfall = pitfalls[0] if state["pitfall"] else f"**{_lead_text(pitfalls[0])}.**"
                parts.append(f"**{labels['avoid']}** {pitfall}")
                others = [_lead_text(p) for p in pitfalls[1:]]
                if others and state["more_avoid"]:
                    parts.append(f"**{labels['more_avoid']}** " + " · ".join(others) + ".")
            return "\n\n".join(parts)

        def shrink(key: str) -> bool:
            if key == "step":
                if not optional or len(chosen) <= MIN_STEPS:
                    return False
                chosen.remove(optional.pop())
                return True
            if state[key] <= (1 if key in ("under", "last") else 0):
                return False
            state[key] -= 1
            return True

        text = render()
        for key in FOCUS_SHRINK if focus == "underneath" else SHRINK:
            if len(text) <= MAX_CHARS:
                break
            if shrink(key):
                text = render()
        return Advice(text, casus, similar)

    def _pitfalls(self, doc: Document, question: str) -> list[str]:
        """The items of *Minder goede aanpak*: the one sharing most words with the question
        first (lead + first sentence), then the others in file order."""
        poor = doc.find(POOR)
        pitfalls = _items(poor.text) if poor is not None else []
        if not pitfalls:
            return []
        q = set(tokenize(question))
        best = max(range(len(pitfalls)),
                   key=lambda i: (len(q & set(tokenize(pitfalls[i]))), -i))
        return [strip_marker(_shorten_item(pitfalls[best])),
                *[p for i, p in enumerate(pitfalls) if i != best]]

    def _steps(self, items: list[str], question: str) -> tuple[list[int], list[int]]:
        """Which steps of *Goede aanpak* to show (indices, file order) and the optional ones,
        most relevant first: the first KEEP_FIRST (listen, acknowledge), the last (the small
        concrete step), and in between the steps closest to the question, case-specific ones
        before the leads every case shares."""
        n = len(items)
        fixed = sorted({*range(min(KEEP_FIRST, n)), n - 1}) if n else []
        q = set(tokenize(question))

        def relevance(i: int) -> tuple[int, int, int]:
            words = set(tokenize(items[i]))
            generic = _lead(items[i]) in self.common_leads
            return (len(q & words), 0 if generic else 1, -i)

        middle = sorted(set(range(n)) - set(fixed), key=relevance, reverse=True)
        extra = middle[: max(0, MAX_STEPS - len(fixed))]
        return sorted([*fixed, *extra]), extra

    @staticmethod
    def _example(casus: Casus, question: str) -> str:
        """The example reply that shares the most words with the question (else the first)."""
        if not casus.good_responses:
            return ""
        q = set(tokenize(question))
        best = max(casus.good_responses, key=lambda r: len(q & set(tokenize(r))))
        return best
