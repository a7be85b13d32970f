"""Greetings and thanks ("hoi", "dank je wel!") get a short friendly reply, not the
"not in the material" refusal: they are not questions about the course. A bare link gets a
short explanation (the bot cannot open links) instead of a passage that matched its letters.

A message is social only when every word of it is a greeting/thanks word or a filler
(bot/answering/texts.py), so "hoi, wat is een wijkschouw?" is still a question.
"""

from __future__ import annotations

import re

from bot.answering import texts
from bot.folding import fold_words

MAX_WORDS = 6
MAX_BOT_WORDS = 8
"""A question about the bot is short: "wat kan deze bot allemaal voor mij doen?" (8 words)."""
LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def social_reply(text: str) -> str | None:
    """The reply to a greeting, a thank-you or a bare link; None when ``text`` asks something."""
    if LINK.search(text) and not fold_words(LINK.sub(" ", text)):
        return texts.LINK_REPLY
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


def asks_about_bot(text: str) -> bool:
    """``text`` asks what the bot is or can do ("wat kun je?", "hoe werkt deze bot?", "what
    can you do?", "help"): every word addresses the bot or is a question or capability word
    (bot/answering/texts.py), and the bot is addressed. "hoe doe je dat?" and "wat kan ik
    doen?" are not: they ask about the course (a follow-up, or "je" as "one")."""
    words = fold_words(text).split()
    if not words or len(words) > MAX_BOT_WORDS:
        return False
    if all(w in texts.BOT_HELP_ONLY for w in words):
        return True
    return any(w in texts.BOT_ADDRESS for w in words) and \
        all(w in texts.BOT_ADDRESS or w in texts.BOT_ASKS for w in words)
