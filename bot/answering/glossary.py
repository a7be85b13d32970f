"""Flemish -> Dutch glossary (``knowledge/glossarium-vlaams.yaml``), applied before retrieval;
the same for English course terms (``knowledge/glossarium-engels.yaml``).

The answer stays Dutch and the participant's words are kept in the log; only the text used for
retrieval and intent recognition is normalised ("geen goesting" -> "geen zin", "schepen" ->
"wethouder"), so Flemish phrasing finds the same material as Dutch phrasing.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

GLOSSARY_GLOB = "glossarium-*.yaml"


class Glossary:
    def __init__(self, terms: dict[str, str]) -> None:
        self.terms = {k.lower().strip(): (v or "").strip() for k, v in terms.items() if k.strip()}
        # Longest phrases first, so "geen goesting" wins over "goesting".
        alternatives = sorted(self.terms, key=len, reverse=True)
        joined = "|".join(re.escape(a) for a in alternatives)
        self._pattern = re.compile(rf"(?<![\w-])({joined})(?![\w-])", re.I) \
            if alternatives else None

    @classmethod
    def load(cls, knowledge_dir: Path) -> Glossary:
        """All ``glossarium-*.yaml`` files in ``knowledge_dir`` (none: an empty glossary)."""
        merged: dict[str, str] = {}
        for path in sorted(knowledge_dir.glob(GLOSSARY_GLOB)):
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            terms = raw.get("terms") if isinstance(raw, dict) else None
            if not isinstance(terms, dict):
                raise ValueError(f"{path}: expected a mapping 'terms: {{word: dutch}}'")
            merged.update({str(k): "" if v is None else str(v) for k, v in terms.items()})
        return cls(merged)

    def normalise(self, text: str) -> str:
        if self._pattern is None:
            return text
        out = self._pattern.sub(lambda m: self.terms[m.group(1).lower()], text)
        return " ".join(out.split())
