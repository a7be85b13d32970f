"""LLM hooks for the role-play engine: a `PersonaVoice` and an `Evaluator`.

The engine keeps the dramaturgy (resistance, reaction kind, when the persona agrees); the LLM
only phrases the persona's line in character, with the scenario's lines for this moment as style
examples. The evaluator asks a separate prompt for the same structured scores as the offline
`ScriptedEvaluator` and validates them with pydantic. Both fall back to the offline behaviour on
any error or unusable reply. The engine is synchronous (called via ``asyncio.to_thread``), so
these use the model's synchronous ``invoke``.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.answering.extractive import trim_at_sentence
from bot.folding import fold
from bot.llm.answers import content_text, describe, neutralise
from bot.llm.postprocess import clean_markup
from bot.llm.prompts import PromptLibrary
from bot.roleplay.analyser import TurnAnalysis
from bot.roleplay.engine import RoleplayEngine
from bot.roleplay.feedback import Evaluator, Feedback, Quote, ScriptedEvaluator
from bot.roleplay.normalise import short_quote
from bot.roleplay.scenarios import SCENARIO_DIR, Scenario
from bot.roleplay.session import RoleplaySession
from bot.roleplay.techniques import TECHNIQUES_FILE, TechniqueBook, load_technique_book
from bot.roleplay.voice import PersonaVoice, ReactionKind, ScriptedVoice, level
from bot.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

MAX_LINE_CHARS = 400
LEAK_WORDS = 8
"""A persona line containing this many consecutive words of the hidden concern is a leak."""
OUT_OF_ROLE = ("taalmodel", "language model", "als ai", "ik ben een ai", "als assistent",
               "ik ben een assistent", "mijn instructies")

FRAGMENTS_FILE = "roleplay_fragments.yaml"
"""Mood and reaction fragments for persona_system, in the prompts dir (course content)."""


class Fragments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    moods: dict[str, str]
    reactions: dict[str, str]


def load_fragments(prompts: PromptLibrary) -> Fragments:
    path = Path(prompts.directory) / FRAGMENTS_FILE
    return Fragments.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def default_book() -> TechniqueBook:
    """The technique book of the repository's knowledge dir (when none is passed in)."""
    root = Path(__file__).resolve().parents[2]
    return load_technique_book(root / "knowledge" / SCENARIO_DIR / TECHNIQUES_FILE)


class UnusableReply(ValueError):
    """The model's reply can't be used (empty, out of role, leaks the concern, bad JSON)."""


def leaks(line: str, concern: str) -> bool:
    words = fold(concern).split()
    text = " ".join(fold(line).split())
    return any(" ".join(words[i:i + LEAK_WORDS]) in text
               for i in range(max(0, len(words) - LEAK_WORDS + 1)))


def clean_line(reply: str, scenario: Scenario) -> str:
    text = " ".join(clean_markup(reply).replace("**", "").split())
    for name in (scenario.persona.name, scenario.persona.name.split()[0]):
        if text.lower().startswith(name.lower() + ":"):
            text = text[len(name) + 1:].strip()
    text = text.strip("\"'“”‘’ ")
    if not text:
        raise UnusableReply("empty persona line")
    if any(marker in fold(text) for marker in OUT_OF_ROLE):
        raise UnusableReply("persona stepped out of role")
    if leaks(text, scenario.hidden_concern):
        raise UnusableReply("persona line recites the hidden concern")
    return trim_at_sentence(text, MAX_LINE_CHARS)


class LLMPersonaVoice:
    """Persona lines generated in character; `ScriptedVoice` on any failure."""

    def __init__(self, model: BaseChatModel, prompts: PromptLibrary,
                 fallback: PersonaVoice | None = None) -> None:
        self.model = model
        self.prompts = prompts
        self.fallback: PersonaVoice = fallback or ScriptedVoice()
        self._fragments: Fragments | None = None

    @property
    def fragments(self) -> Fragments:
        if self._fragments is None:
            self._fragments = load_fragments(self.prompts)
        return self._fragments

    def messages(self, scenario: Scenario, session: RoleplaySession, kind: ReactionKind,
                 analysis: TurnAnalysis | None) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        reveal = scenario.reactions.on_question
        fragments = self.fragments
        values = {"step": str(session.revealed + 1), "total": str(len(reveal)),
                  "phrase": analysis.phrase if analysis is not None else "",
                  "proposal": analysis.proposal if analysis is not None else ""}
        if kind == "on_question" and session.revealed < len(reveal):
            examples = [reveal[session.revealed]]
        elif kind in ("on_pressure", "on_insult"):
            examples = scenario.reactions.lines("on_pressure")
        elif kind == "agreement" and not values["proposal"]:
            examples = scenario.reactions.lines("agreement")
        else:
            examples = scenario.reactions.lines(level(session.resistance))
        template = fragments.reactions.get(kind, fragments.reactions["level"])
        if kind == "on_question" and session.revealed >= len(reveal):
            template = fragments.reactions["level"]
        reaction = template.format(**values)
        persona = scenario.persona
        system = self.prompts.render(
            "persona_system", name=persona.name, role=persona.role,
            organisation=persona.organisation, traits=", ".join(persona.traits) or "-",
            situation=scenario.situation, hidden_concern=scenario.hidden_concern,
            resistance=session.resistance, mood=fragments.moods[level(session.resistance)],
            reaction=reaction, examples="\n".join(f"- {line}" for line in examples[:5]),
        )
        lines = [f"{persona.name}: {neutralise(scenario.opening)}"]
        for turn in session.transcript:
            lines += [f"Deelnemer: {neutralise(turn.user)}",
                      f"{persona.name}: {neutralise(turn.persona)}"]
        if analysis is not None:
            lines.append(f"Deelnemer: {neutralise(analysis.text)}")
        user = self.prompts.render("persona_turn", transcript="\n".join(lines),
                                   name=persona.name)
        return [SystemMessage(system), HumanMessage(user)]

    def line(self, scenario: Scenario, session: RoleplaySession, kind: ReactionKind,
             analysis: TurnAnalysis | None) -> str:
        try:
            reply = self.model.invoke(self.messages(scenario, session, kind, analysis))
            text = clean_line(content_text(reply.content), scenario)
        except Exception as exc:
            log.warning("LLM persona line failed: %s; scripted line instead", describe(exc))
            return self.fallback.line(scenario, session, kind, analysis)
        if kind == "on_question" and session.revealed < len(scenario.reactions.on_question):
            session.revealed += 1  # same bookkeeping as ScriptedVoice: the concern surfaced
        return text


class QuoteJSON(BaseModel):
    model_config = ConfigDict(extra="ignore")
    quote: str = Field(min_length=1, max_length=600)
    technique: str


class EvaluationJSON(BaseModel):
    """The evaluator's reply; same criteria as `ScriptedEvaluator`."""

    model_config = ConfigDict(extra="ignore")
    score: int = Field(ge=0, le=100)
    criteria: dict[str, int]
    next_time: str = Field(min_length=1, max_length=600)
    tips: list[str] = Field(default_factory=list, max_length=5)
    quotes_good: list[QuoteJSON] = Field(default_factory=list)
    quotes_poor: list[QuoteJSON] = Field(default_factory=list)

    @field_validator("criteria")
    @classmethod
    def _criteria(cls, value: dict[str, int]) -> dict[str, int]:
        if any(not 0 <= v <= 100 for v in value.values()):
            raise ValueError("criteria scores must be 0-100")
        return value


def parse_json_object(reply: str) -> Any:
    """The first ``{...}`` object in a reply (tolerates code fences and chatter around it)."""
    text = re.sub(r"```(?:json)?", "", reply)
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise UnusableReply("no JSON object in the reply")
    try:
        return json.loads(text[start:end + 1])
    except json.JSONDecodeError as exc:
        raise UnusableReply(f"bad JSON: {exc}") from None


def _quotes(items: list[QuoteJSON], allowed: tuple[str, ...], said: str) -> list[Quote]:
    """Quotes with a known technique that the participant really said (invented ones dropped)."""
    out = []
    for item in items:
        words = " ".join(fold(item.quote).strip(" .\"'“”").split())
        if item.technique in allowed and words and words in said:
            out.append(Quote(short_quote(item.quote.strip(" \"'“”")), item.technique))
    return out[:3]


class LLMEvaluator:
    """Feedback scored by the LLM; `ScriptedEvaluator` on any failure or invalid JSON."""

    def __init__(self, model: BaseChatModel, prompts: PromptLibrary,
                 fallback: Evaluator | None = None, book: TechniqueBook | None = None) -> None:
        self.model = model
        self.prompts = prompts
        self.book = book or getattr(fallback, "book", None) or default_book()
        self.fallback: Evaluator = fallback or ScriptedEvaluator(self.book)

    def messages(self, scenario: Scenario, session: RoleplaySession) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        name = scenario.persona.name
        lines = [f"{name}: {neutralise(scenario.opening)}"]
        for turn in session.transcript:
            lines += [f"Deelnemer: {neutralise(turn.user)}", f"{name}: {neutralise(turn.persona)}"]
        system = self.prompts.render(
            "roleplay_evaluator", title=scenario.title,
            persona=f"{name}, {scenario.persona.role} bij {scenario.persona.organisation}",
            situation=scenario.situation, goal=scenario.goal,
            hidden_concern=scenario.hidden_concern,
            criteria="\n".join(f"- {c}: {d}" for c, d in self.book.descriptions().items()),
            transcript="\n".join(lines),
        )
        return [SystemMessage(system), HumanMessage("Geef je beoordeling als JSON.")]

    def evaluate(self, scenario: Scenario, session: RoleplaySession) -> Feedback:
        baseline = self.fallback.evaluate(scenario, session)
        if not session.transcript:
            return baseline  # nothing said yet: nothing for a model to judge
        try:
            reply = self.model.invoke(self.messages(scenario, session))
            data = EvaluationJSON.model_validate(parse_json_object(content_text(reply.content)))
            criteria = self.book.criteria
            if set(data.criteria) != set(criteria):
                raise UnusableReply(f"criteria must be exactly {list(criteria)}")
        except (UnusableReply, ValidationError) as exc:
            log.warning("LLM evaluation unusable (%s); offline feedback instead",
                        str(exc).splitlines()[0])
            return baseline
        except Exception as exc:
            log.warning("LLM evaluation failed: %s; offline feedback instead", describe(exc))
            return baseline
        said = " ".join(" ".join(fold(t.user).split()) for t in session.transcript)
        good = _quotes(data.quotes_good, self.book.good, said)
        poor = _quotes(data.quotes_poor, self.book.bad, said)
        tips = [" ".join(clean_markup(t).replace("**", "").split()) for t in data.tips]
        baseline.score = data.score
        baseline.criteria = {k: data.criteria[k] for k in criteria}
        baseline.next_time = " ".join(clean_markup(data.next_time).replace("**", "").split())
        baseline.tips = [t for t in tips if t][:3]
        baseline.quotes_good = good or baseline.quotes_good
        baseline.quotes_poor = poor or baseline.quotes_poor
        return baseline


def build_llm_roleplay(settings: Settings, chat_model: BaseChatModel,
                       ) -> tuple[PersonaVoice, Evaluator]:
    """(voice, evaluator) for `bot.roleplay.engine.RoleplayEngine(voice=..., evaluator=...)`.

    Share the tutor's chat model (``services.llm.model``); prompts come from
    ``settings.prompts_dir``.
    """
    prompts = PromptLibrary(settings.prompts_dir)
    book = load_technique_book(settings.knowledge_dir / SCENARIO_DIR / TECHNIQUES_FILE)
    return LLMPersonaVoice(chat_model, prompts), LLMEvaluator(chat_model, prompts, book=book)


def with_llm_roleplay(engine: RoleplayEngine, settings: Settings,
                      chat_model: BaseChatModel) -> RoleplayEngine:
    """A copy of ``engine`` (which is stateless and may be shared) whose persona and evaluator
    are LLM-played, falling back to the engine's own voice and evaluator."""
    prompts = PromptLibrary(settings.prompts_dir)
    llm_engine = copy.copy(engine)
    llm_engine.voice = LLMPersonaVoice(chat_model, prompts, fallback=engine.voice)
    llm_engine.evaluator = LLMEvaluator(chat_model, prompts, fallback=engine.evaluator,
                                        book=engine.book)
    return llm_engine
