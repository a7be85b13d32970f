"""What the composer decided for one question (`AnswerService` turns it into an `Answer`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.answering.documents import Document
from bot.answering.followup import AnswerContext, FollowUpKind
from bot.answering.intent import IntentPrediction
from bot.retrieval.retriever import RetrievalResult


@dataclass
class Draft:
    """What the composer decided; `AnswerService` turns it into an `Answer`."""

    grounded: bool
    intent: str
    prediction: IntentPrediction | None
    result: RetrievalResult
    text: str = ""
    docs: list[Document] = field(default_factory=list)
    section_keys: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    casus_path: str = ""
    assignment: int | None = None
    context: AnswerContext | None = None
    follow_up: FollowUpKind = "none"
    asks_what_why: bool = False
    """A story recognised as an objection whose asking sentence asks what or why
    (``asked_for`` changed its intent)."""
    ask: IntentPrediction | None = None
    """The intent of the story's asking sentence, when ``asked_for`` predicted it (``_route``
    reuses it: one embedding of that sentence per question)."""
