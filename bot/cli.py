"""Command line: ``wijkwijs ingest | ask | chat | run | eval | oefen``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.settings import Settings, SettingsError, load_settings


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"Configuratiefout: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_ingest(args: argparse.Namespace) -> int:
    from bot.app import build_indexer, configure_runtime

    settings = _settings()
    configure_runtime(settings)
    indexer = build_indexer(settings)
    _progress(f"Knowledge: {settings.knowledge_dir}  →  index: {settings.index_dir}")
    report = indexer.ingest(_progress)
    _progress(report.summary())
    if args.strict and report.errors:
        for err in report.errors:
            print(str(err), file=sys.stderr)
        return 1
    return 0


def _render_answer(answer: object) -> str:
    from bot.answering.plain import render_plain
    from bot.answering.service import Answer

    assert isinstance(answer, Answer)
    return render_plain(answer, paths=True)


def cmd_ask(args: argparse.Namespace) -> int:
    import asyncio

    from bot.answering.service import UserFacingError
    from bot.app import build_services, configure_runtime

    settings = _settings()
    if args.offline:
        settings = settings.model_copy(update={"llm_provider": "none"})
    configure_runtime(settings)
    services = build_services(settings, _progress)
    if args.question == "-":
        questions = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    else:
        questions = [args.question]
    status = 0
    for question in questions:
        try:  # the chat's path: the LLM when configured, offline follow-ups per --user
            answer = asyncio.run(services.ask(args.user, question))
        except UserFacingError as exc:
            if args.json:
                print(json.dumps({"question": question, "error": str(exc)}, ensure_ascii=False))
            else:
                print(str(exc))
            status = 1
            continue
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        else:
            print(_render_answer(answer))
            if len(questions) > 1:
                print()
    return status


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.adapters.terminal import run_terminal_chat
    from bot.app import build_services, configure_runtime

    settings = _settings()
    configure_runtime(settings)
    services = build_services(settings, _progress)
    return run_terminal_chat(services, sys.stdin, sys.stdout, user_id=args.user)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.app import build_services, configure_runtime, run_bot

    settings = _settings()
    if not settings.telegram_token:
        print(
            "Geen Telegram-token ingesteld. Zet WIJKWIJS_TELEGRAM_TOKEN in .env "
            "(zie .env.example) of probeer de bot zonder token met: wijkwijs chat",
            file=sys.stderr,
        )
        return 2
    configure_runtime(settings)
    services = build_services(settings, _progress)
    run_bot(settings, services)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.app import build_services, configure_runtime
    from bot.evaluation import evaluate, load_eval_questions

    settings = _settings()
    configure_runtime(settings)
    services = build_services(settings, _progress)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wijkwijs",
        description="Wijkwijs: cursusmaatje voor 'Aan de slag als Community Librarian'. "
        "Settings come from WIJKWIJS_* environment variables or .env (see .env.example).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="index knowledge/ (incremental; shows progress)")
    p.add_argument("--strict", action="store_true", help="exit non-zero when a file is invalid")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer one question with its sources")
    p.add_argument("question", help="the question, or '-' to read one question per line from stdin")
    p.add_argument("--json", action="store_true", help="print one JSON object per question")
    p.add_argument("--offline", action="store_true",
                   help="force the offline (extractive) answer even when an LLM is configured")
    p.add_argument("--user", type=int, default=0,
                   help="participant id whose follow-up context is used (default 0)")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="talk to the bot in the terminal (no Telegram token needed)")
    p.add_argument("--user", type=int, default=1, help="participant id to use (default 1)")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("run", help="start the Telegram bot (polling, or webhook when configured)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("eval", help="retrieval eval (hit@1, hit@3, MRR, out-of-scope) and "
                       "answer eval (key facts, noise, intents, refusals)")
    p.add_argument("file", nargs="?", default="tests/eval/questions.yaml")
    p.add_argument("--answers", default="tests/eval/answers.yaml",
                   help="answer eval set (skipped when the file does not exist)")
    p.add_argument("--intents", default="",
                   help="optional intent eval set: questions: [{text, intent}]")
    p.add_argument("--retrieval-only", action="store_true", help="skip the answer part")
    p.add_argument("--json", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    p.set_defaults(func=cmd_eval)

    from bot.roleplay.cli import add_oefen_parser

    add_oefen_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
