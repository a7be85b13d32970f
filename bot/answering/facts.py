"""Kinds of fact the course text does not hold: opening hours, prices, this year's facts.

A question asking for such a fact about a real library, fund, event or authority ("what time
does Oodi open on Sundays", "what does that training cost", "what is this year's theme") is
close to the course's world and often names an example the course describes, so retrieval,
the intent model and the scope model may all let it through (docs/benchmarks.md, round 14).
The structural signal: the question asks for a *kind* of fact (``knowledge/feitvragen.yaml``:
``ask`` patterns) and no passage retrieval found holds a fact of that kind (``answer``
patterns: a clock time, an amount in euro, ...). The course's own facts of these kinds (an
example's opening year, "6 tot 8 uur per week") stay answered because their passage holds
them. The patterns are data; this module only applies them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.answering.documents import Document
from bot.retrieval.retriever import RetrievalResult

FACTS_FILE = "feitvragen.yaml"
PASSAGES = 5
"""How many of retrieval's best passages, and the whole files they come from, are searched for a
fact of the asked kind (the composer answers from the first files). Round 14: the passages alone
missed the cost question of assignment 4 ("wat kost een betaalde versie?") for an English
wording; the count is not tuned."""


@dataclass(frozen=True)
class FactKind:
    name: str
    ask: tuple[re.Pattern[str], ...]
    answer: tuple[re.Pattern[str], ...]

    def asked(self, question: str) -> bool:
        return any(p.search(question) for p in self.ask)

    def held(self, texts: list[str]) -> bool:
        return any(p.search(t) for p in self.answer for t in texts)


class FactKinds:
    def __init__(self, kinds: tuple[FactKind, ...] = ()) -> None:
        self.kinds = kinds

    @classmethod
    def load(cls, knowledge_dir: Path) -> FactKinds:
        """``knowledge/feitvragen.yaml`` (``kinds: {name: {ask: [regex], answer: [regex]}}``);
        no file: no kinds (nothing is refused for this reason)."""
        path = knowledge_dir / FACTS_FILE
        if not path.is_file():
            return cls()
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        kinds = raw.get("kinds") if isinstance(raw, dict) else None
        if not isinstance(kinds, dict):
            raise ValueError(f"{path}: expected 'kinds: {{name: {{ask: [...], answer: [...]}}}}'")
        out = []
        for name, spec in kinds.items():
            if not isinstance(spec, dict) or not isinstance(spec.get("ask"), list):
                raise ValueError(f"{path}: kind {name!r} needs an 'ask' list")

            def compiled(key: str, spec: dict[str, object] = spec) -> tuple[re.Pattern[str], ...]:
                items = spec.get(key) or []
                assert isinstance(items, list)
                return tuple(re.compile(str(p), re.IGNORECASE) for p in items)

            out.append(FactKind(str(name), compiled("ask"), compiled("answer")))
        return cls(tuple(out))

    def unheld(self, question: str, result: RetrievalResult,
               docs: Mapping[str, Document] | None = None) -> str:
        """The kind of fact ``question`` asks for that none of retrieval's best passages
        (``PASSAGES``) holds, nor the whole text of the files (``docs``) those passages come
        from, or '' (no such kind asked, or the material found holds it)."""
        if not any(k.asked(question) for k in self.kinds):
            return ""
        hits = result.hits[:PASSAGES]
        texts = [h.chunk.text for h in hits]
        if docs is not None:
            texts += [docs[p].text for p in dict.fromkeys(h.chunk.path for h in hits)
                      if p in docs]
        return self.unheld_in(question, texts)

    def unheld_in(self, question: str, texts: list[str]) -> str:
        """The kind of fact ``question`` asks for that none of ``texts`` holds, or ''."""
        return next((k.name for k in self.kinds if k.asked(question) and not k.held(texts)), "")
