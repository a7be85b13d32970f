"""Command line: ``wijkwijs ingest | ask | chat | run | eval | oefen | index | invite | groep | db |
health``.

This module has the entry point (`main`, `build_parser`) and the subcommands that start the bot
or answer questions; the others live with their group: `bot.cli_access` (invite, groep),
`bot.cli_ops` (eval, db, health), `bot.roleplay.cli` (oefen), `bot.retrieval.cli` (index).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from bot import texts
from bot.cli_common import load_settings, preflight, progress
from bot.settings import StartupError
from bot.store.permissions import private_dir


def cmd_ingest(args: argparse.Namespace) -> int:
    from bot.services import build_indexer, configure_runtime

    settings = load_settings()
    preflight(settings, database=False)
    configure_runtime(settings)
    private_dir(settings.data_dir)
    indexer = build_indexer(settings)
    progress(f"Knowledge: {settings.knowledge_dir}  →  index: {settings.index_dir}")
    report = indexer.ingest(progress)
    progress(report.summary())
    if args.roleplay_cache:  # Docker build: the role-play example vectors too, in data_dir
        from bot.services import build_roleplay_engine

        engine = build_roleplay_engine(settings, indexer.embedder, progress)
        progress("Rollenspel-voorbeelden klaar" if engine else "Geen rollenspel-scenario's")
    if args.strict and (report.errors or report.key_errors):
        for err in [*report.errors, *report.key_errors]:
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
    from bot.services import build_services, configure_runtime

    settings = load_settings()
    if args.offline:
        settings = settings.model_copy(update={"llm_provider": "none"})
    preflight(settings)
    configure_runtime(settings)
    services = build_services(settings, progress)
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
    from bot.services import build_services, configure_runtime

    settings = load_settings()
    preflight(settings)
    configure_runtime(settings)
    services = build_services(settings, progress)
    return run_terminal_chat(services, sys.stdin, sys.stdout, user_id=args.user)


def _is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def cmd_run(args: argparse.Namespace) -> int:
    from bot.services import build_services, configure_runtime
    from bot.telegram.application import run_bot

    settings = load_settings()
    if not settings.telegram_token and args.chat_without_token and _is_terminal():
        # `make run` on a fresh machine: talk in the terminal instead of stopping (issue 18).
        print(texts.RUN_CHAT_WITHOUT_TOKEN, file=sys.stderr, flush=True)
        return cmd_chat(argparse.Namespace(user=1))
    if not settings.telegram_token:
        print(
            "Geen Telegram-token ingesteld. Zet WIJKWIJS_TELEGRAM_TOKEN in .env "
            "(zie .env.example) of probeer de bot zonder token met: wijkwijs chat",
            file=sys.stderr,
        )
        return 2
    preflight(settings)
    from telegram.error import InvalidToken

    configure_runtime(settings)
    services = build_services(settings, progress)
    try:
        run_bot(settings, services)
    except InvalidToken:
        print(texts.CLI_TOKEN_REJECTED, file=sys.stderr)
        return 2
    return 0


class DutchHelpFormatter(argparse.HelpFormatter):
    """argparse's own words in Dutch ("gebruik:" instead of "usage:")."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any,
                  prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "gebruik: " if prefix is None else prefix)


def _dutch(parser: argparse.ArgumentParser) -> None:
    """Dutch section titles and -h text for a parser and all its subparsers (trainers read
    `wijkwijs --help`); the option names stay the same."""
    parser.formatter_class = DutchHelpFormatter
    parser._positionals.title = "argumenten"
    parser._optionals.title = "opties"
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = "toon deze hulp en stop"
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                _dutch(child)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wijkwijs",
        description="Wijkwijs: cursusmaatje voor 'Aan de slag als Community Librarian'. "
        "Instellingen komen uit WIJKWIJS_*-omgevingsvariabelen of .env (zie .env.example).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="OPDRACHT",
                                title="opdrachten")

    p = sub.add_parser("ingest",
                       help="knowledge/ indexeren (alleen wat veranderd is; toont voortgang)")
    p.add_argument("--strict", action="store_true",
                   help="stop met een foutcode als een bestand ongeldig is")
    p.add_argument("--roleplay-cache", action="store_true",
                   help="ook de rollenspelvoorbeelden vooraf inbedden (bij het bouwen van de "
                   "image)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="één vraag beantwoorden, met bronnen")
    p.add_argument("question", help="de vraag, of '-' om vragen (één per regel) van stdin te lezen")
    p.add_argument("--json", action="store_true", help="één JSON-object per vraag afdrukken")
    p.add_argument("--offline", action="store_true",
                   help="altijd het offline antwoord, ook als er een LLM is ingesteld")
    p.add_argument("--user", type=int, default=0,
                   help="deelnemer-id voor vervolgvragen (standaard 0)")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="met de bot praten in de terminal (geen Telegram-token nodig)")
    p.add_argument("--user", type=int, default=1, help="deelnemer-id om te gebruiken (standaard 1)")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("run",
                       help="de Telegram-bot starten (polling, of webhook als die ingesteld is)")
    p.add_argument("--chat-without-token", action="store_true",
                   help="geen token en een terminal: start de terminalchat (make run)")
    p.set_defaults(func=cmd_run)

    from bot.cli_access import add_access_parsers
    from bot.cli_ops import add_eval_parser, add_ops_parsers

    add_eval_parser(sub)
    add_access_parsers(sub)
    add_ops_parsers(sub)

    from bot.roleplay.cli import add_oefen_parser

    add_oefen_parser(sub)

    from bot.retrieval.cli import add_index_parser

    add_index_parser(sub)
    _dutch(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from bot.store.permissions import private_umask

    private_umask()  # data, caches and locks this process creates: owner only
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except StartupError as exc:
        print(str(exc), file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the traceback and one line for the operator, both redacted
        import traceback

        from bot.redact import redact

        sys.stderr.write(redact(traceback.format_exc()))
        print(redact(f"Fout: {type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
