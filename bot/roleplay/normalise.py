"""Text normalisation and tolerant cue matching for Dutch chat replies.

Cue syntax (used in ``knowledge/rollenspel/_technieken.yaml``):

- words separated by spaces, matched against normalised tokens (lowercase, accents folded,
  punctuation removed, apostrophes dropped: ``z'n`` -> ``zn``);
- ``a|b`` alternatives for one position;
- ``word*`` matches every token starting with ``word`` (stems: ``begrijp*``);
- ``...`` skips 0 to 3 arbitrary tokens;
- words of 5+ characters tolerate one typo (insertion, deletion, substitution, swap).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.folding import fold

_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_CLAUSE = re.compile(r"[,;:]")
GAP = "..."
MAX_GAP = 3
FUZZY_MIN = 5


def tokens(text: str) -> list[str]:
    """Normalised word tokens of ``text``."""
    return _WORD.findall(fold(text, keep_apostrophes=False))


@dataclass(frozen=True)
class Sentence:
    raw: str
    tokens: tuple[str, ...]
    question: bool
    """Ends with a question mark."""
    clauses: tuple[tuple[str, ...], ...] = ()
    """Tokens of the comma/colon/semicolon separated parts."""

    @property
    def unpunctuated(self) -> bool:
        """No closing punctuation at all (chat style: 'wat vind jij ervan')."""
        return self.raw[-1:] not in {".", "!", "?"}


def sentences(text: str) -> list[Sentence]:
    """Split into sentences; a sentence ending in ``?`` is a question."""
    out: list[Sentence] = []
    for match in _SENTENCE.finditer(text.replace("\r", "")):
        raw = match.group(0).strip()
        toks = tuple(tokens(raw))
        if toks:
            clauses = tuple(t for t in (tuple(tokens(c)) for c in _CLAUSE.split(raw)) if t)
            out.append(Sentence(raw, toks, raw.endswith("?"), clauses))
    return out


def within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one edit (incl. swapping two neighbours)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    # b is one longer than a: find the one insertion
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


@dataclass(frozen=True)
class _Slot:
    options: tuple[str, ...]
    prefix: tuple[bool, ...]

    def matches(self, token: str) -> bool:
        for option, is_prefix in zip(self.options, self.prefix, strict=True):
            if is_prefix:
                if token.startswith(option):
                    return True
                if len(option) >= FUZZY_MIN and len(token) >= len(option) - 1 and any(
                    within_one_edit(token[: len(option) + d], option) for d in (-1, 0, 1)
                ):
                    return True
            elif token == option or (
                len(option) >= FUZZY_MIN and within_one_edit(token, option)
            ):
                return True
        return False


@dataclass(frozen=True)
class Cue:
    """A compiled cue phrase."""

    text: str
    slots: tuple[_Slot | None, ...]
    """``None`` marks a gap of 0..MAX_GAP tokens."""

    def find(self, toks: tuple[str, ...] | list[str]) -> tuple[int, int] | None:
        """First ``(start, end)`` token span where the cue matches, else ``None``."""
        for start in range(len(toks)):
            end = self._match_from(toks, start, 0)
            if end is not None:
                return start, end
        return None

    def _match_from(self, toks: tuple[str, ...] | list[str], pos: int, slot_i: int) -> int | None:
        if slot_i == len(self.slots):
            return pos
        slot = self.slots[slot_i]
        if slot is None:
            for skip in range(MAX_GAP + 1):
                if pos + skip > len(toks):
                    break
                end = self._match_from(toks, pos + skip, slot_i + 1)
                if end is not None:
                    return end
            return None
        if pos < len(toks) and slot.matches(toks[pos]):
            return self._match_from(toks, pos + 1, slot_i + 1)
        return None


@lru_cache(maxsize=4096)
def compile_cue(text: str) -> Cue:
    """Compile one cue phrase (see module docstring for the syntax)."""
    slots: list[_Slot | None] = []
    for part in text.split():
        if part == GAP:
            slots.append(None)
            continue
        options: list[str] = []
        prefix: list[bool] = []
        for alt in part.split("|"):
            is_prefix = alt.endswith("*")
            word = "".join(tokens(alt.rstrip("*")))
            if word:
                options.append(word)
                prefix.append(is_prefix)
        if not options:
            raise ValueError(f"empty word in cue {text!r}")
        slots.append(_Slot(tuple(options), tuple(prefix)))
    if not any(s is not None for s in slots):
        raise ValueError(f"empty cue {text!r}")
    return Cue(text=text, slots=tuple(slots))


def keyword_hit(keyword: str, toks: tuple[str, ...] | list[str]) -> bool:
    """Whether a scenario concern keyword occurs in ``toks``.

    Keywords are stems. Short ones (<= 4 letters, e.g. ``moe``, ``eer``) must match a whole word
    (plus a plural/inflection ending), longer ones may start a word or sit inside a compound
    (``gemeentebegroting``) and tolerate one typo.
    """
    parts = tokens(keyword)
    if not parts:
        return False
    if len(parts) > 1:
        return compile_cue(" ".join(p + "*" for p in parts)).find(toks) is not None
    kw = parts[0]
    for tok in toks:
        if len(kw) <= 4:
            if tok in {kw, kw + "e", kw + "en", kw + "s", kw + "n"}:
                return True
        elif kw in tok or (
            len(tok) >= len(kw) - 1
            and any(within_one_edit(tok[: len(kw) + d], kw) for d in (-1, 0, 1))
        ):
            return True
    return False


def clip(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def short_quote(text: str, limit: int = 110) -> str:
    """Trim a participant's words to a short quote, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-")
    return cut + "…"
