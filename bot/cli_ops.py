"""``wijkwijs eval`` (quality), ``wijkwijs db`` (schema) and ``wijkwijs health`` (Docker)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bot.cli_common import load_settings, preflight, progress
from bot.store.permissions import private_dir


def add_eval_parser(sub: Any) -> None:
    p = sub.add_parser("eval", help="kwaliteit meten: zoeken (hit@1, hit@3, MRR, buiten de "
                       "cursus) en antwoorden (kernpunten, ruis, intenties, weigeringen)")
    p.add_argument("file", nargs="?", default="tests/eval/questions.yaml",
                   help="de vragenset (standaard tests/eval/questions.yaml)")
    p.add_argument("--answers", default="tests/eval/answers.yaml",
                   help="antwoordenset (overgeslagen als het bestand niet bestaat)")
    p.add_argument("--intents", default="",
                   help="optionele intentieset: questions: [{text, intent}]")
    p.add_argument("--retrieval-only", action="store_true", help="alleen het zoekdeel")
    p.add_argument("--json", action="store_true", help="uitkomst als JSON")
    p.add_argument("-v", "--verbose", action="store_true", help="toon de missers")
    p.set_defaults(func=cmd_eval)


def add_ops_parsers(sub: Any) -> None:
    """The ``db`` and ``health`` subcommands."""
    p = sub.add_parser("db", help="databaseschema: upgrade | current | history (Alembic)")
    p.add_argument("action", choices=["upgrade", "current", "history"])
    p.add_argument("revision", nargs="?", default="head",
                   help="doelversie voor upgrade (standaard head)")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("health", help="database, index en Bot API controleren (0 = gezond)")
    p.add_argument("--no-bot-api", action="store_true", help="de Bot API niet controleren")
    p.set_defaults(func=cmd_health)


def cmd_db(args: argparse.Namespace) -> int:
    """Operators: ``wijkwijs db upgrade | current | history``."""
    from bot.store import migrate
    from bot.store.db import Database

    if args.action == "history":
        print("\n".join(migrate.history()))
        return 0
    settings = load_settings()
    private_dir(settings.data_dir)
    db = Database(settings.sqlalchemy_url)
    try:
        db.check()
        if args.action == "upgrade":
            before, after = migrate.upgrade(db, args.revision)
            print(f"{before or 'leeg/empty'} -> {after}" if before != after
                  else f"{after} (al bijgewerkt / already current)")
        else:
            current, head = migrate.current_revision(db), migrate.head_revision()
            state = "head" if current == head else f"head is {head}: wijkwijs db upgrade"
            print(f"{current or 'geen/none'} ({state})")
            return 0 if current == head else 1
    finally:
        db.close()
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    """Docker HEALTHCHECK: database, index, Bot API. Exit 0 healthy, 1 unhealthy."""
    from bot.preflight import health

    settings = load_settings()
    results = health(settings, bot_api=not args.no_bot_api)
    for name, error in results:
        print(f"{name}: {'ok' if error is None else error}")
    return 0 if all(error is None for _, error in results) else 1


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.evaluation import evaluate, load_eval_questions
    from bot.services import build_services, configure_runtime

    settings = load_settings()
    preflight(settings)
    configure_runtime(settings)
    services = build_services(settings, progress)
    questions = load_eval_questions(Path(args.file))
    report = evaluate(services.answers, questions)
    out: dict[str, object] = {"retrieval": report.to_json()}
    text = [report.render(verbose=args.verbose)]
    if not args.retrieval_only:
        out.update(_eval_answers(services, args, questions, text))
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print("\n".join(text))
    return 0


def _eval_answers(services: Any, args: argparse.Namespace, questions: list[Any],
                  text: list[str]) -> dict[str, object]:
    """The answer part of ``wijkwijs eval`` (answers, scope on the retrieval set, intents)."""
    from bot.answering.evaluation import (
        evaluate_answers,
        evaluate_intents,
        evaluate_scope,
        load_answer_questions,
        load_intent_questions,
    )

    out: dict[str, object] = {}
    docs = services.answers.composer.docs if services.answers.composer else {}
    answers_file = Path(args.answers)
    if answers_file.is_file():
        answer_report = evaluate_answers(services.answers, load_answer_questions(answers_file),
                                         docs)
        out["answers"] = answer_report.to_json()
        text += ["", f"== answers ({answers_file})", answer_report.render(verbose=args.verbose)]
    scope = evaluate_scope(services.answers, [(q.question, q.grounded) for q in questions])
    out["scope"] = scope.to_json()
    text += ["", scope.render()]
    if args.verbose:
        text += [f"  {m}" for m in scope.misses]
    if args.intents:
        intents = evaluate_intents(services.answers, load_intent_questions(Path(args.intents)))
        out["intents"] = intents
        text += ["", f"== intents ({args.intents}): accuracy {intents['accuracy']:.3f} "
                 f"on {intents['questions']}; per intent {intents.get('per_intent')}"]
        if args.verbose:
            text += [f"  {e}" for e in intents.get("errors", [])]
    return out
