"""Compose a short answer from whole sections: the section that answers the intent.

Rules (each has a unit test in tests/test_compose.py):
- a lesstof-style answer uses ONE section of ONE file: the one whose heading fits the intent
  (``INTENT_HEADINGS``), or a file-specific section whose heading names what is asked;
- whole list items only, never starting mid-list; a list that does not fit is shortened per
  item (bold lead + first sentence) and then cut after a whole item;
- never a link list in the body: related files become ``related`` ("Lees ook:");
- no "(zie hieronder)" pointing at text that is not there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.answering.documents import Document, Section
from bot.answering.followup import drop_generic
from bot.answering.text_fit import MAX_CHARS, fit
from bot.retrieval.lexical import tokenize

SPECIFIC_MARGIN = 0.04
"""A specific section whose heading does not name a word of the question replaces the intent's
section only when it is this much more similar (tuned on answers.yaml + answers_dev2.yaml)."""
SECTION_FIXED_INTENTS = frozenset({"voorbeeld", "cursus", "valkuilen"})
"""Intents that always answer from their own section. Round 12: not "opdracht" any more (an
assignment question about a specific part of the file, like the chosen work area, may get that
part): dev3 0.613 -> 0.625, every other dev set and the seen held-out gate unchanged."""
NEW_FIXED_INTENTS = frozenset({"waarom", "valkuilen"})
"""Intents whose new question (not a follow-up) keeps the kind of answer it asks for when the
file has the intent's own section (*Waarom is het belangrijk ...?*, *Valkuilen*): no closer
specific section replaces it (``closer_specific``), and question keys may move the answer to a
specific section (*Zwakke en sterke banden* for "Why are weak ties so valuable?") but never to
another intent's standard section (``key_section``); an answer moved so is followed by the
start of the intent's own section where there is room (``add_intents_own``). Round 14, lesson
dev 11 + dev 3/4 + story dev 13 odd half: "Waarom zou ik moeite doen voor losse contacten
...?" got the networking steps and "Ik heb mijn zelfscan gedaan. Waar moet ik voor oppassen?"
the self-scan steps (both moved by question keys), "waarom een krachtenkaart maken? wat brengt
dat?" the asset map's six kinds: none said why or what goes wrong. Together with
``route.lesson_follow_up_intent``: +5 answers with every key fact on those sets, +5 on the
check sets (lesson dev 12, story dev 13 even half), none lower on any dev set. Letting no key
move at all lost "Wat zijn zwakke banden en wat heb ik eraan ...?"
(route dev 8, taken for a pitfalls question); answering the own section first and the specific
one after it lost the second weak-ties fact to the 900 characters (dev 2). A follow-up ("And
the ones with lots of power but little interest?") may ask about one part of the file only."""
UNNAMED_INTENTS = frozenset({"stappen", "waarom"})
"""A new question with these intents keeps the intent's section when a specific heading merely
names one of its words ("waarom een krachtenkaart maken?" asks why, not for *Asset mapping: een
krachtenkaart maken*); only a clearly more similar section (SPECIFIC_MARGIN) replaces it.
Round 11, lesson dev 11 (odd half): waarom added (was stappen only)."""
KEY_SECTION_MIN = 0.90
"""A section whose question key is this close to the question (cosine of query embeddings)..."""
KEY_SECTION_MARGIN = 0.03
"""...and this much closer than the keys of the section the intent picked, answers instead
(tuned on answers.yaml + answers_dev2.yaml)."""
KEY_FIXED_INTENTS = frozenset({"opdracht", "cursus", "voorbeeld"})
KEY_CROSS_MIN = 0.10
"""The question keys move an answer into another intent's standard section (*Valkuilen* for a
steps question) only when the intent model gives that intent at least this probability."""
EXTRA_ROOM = 0.6
"""An answer shorter than this share of the budget gets a second section of the same file
when there is one at least as close to the question as the first (``extra_section``)."""
EXTRA_MIN_CHARS = 150
"""...and at least this much room is left for it."""
EXAMPLE_ROOM = 0.25
"""An example file's answer (``example_answer``) keeps this share of the budget for its other
sections (what makes it inspiring, what you can learn from it, the Flemish situation), closest
to the question first; before round 12 *Wat maakt het inspirerend?* was added only when *Wat is
het?* left 40 % of the budget (a few short files). Round 12, dev sets (lesson dev 11, dev 3-5,
lesson dev 12 odd half): +6 answers with every key fact, 5 lost (facts at the end of a long
*Wat is het?*); 0.4 of the budget: +4, 8 lost; 0.25 or 0.4 only when another section is at
least as close as *Wat is het?*: fewer gained."""
NO_EXTRA_KINDS = frozenset({"casus"})
"""A casus answers through its advice; its sections (the objection quoted) are never added."""
FOLLOW_UP_MARGIN = 0.0
"""A follow-up on the previous answer's file asks for one part of it ("Hoe sluit ik die minuut
dan af?"): a specific section at least as similar as the intent's answers (round 4, dev2/dev3;
lower key thresholds for follow-ups were worse on dev)."""
STRONG_MARGIN = 0.01
"""A section of the file (not a link list) whose passage similarity beats the intent's section
by at least this much may hold what is asked, but the intent's section is still right more often:
when the answer leaves room (EXTRA_MIN_CHARS), the start of that section follows it under its
own heading (``add_strongest``); the intent's text is never shortened for it. Round 9, dev sets
(benchmarks/section_misses.py): of 79 answers from the right file that miss key facts, 50 drew
on another section than the one holding them. Letting the most similar section *replace* the
intent's lost answers (margins 0.01 / 0.02 / 0.03: answers.yaml 0.947 -> 0.787 / 0.827 /
0.907); shortening the intent's section to 60 % of the budget to make room for it gained 3
answers on the dev sets but lost one each on three held-out gate sets. Appending it only where
there is room: 282 -> 284 answers with every key fact on the seven dev sets, none worse, at
margins 0.0, 0.01 and 0.02 alike; 283 without another intent's standard section (*Valkuilen*
after the steps of "Hoe bepaal ik mijn doelgroep?" is what issue 13 complained about; like
``extra_section``, those are never added)."""
STRONG_KINDS = frozenset({"lesstof", "voorbeeld", "opdracht"})
"""File kinds that get the strongest section; a casus answers through its advice and the
course information through its own path."""

INTENT_HEADINGS: dict[str, re.Pattern[str]] = {
    "definitie": re.compile(r"^(wat is|wat betekent|wat doet|wat is de cursus)", re.I),
    "stappen": re.compile(r"^(hoe pak je|hoe werkt|stap|tips|van idee)", re.I),
    "waarom": re.compile(r"^(waarom|wat levert het op)", re.I),
    "valkuilen": re.compile(r"^(valkuilen|minder goede)", re.I),
    "voorbeeld": re.compile(r"^(voorbeeld uit de praktijk|uitgewerkt voorbeeld)", re.I),
    "opdracht": re.compile(r"^(wat lever je op)", re.I),
}
GENERIC_HEADING = re.compile(
    r"^(wat is|waarom|hoe pak je|valkuilen|voorbeeld uit|verbonden|zie ook|wat maakt het|"
    r"wat kun je ervan|wie$|het bezwaar|de zorg|soort weerstand|goede aanpak|minder goede|"
    r"de opdracht|wat lever je|kwaliteitscriteria|tips$|uitgewerkt)", re.I)


@dataclass
class Composed:
    text: str
    doc: Document
    sections: list[Section] = field(default_factory=list)
    related: list[str] = field(default_factory=list)


def title_tokens(doc: Document) -> set[str]:
    return set(tokenize(f"{doc.title} {doc.topic.replace('-', ' ')}"))


def specific_section(doc: Document, question_tokens: list[str],
                     whole: bool = False) -> Section | None:
    """A non-generic section whose heading names what is asked (e.g. "Persona's"). With
    ``whole`` every topic word of the question must be in the heading or the title."""
    titled = title_tokens(doc)
    wanted = set(question_tokens) - titled
    if not wanted:
        return None
    for s in doc.sections:
        if s.is_links or GENERIC_HEADING.match(s.heading):
            continue
        heading = set(tokenize(s.heading))
        if whole and not set(drop_generic(question_tokens)) <= heading | titled:
            continue
        if wanted & heading:
            return s
    return None


def closer_specific(doc: Document, chosen: Section | None, question_tokens: list[str],
                    sims: dict[str, float] | None, by_name: bool = True,
                    margin: float = SPECIFIC_MARGIN) -> Section | None:
    """A file-specific section closer to the question than ``chosen``, else None: its heading
    names a topic word of the question (not in the file's title) and it is at least as similar
    (section similarity, ``sections.SectionVectors``), or it is clearly more similar.
    ``by_name=False``: only the clear similarity counts (a new "how do I ..." question asks
    for the file's steps even when a heading shares a word with it)."""
    if not sims:
        return None
    titled = title_tokens(doc)
    wanted = set(drop_generic(question_tokens)) - titled
    base = sims.get(chosen.key, 0.0) if chosen is not None else 0.0
    best: Section | None = None
    for s in doc.sections:
        if s.is_links or GENERIC_HEADING.match(s.heading) or s.key not in sims:
            continue
        named = by_name and bool(wanted & set(tokenize(s.heading)))
        if sims[s.key] >= base + (0.0 if named else margin) and \
                (best is None or sims[s.key] > sims[best.key]):
            best = s
    return best


def section_scores(sims: dict[str, float] | None,
                   keys: dict[str, float] | None) -> dict[str, float] | None:
    """Section key -> closeness to the question: the passage similarity (``sims``) plus the
    best question-key similarity (``keys``), or the passage similarity alone without keys."""
    if not sims or not keys:
        return sims
    return {k: v + keys.get(k, 0.0) for k, v in sims.items()}


def pick_section(doc: Document, intent: str, question_tokens: list[str],
                 fallback: str = "", sims: dict[str, float] | None = None,
                 follow_up: bool = False,
                 keys: dict[str, float] | None = None,
                 intents: dict[str, float] | None = None) -> Section | None:
    """The section of ``doc`` that answers ``intent``; a specific section instead when the
    question is clearly closer to it (``sims``: section key -> similarity to the question);
    a section whose question keys match the question clearly better (``keys``: section key
    -> best key similarity) over both."""
    chosen = _pick_section(doc, intent, question_tokens, fallback)
    own = intent in NEW_FIXED_INTENTS and not follow_up and chosen is not None and \
        INTENT_HEADINGS[intent].match(chosen.heading) is not None
    if intent not in SECTION_FIXED_INTENTS and not own:
        by_name = follow_up or intent not in UNNAMED_INTENTS
        margin = FOLLOW_UP_MARGIN if follow_up else SPECIFIC_MARGIN
        chosen = closer_specific(doc, chosen, question_tokens, sims, by_name,
                                 margin) or chosen
    if keys and intent not in KEY_FIXED_INTENTS:
        chosen = key_section(doc, chosen, keys, {} if own else intents) or chosen
    return chosen


def strongest_section(doc: Document, chosen: Section | None,
                      sims: dict[str, float] | None) -> Section | None:
    """The file's section most similar to the question when it beats ``chosen`` by at least
    ``STRONG_MARGIN`` (the question may be about another part of the file than the intent's
    section); never a link list or another intent's standard section; else None."""
    if not sims or chosen is None or doc.kind not in STRONG_KINDS:
        return None
    rest = [s for s in doc.sections if not s.is_links and s.key in sims and s is not chosen and
            not other_intents_section(s, chosen)]
    if not rest:
        return None
    best = max(rest, key=lambda s: sims[s.key])
    return best if sims[best.key] >= sims.get(chosen.key, 0.0) + STRONG_MARGIN else None


def key_section(doc: Document, chosen: Section | None, keys: dict[str, float],
                intents: dict[str, float] | None = None) -> Section | None:
    """The section whose question keys are closest to the question, when close and clearly
    closer than ``chosen``'s; else None. Another intent's standard section only when the
    intent model finds that intent plausible (``intents``: intent -> probability, at least
    KEY_CROSS_MIN; None: any)."""
    candidates = [s for s in doc.sections if not s.is_links and s.key in keys and
                  (chosen is None or intents is None or
                   not other_intents_section(s, chosen) or
                   max((p for i, p in intents.items() if i in INTENT_HEADINGS and
                        INTENT_HEADINGS[i].match(s.heading)), default=0.0) >= KEY_CROSS_MIN)]
    if not candidates:
        return None
    best = max(candidates, key=lambda s: keys[s.key])
    base = keys.get(chosen.key, 0.0) if chosen is not None else 0.0
    if best is chosen or keys[best.key] < KEY_SECTION_MIN or \
            keys[best.key] < base + KEY_SECTION_MARGIN:
        return None
    return best


def _pick_section(doc: Document, intent: str, question_tokens: list[str],
                  fallback: str = "") -> Section | None:
    if intent == "definitie":
        specific = specific_section(doc, question_tokens)
        if specific is not None:
            return specific
    pattern = INTENT_HEADINGS.get(intent)
    if doc.kind == "voorbeeld" and intent in ("voorbeeld", "definitie", "cursus"):
        pattern = INTENT_HEADINGS["definitie"]
    if pattern is not None:
        found = doc.find(pattern)
        if found is not None:
            return found
    if fallback:
        found = doc.section(fallback)
        if found is not None and not found.is_links:
            return found
    return next((s for s in doc.sections if not s.is_links), None)


def compose_section(doc: Document, intent: str, question_tokens: list[str],
                    fallback: str = "", limit: int = MAX_CHARS,
                    sims: dict[str, float] | None = None, follow_up: bool = False,
                    keys: dict[str, float] | None = None,
                    intents: dict[str, float] | None = None) -> Composed:
    section = pick_section(doc, intent, question_tokens, fallback, sims, follow_up, keys,
                           intents)
    if section is None:
        return Composed("", doc)
    scores = section_scores(sims, keys)
    if doc.kind == "voorbeeld":
        return example_answer(doc, section, scores, question_tokens, limit)
    text = fit(section.text, limit, question_tokens)
    composed = Composed(text, doc, [section], related=doc.link_labels()[:3])
    if intent in NEW_FIXED_INTENTS and not follow_up:
        composed = add_intents_own(composed, intent, question_tokens, limit)
    composed = add_extra(composed, scores, question_tokens, limit)
    return add_strongest(composed, sims, question_tokens, limit)


def example_answer(doc: Document, section: Section, scores: dict[str, float] | None,
                   question_tokens: list[str], limit: int = MAX_CHARS) -> Composed:
    """An example file (voorbeelden/): its picked section (*Wat is het?*) in at most
    ``1 - EXAMPLE_ROOM`` of the budget, then its other sections closest to the question first
    (``scores``; without scores *Wat maakt het inspirerend?* first), each under its heading,
    while EXTRA_MIN_CHARS are left (``append_section``)."""
    rest = [s for s in doc.sections if not s.is_links and s is not section]
    inspiring = re.compile(r"^wat maakt het", re.I)
    rest.sort(key=lambda s: -scores.get(s.key, 0.0) if scores else
              (0 if inspiring.match(s.heading) else 1))
    first_limit = int(limit * (1 - EXAMPLE_ROOM))
    composed = Composed(fit(section.text, first_limit, question_tokens), doc, [section],
                        related=doc.link_labels()[:3])
    for extra in rest:
        composed = append_section(composed, extra, question_tokens, limit)
    return composed


def add_intents_own(composed: Composed, intent: str, question_tokens: list[str],
                    limit: int = MAX_CHARS) -> Composed:
    """``composed`` from another section than the intent's own (one whose question keys are
    clearly closer, ``key_section``), followed by the start of the intent's own section when
    the file has one and there is room (``append_section``): a why-question answered from
    *Asset mapping* also gets what *Waarom is het belangrijk ...?* says first."""
    pattern = INTENT_HEADINGS.get(intent)
    if pattern is None or not composed.sections or pattern.match(composed.sections[0].heading):
        return composed
    own = composed.doc.find(pattern)
    if own is None or own.is_links:
        return composed
    return append_section(composed, own, question_tokens, limit)


def add_strongest(composed: Composed, sims: dict[str, float] | None,
                  question_tokens: list[str], limit: int = MAX_CHARS) -> Composed:
    """``composed`` unchanged, followed by the start of the file's section most similar to the
    question under its own heading (``strongest_section``), when that is not used yet and at
    least EXTRA_MIN_CHARS are left."""
    if not composed.sections:
        return composed
    strong = strongest_section(composed.doc, composed.sections[0], sims)
    if strong is None or strong in composed.sections:
        return composed
    return append_section(composed, strong, question_tokens, limit)


def add_extra(composed: Composed, scores: dict[str, float] | None,
              question_tokens: list[str], limit: int = MAX_CHARS) -> Composed:
    """``composed`` with a second section of its file under its own heading (whole items),
    when the answer leaves room and that section is at least as close to the question
    (``extra_section``)."""
    extra = extra_section(composed.doc, composed.sections, scores)
    if extra is None or len(composed.text) >= limit * EXTRA_ROOM:
        return composed
    return append_section(composed, extra, question_tokens, limit)


def append_section(composed: Composed, section: Section, question_tokens: list[str],
                   limit: int = MAX_CHARS) -> Composed:
    """``composed`` followed by the start of ``section`` under its own heading (whole items),
    in what is left of ``limit``; unchanged when less than EXTRA_MIN_CHARS is left or only the
    heading would fit (``add_extra``, ``add_strongest``)."""
    room = limit - len(composed.text) - 2
    if room < EXTRA_MIN_CHARS:
        return composed
    more = fit(f"**{section.heading}**\n{section.text}", room, question_tokens)
    if not more or "\n" not in more:  # not the heading alone
        return composed
    return Composed(f"{composed.text}\n\n{more}", composed.doc, [*composed.sections, section],
                    composed.related)


def other_intents_section(section: Section, first: Section) -> bool:
    """A standard section of another intent (*Wat is het?* under a *waarom* answer): the
    recognised intent asked for ``first``, not for that one."""
    return any(p.match(section.heading) and not p.match(first.heading)
               for p in INTENT_HEADINGS.values())


def extra_section(doc: Document, used: list[Section],
                  scores: dict[str, float] | None) -> Section | None:
    """The section of ``doc`` closest to the question besides ``used``, when it is at least
    as close as the first of them (``section_scores``): the answer's key facts may sit in
    a second section ("Hoeveel stakeholders ... mag ik 'de scholen' opschrijven?" -> *Wat lever
    je op?* and *Kwaliteitscriteria*)."""
    if not scores or not used or used[0].key not in scores or doc.kind in NO_EXTRA_KINDS:
        return None
    keys = {s.key for s in used}
    rest = [s for s in doc.sections if not s.is_links and s.key not in keys and
            s.key in scores and not other_intents_section(s, used[0])]
    if not rest:
        return None
    best = max(rest, key=lambda s: scores[s.key])
    return best if scores[best.key] >= scores[used[0].key] else None
