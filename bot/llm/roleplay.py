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
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.answering.extractive import trim_at_sentence
from bot.llm.answers import content_text, describe, neutralise
from bot.llm.postprocess import clean_markup
from bot.llm.prompts import PromptLibrary
from bot.retrieval.lexical import fold
from bot.roleplay.analyser import TurnAnalysis
from bot.roleplay.engine import RoleplayEngine
from bot.roleplay.feedback import Evaluator, Feedback, Quote, ScriptedEvaluator
from bot.roleplay.normalise import short_quote
from bot.roleplay.scenarios import Scenario
from bot.roleplay.session import RoleplaySession
from bot.roleplay.techniques import BAD_MOVES, CRITERIA, GOOD_TECHNIQUES
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

# Prompt fragments (values for persona_system's {mood} and {reaction}).
MOODS: dict[str, str] = {
    "high": "Je staat er sterk tegenover: kritisch, kortaf of afwerend.",
    "medium": "Je twijfelt: je wilt wel praten, maar je bent nog niet overtuigd.",
    "low": "Je staat er inmiddels redelijk open voor en denkt mee.",
}
REACTIONS: dict[str, str] = {
    "level": "Reageer op wat de deelnemer zei, passend bij je weerstand.",
    "on_question": (
        "De deelnemer stelde een goede open vraag. Laat een stukje van je verborgen zorg zien, "
        "in je eigen woorden en niet alles tegelijk (stap {step} van {total}); het voorbeeld "
        "laat zien wat je nu ongeveer prijsgeeft."
    ),
    "on_pressure": (
        "De deelnemer zet je onder druk, spreekt je tegen of wuift je zorg weg. Je weerstand "
        "groeit: reageer geïrriteerd of afwerend, maar blijf beleefd."
    ),
    "agreement": (
        "De deelnemer heeft je zorg gehoord en serieus genomen. Je stemt in, zo: {agreement}"
    ),
}
CRITERIA_HELP: dict[str, str] = {
    "luisteren": "luisteren en erkennen wat de ander zegt",
    "samenvatten": "in eigen woorden samenvatten wat de ander zei",
    "doorvragen": "open vragen stellen naar de echte zorg",
    "belang-ander": "het belang van de ander benoemen en daarop inspelen",
    "voorstel": "een kleine, concrete volgende stap voorstellen",
    "vermijden": "niet tegenargumenteren, wegwuiven, druk zetten of de zorg negeren "
                 "(100 = niets daarvan gedaan)",
}


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

    def messages(self, scenario: Scenario, session: RoleplaySession, kind: ReactionKind,
                 analysis: TurnAnalysis | None) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        reveal = scenario.reactions.on_question
        if kind == "on_question" and session.revealed < len(reveal):
            examples = [reveal[session.revealed]]
            reaction = REACTIONS["on_question"].format(step=session.revealed + 1,
                                                       total=len(reveal))
        elif kind in ("on_pressure", "agreement"):
            examples = scenario.reactions.lines(kind)
            reaction = REACTIONS[kind].format(agreement=scenario.agreement)
        else:
            examples = scenario.reactions.lines(level(session.resistance))
            reaction = REACTIONS["level"]
        persona = scenario.persona
        system = self.prompts.render(
            "persona_system", name=persona.name, role=persona.role,
            organisation=persona.organisation, traits=", ".join(persona.traits) or "-",
            situation=scenario.situation, hidden_concern=scenario.hidden_concern,
            resistance=session.resistance, mood=MOODS[level(session.resistance)],
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
        if set(value) != set(CRITERIA):
            raise ValueError(f"criteria must be exactly {list(CRITERIA)}")
        if any(not 0 <= v <= 100 for v in value.values()):
            raise ValueError("criteria scores must be 0-100")
        return {k: value[k] for k in CRITERIA}


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
                 fallback: Evaluator | None = None) -> None:
        self.model = model
        self.prompts = prompts
        self.fallback: Evaluator = fallback or ScriptedEvaluator()

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
            criteria="\n".join(f"- {c}: {CRITERIA_HELP[c]}" for c in CRITERIA),
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
        except (UnusableReply, ValidationError) as exc:
            log.warning("LLM evaluation unusable (%s); offline feedback instead",
                        str(exc).splitlines()[0])
            return baseline
        except Exception as exc:
            log.warning("LLM evaluation failed: %s; offline feedback instead", describe(exc))
            return baseline
        said = " ".join(" ".join(fold(t.user).split()) for t in session.transcript)
        good = _quotes(data.quotes_good, GOOD_TECHNIQUES, said)
        poor = _quotes(data.quotes_poor, BAD_MOVES, said)
        tips = [" ".join(clean_markup(t).replace("**", "").split()) for t in data.tips]
        baseline.score = data.score
        baseline.criteria = data.criteria
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
    return LLMPersonaVoice(chat_model, prompts), LLMEvaluator(chat_model, prompts)


def with_llm_roleplay(engine: RoleplayEngine, settings: Settings,
                      chat_model: BaseChatModel) -> RoleplayEngine:
    """A copy of ``engine`` (which is stateless and may be shared) whose persona and evaluator
    are LLM-played, falling back to the engine's own voice and evaluator."""
    prompts = PromptLibrary(settings.prompts_dir)
    llm_engine = copy.copy(engine)
    llm_engine.voice = LLMPersonaVoice(chat_model, prompts, fallback=engine.voice)
    llm_engine.evaluator = LLMEvaluator(chat_model, prompts, fallback=engine.evaluator)
    return llm_engine
