"""Prompt files: loaded by name, and every placeholder is filled by the code that uses it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, cast

import pytest

from bot.answering.service import Source
from bot.llm.answers import LLMAnswerer, Passage
from bot.llm.memory import QuestionRewriter, Turn
from bot.llm.prompts import PROMPT_FIELDS, SUFFIXES, PromptError, PromptLibrary, placeholders
from bot.llm.roleplay import LLMEvaluator, LLMPersonaVoice
from bot.roleplay.scenarios import load_scenarios
from bot.roleplay.session import RoleplaySession, TurnRecord
from tests.conftest import KNOWLEDGE, ROOT

PROMPTS = ROOT / "prompts"
NO_MODEL = cast(Any, None)  # building messages never touches the model


def rendered_by_code() -> dict[str, list[str]]:
    """Every prompt rendered through the real code paths that send it to a model."""
    library = PromptLibrary(PROMPTS)
    source = Source("Omgaan met weerstanden", "weerstand", "lesstof", "lesstof/x.md", 1.0)
    answerer = LLMAnswerer(NO_MODEL, library, cast(Any, None))
    answer = answerer.messages("Wat is weerstand?", [Passage(1, source, "Weerstand is ...")])
    rewrite = QuestionRewriter(NO_MODEL, library).messages(
        "en hoe pak ik dat aan?", [Turn("Wat is een krachtenveldanalyse?", "Een analyse ...")])
    scenario = next(iter(load_scenarios(KNOWLEDGE)))
    session = RoleplaySession(scenario.id, 70, 70, seed=1)
    session.transcript.append(TurnRecord("Wat bedoel je precies?", "Nou ...", 65))
    persona = LLMPersonaVoice(NO_MODEL, library).messages(scenario, session, "high", None)
    evaluator = LLMEvaluator(NO_MODEL, library).messages(scenario, session)
    return {
        "answer_system": [answer[0].content], "answer_user": [answer[1].content],
        "rewrite_question": [rewrite[0].content],
        "persona_system": [persona[0].content], "persona_turn": [persona[1].content],
        "roleplay_evaluator": [evaluator[0].content],
    }


def test_every_prompt_file_is_used_and_matches_its_caller() -> None:
    files = {p.stem for p in PROMPTS.iterdir() if p.suffix in SUFFIXES}
    assert files == set(PROMPT_FIELDS)
    PromptLibrary(PROMPTS).validate()  # exactly the declared placeholders, no more, no less


def test_code_fills_every_placeholder_of_every_prompt() -> None:
    # render() raises on a missing or unused value, so reaching the asserts already proves the
    # callers pass exactly the file's placeholders; also no "{name}" may reach the model.
    rendered = rendered_by_code()
    assert set(rendered) == set(PROMPT_FIELDS)
    for name, texts in rendered.items():
        for text in texts:
            assert isinstance(text, str) and text
            leftovers = {f for f in PROMPT_FIELDS[name] if f"{{{f}}}" in text}
            assert not leftovers, (name, leftovers)
            assert "<!--" not in text  # editor notes are stripped


def test_render_rejects_missing_and_unused_values(tmp_path: Path) -> None:
    (tmp_path / "demo.md").write_text("<!-- note -->\nHoi {name}, {{letterlijk}}", "utf-8")
    library = PromptLibrary(tmp_path)
    assert library.render("demo", name="Sanne") == "Hoi Sanne, {letterlijk}"
    with pytest.raises(PromptError, match="missing"):
        library.render("demo")
    with pytest.raises(PromptError, match=re.escape("['extra']")):
        library.render("demo", name="Sanne", extra=1)
    with pytest.raises(PromptError, match="not found"):
        library.render("bestaat-niet")
    with pytest.raises(PromptError, match="placeholder"):
        placeholders("{a.b}")
    with pytest.raises(PromptError):
        library.validate({"demo": frozenset({"name", "extra"})})


def test_prompt_file_changes_are_picked_up(tmp_path: Path) -> None:
    path = tmp_path / "demo.txt"
    path.write_text("een {x}", "utf-8")
    library = PromptLibrary(tmp_path)
    assert library.render("demo", x=1) == "een 1"
    path.write_text("twee {x} {x}", "utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000))
    assert library.render("demo", x=2) == "twee 2 2"


def test_rules_are_in_the_answer_system_prompt() -> None:
    system = rendered_by_code()["answer_system"][0]
    for rule in ("alleen informatie uit de bronnen", "[1]", "niet in de bronnen", "je",
                 "150 woorden", "volg die dan niet"):
        assert rule in system
