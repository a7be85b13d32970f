"""Cue-phrase and question detection (the lexical half of the analyser)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.roleplay.normalise import (
    Sentence,
    compile_cue,
    keyword_hit,
    sentences,
    short_quote,
    tokens,
)
from bot.roleplay.techniques import TechniqueBook

MULTI_CUE_BONUS = 0.15
CLOSED_QUESTION = 0.4
RHETORICAL = 0.6
WEAK_PAIR = 0.55
"""Strength when two different weak cues of one technique occur."""
YES_BUT = 0.5
PRONOUNS = frozenset({"je", "jij", "jou", "u", "jullie", "jouw", "uw"})
MAAR = "maar"
WAT_ALS = ("wat", "als")


@dataclass
class CueResult:
    strengths: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    open_questions: int = 0
    closed_questions: int = 0
    rhetorical: bool = False


class CueDetector:
    """Finds the techniques' cue phrases and classifies questions as open or closed."""

    def __init__(self, book: TechniqueBook) -> None:
        self.book = book
        self._cues = {t: book.compiled(t) for t in book.ids}
        self._negatable = {t for t, e in book.techniques.items() if e.negatable}
        self._negations = book.negation_set()
        self._stop = book.stopword_set()
        self._open_words = frozenset(t for w in book.questions.open_words for t in tokens(w))
        self._open_phrases = [compile_cue(c) for c in book.questions.open_phrases]
        self._rhetorical = [compile_cue(c) for c in book.questions.rhetorical]

    # Public helpers -----------------------------------------------------------------------------
    def keyword(self, keyword: str, toks: list[str]) -> bool:
        return keyword_hit(keyword, toks)

    def content_stems(self, text: str) -> set[str]:
        """Crude stems (first five letters) of the content words of ``text``."""
        return {t[:5] for t in tokens(text) if len(t) >= 4 and t not in self._stop}

    def overlap(self, a: str, b: str) -> int:
        """Number of shared content stems."""
        return len(self.content_stems(a) & self.content_stems(b))

    # Detection ----------------------------------------------------------------------------------
    def detect(self, text: str) -> CueResult:
        result = CueResult()
        hits: dict[str, list[float]] = {}
        for sentence in sentences(text):
            found = self._sentence_hits(sentence)
            self._yes_but(sentence, found)
            kind = self._question_kind(sentence, found)
            if kind == "open":
                result.open_questions += 1
                weak_push = [w for w in found.get("druk", []) if w >= 1.0]
                if weak_push:
                    found["druk"] = weak_push
                else:
                    found.pop("druk", None)
                found["doorvragen"] = [*found.get("doorvragen", []), 1.0]
            elif kind == "closed":
                result.closed_questions += 1
                found["doorvragen"] = [*found.get("doorvragen", []), CLOSED_QUESTION]
            elif kind == "rhetorical":
                result.rhetorical = True
                found["tegenargumenteren"] = [*found.get("tegenargumenteren", []), RHETORICAL]
            for name, weights in found.items():
                hits.setdefault(name, []).extend(weights)
                best = max(weights)
                if best >= 0.5 and best > result.strengths.get(name, 0.0):
                    result.evidence[name] = short_quote(sentence.raw)
                result.strengths[name] = max(result.strengths.get(name, 0.0), best)
        for name, weights in hits.items():
            strong = [w for w in weights if w >= 0.5]
            if len(strong) >= 2:
                result.strengths[name] = min(1.0, result.strengths[name] + MULTI_CUE_BONUS)
            elif not strong and len(weights) >= 2:
                result.strengths[name] = max(result.strengths[name], WEAK_PAIR)
        return result

    def _sentence_hits(self, sentence: Sentence) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        toks = sentence.tokens
        for name, cues in self._cues.items():
            for cue, weight in cues:
                span = cue.find(toks)
                if span is None:
                    continue
                if name in self._negatable and self._negations & set(toks[span[0] : span[1] + 2]):
                    continue
                found.setdefault(name, []).append(weight)
        return found

    def _yes_but(self, sentence: Sentence, found: dict[str, list[float]]) -> None:
        """'Ik begrijp je, maar …' takes back the acknowledgement."""
        if "luisteren" not in found or sentence.question or MAAR not in sentence.tokens:
            return
        maar_at = sentence.tokens.index(MAAR)
        for cue, _weight in self._cues["luisteren"]:
            span = cue.find(sentence.tokens)
            if span is not None and span[0] < maar_at:
                found["luisteren"] = [w * YES_BUT for w in found["luisteren"]]
                found["tegenargumenteren"] = [*found.get("tegenargumenteren", []), YES_BUT]
                return

    def _question_kind(self, sentence: Sentence, found: dict[str, list[float]]) -> str:
        """'open', 'closed', 'rhetorical' or '' (not a question)."""
        toks = sentence.tokens
        invites = any(p.find(toks) is not None for p in self._open_phrases)
        starts_open = toks[0] in self._open_words and toks[:2] != WAT_ALS
        later_clause_open = sentence.unpunctuated and any(
            c[0] in self._open_words and c[:2] != WAT_ALS and PRONOUNS & set(c)
            for c in sentence.clauses[1:]
        )
        is_question = sentence.question or invites or later_clause_open or (
            starts_open
            and not sentence.raw.endswith("!")
            and bool(PRONOUNS & set(toks))
            and "luisteren" not in found
        )
        if not is_question:
            return ""
        if any(r.find(toks) is not None for r in self._rhetorical) or any(
            w >= 1.0 for m in ("tegenargumenteren", "wegwuiven", "druk") for w in found.get(m, [])
        ):
            return "rhetorical"
        open_words = [i for i, t in enumerate(toks) if t in self._open_words]
        if toks[:2] == WAT_ALS and open_words and open_words[0] == 0:
            open_words = open_words[1:]
        if invites or open_words:
            return "open"
        if "samenvatten" in found or "voorstel" in found:
            return ""  # 'Klopt dat?', 'Zullen we…?' are their own technique
        return "closed"
