"""Objection advice from the casussen: match the case, then underneath / approach / pitfall.

A participant who describes resistance ("mijn teamleider zegt dat er geen tijd is") gets:
what often lies underneath, the good approach in 3–5 concrete steps, one example sentence and
the one pitfall to avoid, from the best-matching casus. Matching (``casus_match``) goes by the
concern the story describes, not the role it names: dense over role-free views (objection,
concern, summary, the concern's question keys) plus BM25 with role words left out, mixed with
a smaller whole-case score (the views with the role), the stakeholder words a tie-breaker; so
a case is found in English or Flemish too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.answering.casus_match import OBJECTION, UNDERNEATH, CasusMatcher
from bot.answering.casus_match import sentences as _sentences
from bot.answering.casus_match import split_sentences as _split_sentences
from bot.answering.compose import _shorten_item, clean_lines, strip_marker
from bot.answering.documents import Document
from bot.knowledge.models import KnowledgeFile
from bot.retrieval.embeddings import Embedder, cache_file, cached_rows
from bot.retrieval.lexical import tokenize

GOOD = re.compile(r"^goede aanpak", re.I)
POOR = re.compile(r"^minder goede aanpak", re.I)
BOLD = re.compile(r"\*\*([^*]+)\*\*")
"""The bold lead of a list item ("**Luister eerst.**")."""
LEAD_ITEM = re.compile(r"^((?:[-*])\s+\*\*[^*]+\*\*)")
"""A list item that starts with its bold lead; group 1 = marker and lead."""
MAX_STEPS = 5
MIN_STEPS = 3
SKELETON_UNDERNEATH = 6
"""The concern starts with its first sentence and the one closest to the story; more are added
in turns with step details and pitfall quotes while they fit (``CasusAdvisor.advise``)."""
UNDERNEATH_FOCUS_SENTENCES = 10
LAST_STEP_SENTENCES = 2
"""The last step (the small concrete step) keeps its detail ("Bijvoorbeeld zes weken...")."""
MAX_CHARS = 900
LEXICAL_PART = 0.04
"""Relevance of a casus sentence or item to the story: cosine similarity plus this per shared
word (a word the story repeats from the material is a strong hint)."""
CONCERN_POSITION = 0.02
"""Concern sentences: relevance minus this per position (the concern is a story; its early
sentences carry it, and the embeddings of single sentences differ by a few hundredths)."""
KEEP_FIRST = 2
"""The first steps of *Goede aanpak* (listen, acknowledge) are always shown."""
SHRINK = ("last", "pitfall", *["under"] * (UNDERNEATH_FOCUS_SENTENCES - 1),
          "more_avoid", "more_steps")
"""Over MAX_CHARS with the skeleton alone, shrink in this order: the small step's detail, the
closest pitfall's first sentence (its quote), the concern sentences (least relevant first),
the "Ook niet" line of other pitfalls, the "Verder helpt" line (dev sets: the concern holds
most key facts). Round 10: a skeleton with the pitfall's whole explanation shrank the small
step's detail first, which never came back (dev10 lost "Nakomen is hier belangrijker dan
beloven."); so the skeleton keeps the round-9 size and the rest grows in ``_fill``."""
FOCUS_SHRINK = ("last", "pitfall", "more_avoid", "more_steps",
                *["under"] * (UNDERNEATH_FOCUS_SENTENCES - 1))
"""The same for ``focus="underneath"``: the concern is what was asked, it shrinks last."""
SAID = re.compile(r'^["“„][^"”]+["”]')
"""Words in quotes at the start of an explanation: what one would say."""
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


@dataclass(frozen=True)
class CasusMatch:
    casus: Casus
    score: float


@dataclass(frozen=True)
class Advice:
    text: str
    casus: Casus
    similar: list[Casus]


def _by_relevance(sentences: list[str], relevance: list[float]) -> list[int]:
    """Sentence indices: the first (it introduces the concern), then the most relevant, ties in
    text order."""
    rest = sorted(range(1, len(sentences)), key=lambda i: (-relevance[i], i))
    return [0, *rest] if sentences else []


def _lead_text(item: str) -> str:
    """The bold lead of a list item as written, with its full stop (the material's words)."""
    m = BOLD.search(item)
    lead = m.group(1) if m else strip_marker(_shorten_item(item))
    return lead.strip()


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
                 embedder: Embedder, cache_dir: Path | None = None) -> None:
        self.cases: list[Casus] = [
            Casus(f.path, f.front.title, f.casus.stakeholder, tuple(f.casus.good_responses),
                  docs[f.path], f.front.summary, tuple(f.front.tags))
            for f in files if f.casus is not None and f.path in docs
        ]
        self.embedder = embedder
        self.common_leads = _common_leads(self.cases)
        self.unit_vectors: dict[str, np.ndarray] = {}
        """Casus sentence or item -> its document embedding (``_relevance``)."""
        units = [u for c in self.cases for u in self.units(c)]
        if units:
            rows = cached_rows(units, embedder.encode_documents,
                               cache_file(cache_dir, "casus-units", embedder.name),
                               "casus embeddings")
            self.unit_vectors = dict(zip(units, rows, strict=True))
        views = cache_file(cache_dir, "casus-views", embedder.name)

        def embed_views(texts: list[str]) -> np.ndarray:
            """The matcher's casus views, from the disk cache after the first start."""
            return cached_rows(texts, embedder.encode_documents, views, "casus view embeddings")

        self.matcher = CasusMatcher(self.cases, embed_views, self._unit_vectors)

    def rank(self, vector: np.ndarray, question: str, keys: dict[str, float] | None = None,
             sections: dict[str, float] | None = None) -> list[CasusMatch]:
        """Cases best first, by the concern of the story rather than the role it names
        (``casus_match``); ``keys``: file path -> best question-key similarity, ``sections``:
        section id -> the same per section (the concern sections' keys are used when given)."""
        if not self.cases:
            return []
        scores = self.matcher.scores(vector, question, keys, sections)
        order = np.argsort(-scores)
        return [CasusMatch(self.cases[i], float(scores[i])) for i in order]

    def by_path(self, path: str) -> Casus | None:
        return next((c for c in self.cases if c.path == path), None)

    def advise(self, casus: Casus, question: str, similar: list[Casus],
               labels: dict[str, str], focus: str = "",
               vector: np.ndarray | None = None) -> Advice:
        """The advice text (Markdown). ``labels`` holds the Dutch headings (texts.py);
        ``vector``: the story's query embedding (encoded here when None).

        Every part is ranked by relevance to the participant's story (``_relevance``: the
        story's embedding against each sentence or list item, plus the words they share).
        The skeleton: the first sentence of *De zorg eronder* and the one closest to the story,
        3-5 steps of *Goede aanpak* as bold leads (the first two, the steps closest to the
        story, the last one: the small concrete step, with its detail), the leads of the other
        steps ("Verder helpt", generic leads left out, each with its full stop as written),
        the example reply closest to the story, the pitfall closest
        to the story ("Vermijd") with its first sentence (what one would say), and the other
        pitfalls' leads ("Ook niet"). Then, while it fits in MAX_CHARS, one unit at a time in
        turns (``_fill``): the next most relevant concern sentence, the detail of the next
        most relevant shown step, the chosen pitfall's next sentence (why it goes wrong) and
        then the other pitfalls' quotes (most relevant first), as in round 9; then, in the room
        left, what round 10 adds: the chosen pitfall's further sentences and the other
        pitfalls' first why-sentences. Over MAX_CHARS already, the skeleton shrinks in the
        order of ``SHRINK``.
        ``focus="underneath"`` (a follow-up asking what lies behind the objection) shows the
        whole concern and only the fixed steps (``FOCUS_SHRINK``)."""
        doc = casus.doc
        underneath = doc.find(UNDERNEATH)
        good = doc.find(GOOD)
        poor = doc.find(POOR)
        items = _items(good.text) if good is not None else []
        pitfalls = _items(poor.text) if poor is not None else []
        concern = _split_sentences(underneath.text) if underneath is not None else []
        story, asked = self._story(casus, question, vector)
        step_rel = self._relevance(items, story, asked)
        chosen, middle = self._steps(items, step_rel)
        concern_rel = [r - CONCERN_POSITION * i
                       for i, r in enumerate(self._relevance(concern, story, asked))]
        concern_order = _by_relevance(concern, concern_rel)
        pit_rel = self._relevance(pitfalls, story, asked)
        pit_order = sorted(range(len(pitfalls)), key=lambda i: (-pit_rel[i], i))
        parts_of = [_pitfall_parts(p) for p in pitfalls]
        example = self._example(casus, story, asked)
        last = len(items) - 1
        state = {"under": min(SKELETON_UNDERNEATH, len(concern)), "last": LAST_STEP_SENTENCES,
                 "more_steps": 1, "more_avoid": 1,
                 "pitfall": 1, "explain": 0, "whole": 0}
        details: set[int] = set()
        extra: dict[tuple[str, int], int] = {}
        if focus == "underneath":
            middle = []
            state.update(under=min(UNDERNEATH_FOCUS_SENTENCES, len(concern)), last=1)

        def render() -> str:
            parts: list[str] = []
            if concern:
                shown = sorted(concern_order[:state["under"]])
                parts.append(f"**{labels['underneath']}** " +
                             " ".join(concern[i] for i in shown))
            steps = [_item(items[i], state["last"] if i == last else int(i in details))
                     for i in sorted(chosen)]
            if steps:
                parts.append(f"**{labels['approach']}**\n" + "\n".join(steps))
            rest = [_lead_text(items[i]) for i in range(len(items))
                    if i not in chosen and _lead(items[i]) not in self.common_leads]
            if rest and state["more_steps"]:
                parts.append(f"**{labels['more_steps']}** " + " ".join(rest))
            if example:
                parts.append(f"**{labels['example']}** “{example}”")
            if pitfalls:
                level = 3 if state["whole"] else 2 if state["explain"] else state["pitfall"]
                parts.append(f"**{labels['avoid']}** " +
                             _top_pitfall(pitfalls[pit_order[0]], level))
                others = [_pitfall_line(*parts_of[i], extra.get(("quote", i), 0),
                                        extra.get(("why", i), 0)) for i in pit_order[1:]]
                if others and state["more_avoid"]:
                    parts.append(f"**{labels['more_avoid']}** " + " · ".join(others))
            return "\n\n".join(parts)

        text = render()
        for key in FOCUS_SHRINK if focus == "underneath" else SHRINK:
            if len(text) <= MAX_CHARS:
                break
            if state[key] > (1 if key in ("under", "last") else 0):
                state[key] -= 1
                text = render()
        if len(text) <= MAX_CHARS:
            steps = sorted([i for i in chosen if i != last] + middle,
                           key=lambda i: (_lead(items[i]) in self.common_leads, -step_rel[i]))
            grows = _turns([("under", 0)] * max(0, len(concern) - state["under"]),
                           [("detail", i) for i in steps],
                           [("explain", 0), *[("quote", i) for i in pit_order[1:]]]
                           if pitfalls else [])
            if pitfalls:
                grows += [("whole", 0), *[("why", i) for i in pit_order[1:]]]
            text = _fill(text, grows, render, state, details, extra, chosen)
        return Advice(text, casus, similar)

    def _story(self, casus: Casus, question: str,
               vector: np.ndarray | None) -> tuple[np.ndarray, set[str]]:
        """The story's query embedding (``vector`` when retrieval made it) and its words, less
        the words naming the case itself ("teamleider", "tijd": they say nothing about which
        part of the case is asked)."""
        story = self.embedder.encode_queries([question])[0] if vector is None else vector
        return story, set(tokenize(question)) - set(tokenize(casus.profile()))

    def _relevance(self, texts: list[str], story: np.ndarray, asked: set[str]) -> list[float]:
        """How close each text (a sentence or list item) is to the story: cosine similarity of
        the embeddings plus LEXICAL_PART per word they share (``asked``: the story's words)."""
        if not texts:
            return []
        dense = self._unit_vectors(texts) @ np.asarray(story, dtype=np.float32)
        return [float(d) + LEXICAL_PART * len(asked & set(tokenize(t)))
                for d, t in zip(dense, texts, strict=True)]

    def _unit_vectors(self, texts: list[str]) -> np.ndarray:
        """Document embeddings of casus sentences and items (all embedded at start-up)."""
        todo = [t for t in dict.fromkeys(texts) if t not in self.unit_vectors]
        if todo:
            self.unit_vectors.update(zip(todo, self.embedder.encode_documents(todo),
                                         strict=True))
        return np.vstack([self.unit_vectors[t] for t in texts]).astype(np.float32)

    def _steps(self, items: list[str], relevance: list[float]) -> tuple[list[int], list[int]]:
        """The steps of *Goede aanpak* always shown (the first KEEP_FIRST: listen,
        acknowledge; the last: the small concrete step) and the ones that may join them with
        their detail (at most MAX_STEPS in all), most relevant first, case-specific ones
        before the leads every case shares."""
        n = len(items)
        fixed = sorted({*range(min(KEEP_FIRST, n)), n - 1}) if n else []

        def rank(i: int) -> tuple[int, float, int]:
            return (0 if _lead(items[i]) in self.common_leads else 1, relevance[i], -i)

        middle = sorted(set(range(n)) - set(fixed), key=rank, reverse=True)
        return fixed, middle

    def _example(self, casus: Casus, story: np.ndarray, asked: set[str]) -> str:
        """The example reply closest to the story (the first on a tie)."""
        replies = list(casus.good_responses)
        if not replies:
            return ""
        relevance = self._relevance(replies, story, asked)
        return replies[max(range(len(replies)), key=lambda i: (relevance[i], -i))]

    def all_steps(self, casus: Casus, question: str, label: str,
                  vector: np.ndarray | None = None, limit: int = MAX_CHARS) -> str:
        """Every step of *Goede aanpak* (a follow-up: "en hoe doe ik dat dan?"): each bold
        lead, then the sentences of the explanations while they fit in ``limit``: the
        case's own steps and the small last step before the generic ones every case shares
        ("Vraag open door.", whose long example quotes rarely hold what is asked), a step's
        earlier sentences before its later ones, the ones closest to the question first. ""
        without the section."""
        good = casus.doc.find(GOOD)
        items = _items(good.text) if good is not None else []
        if not items:
            return ""
        split = [_lead_and_sentences(item) for item in items]
        units = [(i, j) for i, (_, said) in enumerate(split) for j in range(len(said))]
        texts = [split[i][1][j] for i, j in units]
        relevance = self._relevance(texts, *self._story(casus, question, vector))
        # the last step (the small concrete step) is never generic, however common its lead
        generic = [_lead(item) in self.common_leads and i < len(items) - 1
                   for i, item in enumerate(items)]
        order = sorted(range(len(units)), key=lambda u: (
            generic[units[u][0]], units[u][1], -relevance[u], units[u][0]))
        shown: set[tuple[int, int]] = set()

        def render() -> str:
            lines = [" ".join([lead, *(s for j, s in enumerate(said) if (i, j) in shown)])
                     for i, (lead, said) in enumerate(split)]
            return f"**{label}**\n" + "\n".join(lines)

        text = render()
        for u in order:
            i, j = units[u]
            if j and (i, j - 1) not in shown:  # a step's sentences from its first on
                continue
            shown.add(units[u])
            candidate = render()
            if len(candidate) <= limit:
                text = candidate
            else:
                shown.discard(units[u])
        return text

    def units(self, casus: Casus) -> list[str]:
        """The texts ``advise`` ranks: concern sentences, steps, pitfalls, example replies."""
        doc = casus.doc
        out = [*casus.good_responses]
        underneath = doc.find(UNDERNEATH)
        if underneath is not None:
            out += _split_sentences(underneath.text)
        for heading in (GOOD, POOR):
            section = doc.find(heading)
            if section is not None:
                out += _items(section.text)
        good = doc.find(GOOD)
        if good is not None:  # the explanations' sentences (``all_steps``)
            out += [s for item in _items(good.text) for s in _lead_and_sentences(item)[1]]
        return out


QUOTE_MARKS = ('"', "“", "”", "„")
EXPLANATION_SPLIT = re.compile(r'(?<=[.!?])\s+|(?<=[.!?]["”])\s+')
"""Sentence ends, also right after a closing quote (a quote ends the words one would say)."""


def _lead_and_sentences(item: str) -> tuple[str, list[str]]:
    """A list item as its marker and bold lead, and the sentences after it; a quote with
    several sentences ("Jij moet ... verantwoorden. Dat is geen kleine klus.") stays whole, and
    so do two quoted questions joined by "of"."""
    m = LEAD_ITEM.match(item.strip())
    if m is None:
        return item.strip(), []
    out: list[str] = []
    part = ""
    for piece in EXPLANATION_SPLIT.split(item.strip()[m.end():].strip()):
        if out and not part and piece[:1].islower():  # '"Wat ...?" of "Hoe ...?"'
            out[-1] = f"{out[-1]} {piece}"
            continue
        part = f"{part} {piece}".strip()
        if sum(part.count(q) for q in QUOTE_MARKS) % 2 == 0:
            out.append(part)
            part = ""
    if part:
        out.append(part)
    return m.group(1), out


def _top_pitfall(item: str, level: int) -> str:
    """The chosen pitfall after "Vermijd:": its lead (0), with the first sentence of its
    explanation (1: usually what one would say; a quote and the sentence after it stay one
    sentence, as in round 9), with two (2), or whole (3: why it goes wrong, round 10)."""
    if level >= 3:
        lead, said = _lead_and_sentences(item)
        return " ".join([_lead_text(lead), *said])
    text = strip_marker(_item(item, level))
    bold = BOLD.match(text)
    return f"{bold.group(1)}{text[bold.end():]}" if bold else text


def _pitfall_parts(item: str) -> tuple[str, str, list[str]]:
    """A pitfall as its marker and bold lead, what one would say (the quote right after the
    lead, "" without) and the sentences saying why it goes wrong."""
    lead, said = _lead_and_sentences(item)
    quoted = SAID.match(said[0]) if said else None
    if quoted is not None and quoted.group(0) == said[0]:
        return lead, said[0], said[1:]
    return lead, "", said


def _pitfall_line(lead: str, quote: str, why: list[str], quoted: int, explained: int) -> str:
    """Another pitfall for the "Ook niet" list: its lead as written (with its full stop), what
    one would say when ``quoted``, the first ``explained`` sentences of why it goes wrong."""
    return " ".join([_lead_text(lead), *([quote] if quote and quoted else []),
                     *why[:explained]])


def _turns(*queues: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The queues interleaved: the first of each, then the second of each, and so on."""
    out: list[tuple[str, int]] = []
    for i in range(max((len(q) for q in queues), default=0)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


def _fill(text: str, grows: list[tuple[str, int]], render: Callable[[], str],
          state: dict[str, int], details: set[int], extra: dict[tuple[str, int], int],
          chosen: list[int]) -> str:
    """Add the ``grows`` in order while the text stays within MAX_CHARS; a unit that does not
    fit is left out (a shorter one after it may still fit). A step's detail brings a step not
    shown yet into the list (up to MAX_STEPS steps); ``("quote", i)`` and ``("why", i)`` add
    the quote or one more explanation sentence of another pitfall (``extra``)."""
    for key, index in grows:
        added = key == "detail" and index not in chosen
        if added and len(chosen) >= MAX_STEPS:
            continue
        if added:
            chosen.append(index)
        if key == "detail":
            details.add(index)
        elif key in ("quote", "why"):
            extra[(key, index)] = extra.get((key, index), 0) + 1
        else:
            state[key] += 1
        candidate = render()
        if len(candidate) <= MAX_CHARS:
            text = candidate
            continue
        if added:
            chosen.remove(index)
        if key == "detail":
            details.discard(index)
        elif key in ("quote", "why"):
            extra[(key, index)] -= 1
        else:
            state[key] -= 1
    return text
