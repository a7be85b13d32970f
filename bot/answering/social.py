"""Greetings and thanks ("hoi", "dank je wel!") get a short friendly reply, not the
"not in the material" refusal: they are not questions about the course.

A message is social only when every word of it is a greeting/thanks word or a filler
(bot/answering/texts.py), so "hoi, wat is een wijkschouw?" is still a question.
"""

from __future__ import annotations

from bot.answering import texts
from bot.folding import fold_words

MAX_WORDS = 6


def social_reply(text: str) -> str | None:
    """The reply to a greeting or a thank-you, or None when ``text`` asks something."""
    words = fold_words(text).split()
    if not words or len(words) > MAX_WORDS:
        return None
    if any(w not in texts.SOCIAL_FILLERS and w not in texts.GREETINGS and w not in texts.THANKS
           for w in words):
        return None
    if any(w in texts.THANKS for w in words):
        return texts.THANKS_REPLY
    if any(w in texts.GREETINGS for w in words):
        return texts.GREETING_REPLY
    return None
