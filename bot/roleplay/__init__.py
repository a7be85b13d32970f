"""Role-play domain: practise resistance conversations with a scripted stakeholder.

Knows nothing about Telegram. Typical use::

    scenarios = load_scenarios(knowledge_dir)
    analyser = Analyser.from_knowledge(knowledge_dir, make_embedder(model), cache_dir=data_dir)
    # (the technique classifier: knowledge/rollenspel/_techniques_model.npz, `wijkwijs oefen
    # train`; a stale model is retrained and cached in cache_dir)
    engine = RoleplayEngine(scenarios, analyser)
    session, intro, opening = engine.start(scenario_id_or_None)
    result = engine.reply(session, text)        # TurnResult; result.feedback when it ended
    hint = engine.hint(session)
    feedback = engine.stop(session)             # Feedback; feedback.render_text()

Persist ``session`` between messages with `RoleplayStore` (or ``session.to_dict()``).
"""

from bot.roleplay.analyser import Analyser, TurnAnalysis, TurnContext
from bot.roleplay.classifier import TechniqueClassifier
from bot.roleplay.engine import RoleplayEngine, RoleplayError, Start, TurnResult
from bot.roleplay.feedback import Evaluator, Feedback, Quote, ScriptedEvaluator
from bot.roleplay.scenarios import Scenario, ScenarioSet, load_scenarios
from bot.roleplay.session import RoleplaySession, TurnRecord
from bot.roleplay.store import HistoryEntry, RoleplayStore, render_history
from bot.roleplay.voice import PersonaVoice, ReactionKind, ScriptedVoice

__all__ = [
    "Analyser",
    "Evaluator",
    "Feedback",
    "HistoryEntry",
    "PersonaVoice",
    "Quote",
    "ReactionKind",
    "RoleplayEngine",
    "RoleplayError",
    "RoleplaySession",
    "RoleplayStore",
    "Scenario",
    "ScenarioSet",
    "ScriptedEvaluator",
    "ScriptedVoice",
    "Start",
    "TechniqueClassifier",
    "TurnAnalysis",
    "TurnContext",
    "TurnRecord",
    "TurnResult",
    "load_scenarios",
    "render_history",
]
