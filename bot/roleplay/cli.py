"""``wijkwijs oefen``: role-play in the terminal, or scripted via stdin with ``--json``.

Hook-up (in bot/cli.py): ``add_oefen_parser(sub)``; the parser's ``func`` is `cmd_oefen`.

- ``wijkwijs oefen --list [--json]``: the scenarios (``[{"id", "title", "difficulty"}]``).
- ``wijkwijs oefen SCENARIO_ID [--json] [--seed N]``: one participant turn per stdin line
  (``/tip`` asks for a hint, ``/stop`` ends); ``verras`` picks a random scenario. Each JSON turn
  has ``user``, ``persona``, ``resistance`` and ``techniques`` (the classifier's labels).
- ``wijkwijs oefen train [--cv] [--seed N]``: retrain the technique classifier from
  ``knowledge/rollenspel/_training.yaml`` into ``_techniques_model.npz`` (``--cv``: also print
  5-fold cross-validated precision/recall/F1 per technique).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from bot.roleplay import texts
from bot.roleplay.analyser import Analyser
from bot.roleplay.engine import RoleplayEngine, RoleplayError
from bot.roleplay.feedback import Feedback
from bot.roleplay.scenarios import ScenarioSet, load_scenarios

SURPRISE = "verras"
TRAIN = "train"
STOP_COMMANDS = {"/stop", "/klaar", "/exit", "/quit"}
HINT_COMMANDS = {"/tip", "/hint"}


def add_oefen_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Register the ``oefen`` subcommand on the main CLI's subparsers."""
    p = subparsers.add_parser("oefen", help="practise a resistance conversation (role-play)")
    p.add_argument("scenario", nargs="?", help=f"scenario id (see --list), or '{SURPRISE}'")
    p.add_argument("--list", action="store_true", help="list the scenarios")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--seed", type=int, default=0, help="seed for reproducible output (default 0)")
    p.add_argument("--cv", action="store_true",
                   help=f"with '{TRAIN}': also report cross-validated scores")
    p.set_defaults(func=cmd_oefen)
    return p


def build_engine(
    knowledge_dir: Path, embedding_model: str, cache_dir: Path | None = None
) -> RoleplayEngine:
    """Engine with the scripted voice and evaluator and the configured embedder."""
    from bot.retrieval.embeddings import make_embedder

    scenarios = load_scenarios(knowledge_dir)
    analyser = Analyser.from_knowledge(knowledge_dir, make_embedder(embedding_model), cache_dir)
    return RoleplayEngine(scenarios, analyser)


def scenario_list(scenarios: ScenarioSet) -> list[dict[str, str]]:
    return [{"id": s.id, "title": s.title, "difficulty": s.difficulty} for s in scenarios]


def run_conversation(
    engine: RoleplayEngine,
    scenario_id: str | None,
    lines: Iterable[str],
    seed: int = 0,
    out: TextIO | None = None,
    *,
    echo: bool = True,
) -> dict[str, Any]:
    """Play ``lines`` as participant turns. Returns the CLI JSON shape; with ``out`` it also
    prints a readable transcript as it goes."""
    start = engine.start(scenario_id, random.Random(seed))
    session = start.session
    name = engine.scenario(session).persona.name.split()[0]

    def say(text: str) -> None:
        if out is not None:
            out.write(text + "\n")
            out.flush()

    say(start.intro + "\n")
    say(texts.CLI_PERSONA.format(name=name, line=start.opening, resistance=session.resistance))
    turns: list[dict[str, Any]] = []
    feedback: Feedback | None = None
    for raw in lines:
        text = raw.strip()
        if not text:
            continue
        if text.lower() in STOP_COMMANDS:
            break
        if text.lower() in HINT_COMMANDS:
            say(texts.CLI_HINT.format(hint=engine.hint(session)))
            continue
        if echo:
            say(texts.CLI_USER.format(text=text))
        try:
            result = engine.reply(session, text)
        except RoleplayError as exc:
            print(str(exc), file=sys.stderr)
            continue
        turns.append({"user": text, "persona": result.persona, "resistance": result.resistance,
                      "techniques": list(result.techniques)})
        say(texts.CLI_PERSONA.format(name=name, line=result.persona, resistance=result.resistance))
        if result.ended:
            feedback = result.feedback
            break
    if feedback is None:
        feedback = engine.stop(session)
    say("\n" + feedback.render_text())
    return {"scenario": session.scenario_id, "turns": turns, "feedback": feedback.to_dict()}


def cmd_oefen(
    args: argparse.Namespace,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    engine: RoleplayEngine | None = None,
) -> int:
    """Entry point of ``wijkwijs oefen``. ``engine`` lets tests skip building one."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if engine is None:
        from bot.settings import SettingsError, load_settings

        try:
            settings = load_settings()
        except SettingsError as exc:
            print(f"Configuratiefout: {exc}", file=sys.stderr)
            return 2
        if args.scenario == TRAIN:
            return cmd_train(settings.knowledge_dir, settings.embedding_model,
                             settings.data_dir, cv=args.cv, seed=args.seed, stdout=stdout)
        if args.list:
            scenarios = load_scenarios(settings.knowledge_dir)
        else:
            cache = settings.data_dir if settings.data_dir.is_dir() else None
            engine = build_engine(settings.knowledge_dir, settings.embedding_model, cache)
            scenarios = engine.scenarios
    else:
        scenarios = engine.scenarios
    for error in scenarios.errors:
        print(str(error), file=sys.stderr)
    if args.list:
        items = scenario_list(scenarios)
        if args.json:
            stdout.write(json.dumps(items, ensure_ascii=False) + "\n")
        else:
            for item in items:
                label = texts.DIFFICULTY_LABELS[item["difficulty"]]
                stdout.write(f"{item['id']}  ({label})  {item['title']}\n")
        return 0
    if not args.scenario:
        print(texts.CLI_NO_SCENARIO, file=sys.stderr)
        return 2
    assert engine is not None
    scenario_id = None if args.scenario == SURPRISE else args.scenario
    if scenario_id is not None and scenario_id not in engine.scenarios:
        print(f"{texts.UNKNOWN_SCENARIO} ({args.scenario})", file=sys.stderr)
        return 2
    if stdin.isatty() and not args.json:
        interactive = True
        lines: Iterable[str] = _prompted_lines(stdin, stdout)
    else:
        interactive = False
        lines = list(stdin)
    result = run_conversation(
        engine, scenario_id, lines, args.seed, None if args.json else stdout, echo=not interactive
    )
    if args.json:
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


def cmd_train(knowledge_dir: Path, embedding_model: str, cache_dir: Path | None, *,
              cv: bool = False, seed: int = 0, stdout: TextIO | None = None) -> int:
    """Train the technique classifier and store it next to its training data."""
    from bot.retrieval.embeddings import make_embedder
    from bot.roleplay import classifier
    from bot.roleplay.scenarios import SCENARIO_DIR
    from bot.roleplay.techniques import TECHNIQUES_FILE, load_technique_book

    stdout = stdout or sys.stdout
    folder = knowledge_dir / SCENARIO_DIR
    book = load_technique_book(folder / TECHNIQUES_FILE)
    encoder = make_embedder(embedding_model)
    cache = cache_dir if cache_dir is not None and cache_dir.is_dir() else None
    model, inputs, y = classifier.train_from_files(folder / classifier.TRAINING_FILE, book, encoder,
                                              cache, seed=seed or classifier.SEED)
    target = folder / classifier.MODEL_FILE
    model.save(target)
    stdout.write(texts.CLI_TRAINED.format(path=target, count=len(y)) + "\n")
    if cv:
        decided = classifier.cross_validate(inputs, y, seed=seed or classifier.SEED,
                                             good=classifier.good_mask(book)
                                             if classifier.EXCLUSIVE else None)
        stdout.write(classifier.render_scores(classifier.evaluate(y, decided, book.ids)) + "\n")
    return 0


def _prompted_lines(stdin: TextIO, stdout: TextIO) -> Iterator[str]:
    """Read stdin line by line with a prompt, so the persona answers between turns."""
    while True:
        stdout.write("jij> ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            return
        yield line
