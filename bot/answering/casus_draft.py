"""Objection advice as a draft's answer: the advice itself, or what a follow-up on it asks for
beyond it (every step, the example replies). Used by the composer (composer.py)."""

from __future__ import annotations

import numpy as np

from bot.answering import texts as at
from bot.answering.casus import GOOD as GOOD_APPROACH
from bot.answering.casus import Casus, CasusAdvisor
from bot.answering.draft import Draft
from bot.answering.text_fit import fit


def casus_more(advisor: CasusAdvisor, draft: Draft, casus: Casus, tokens: list[str]) -> bool:
    """A follow-up on casus advice gets what the advice left out, not the advice again:
    all example replies ("kun je een voorbeeld geven?"), else every step of *Goede
    aanpak* with as much of its detail as fits (``CasusAdvisor.all_steps``: "en hoe doe
    ik dat dan?")."""
    good = casus.doc.find(GOOD_APPROACH)
    if draft.intent == "voorbeeld" and casus.good_responses:
        lines = [f"- “{r}”" for r in casus.good_responses]
        text = fit(f"**{at.EXAMPLE}**\n" + "\n".join(lines), question_tokens=tokens)
        sections = [s for s in casus.doc.sections if not s.is_links][:1]
    elif good is not None:
        text = advisor.all_steps(casus, draft.result.question, at.APPROACH, draft.result.vector)
        sections = [good]
    else:
        return False
    draft.text = text
    draft.docs = [casus.doc]
    draft.section_keys = [s.key for s in sections]
    draft.related = []
    draft.casus_path = casus.path
    draft.intent = "weerstand"
    return True


def use_advice(advisor: CasusAdvisor, draft: Draft, casus: Casus, similar_cases: list[Casus],
               question: str, focus: str = "", vector: np.ndarray | None = None) -> None:
    """Objection advice from ``casus`` as the draft's answer (``CasusAdvisor.advise``)."""
    advice = advisor.advise(casus, question, similar_cases, at.ADVICE_LABELS, focus,
                            vector if vector is not None else draft.result.vector)
    draft.text = advice.text
    draft.docs = [casus.doc]
    draft.section_keys = [s.key for s in casus.doc.sections if not s.is_links][:1]
    draft.related = [c.title for c in similar_cases[:2]]
    draft.casus_path = casus.path
    draft.intent = "weerstand"
