"""Command line: ``wijkwijs ingest | ask | chat | run | eval | oefen | index | invite | db |
health``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot import texts
from bot.settings import Settings, SettingsError, StartupError, load_settings
from bot.store.permissions import private_dir


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
    _preflight(settings, database=False)
    configure_runtime(settings)
    private_dir(settings.data_dir)
    indexer = build_indexer(settings)
    _progress(f"Knowledge: {settings.knowledge_dir}  →  index: {settings.index_dir}")
    report = indexer.ingest(_progress)
    _progress(report.summary())
    if args.roleplay_cache:  # Docker build: the role-play example vectors too, in data_dir
        from bot.app import build_roleplay_engine

        engine = build_roleplay_engine(settings, indexer.embedder, _progress)
        _progress("Rollenspel-voorbeelden klaar" if engine else "Geen rollenspel-scenario's")
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
    _preflight(settings)
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
    _preflight(settings)
    configure_runtime(settings)
    services = build_services(settings, _progress)
    return run_terminal_chat(services, sys.stdin, sys.stdout, user_id=args.user)


def _is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def cmd_run(args: argparse.Namespace) -> int:
    from bot.app import build_services, configure_runtime, run_bot

    settings = _settings()
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
    _preflight(settings)
    from telegram.error import InvalidToken

    configure_runtime(settings)
    services = build_services(settings, _progress)
    try:
        run_bot(settings, services)
    except InvalidToken:
        print(texts.CLI_TOKEN_REJECTED, file=sys.stderr)
        return 2
    return 0


def _preflight(settings: Settings, *, database: bool = True) -> None:
    """Unreachable database or Chroma server: StartupError (one line, exit 3) before any work."""
    from bot.preflight import preflight

    preflight(settings, database=database)


def cmd_db(args: argparse.Namespace) -> int:
    """Operators: ``wijkwijs db upgrade | current | history``."""
    from bot.store import migrate
    from bot.store.db import Database

    if args.action == "history":
        print("\n".join(migrate.history()))
        return 0
    settings = _settings()
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

    settings = _settings()
    results = health(settings, bot_api=not args.no_bot_api)
    for name, error in results:
        print(f"{name}: {'ok' if error is None else error}")
    return 0 if all(error is None for _, error in results) else 1


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.app import build_services, configure_runtime
    from bot.evaluation import evaluate, load_eval_questions

    settings = _settings()
    _preflight(settings)
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


def _bot_username(settings: Settings) -> str:
    """The bot's @username from getMe, or "" when there is no token or Telegram is unreachable."""
    if not settings.telegram_token:
        return ""
    import asyncio

    from telegram import Bot
    from telegram.error import TelegramError

    async def get_me() -> str:
        async with Bot(settings.telegram_token, base_url=settings.bot_base_url,
                       base_file_url=settings.bot_base_file_url) as bot:
            return bot.username

    try:
        return asyncio.run(get_me())
    except (TelegramError, OSError) as exc:
        from bot.redact import redact

        print(redact(f"Kon de botnaam niet opvragen ({exc}); gebruik --bot NAAM."),
              file=sys.stderr)
        return ""


def cmd_invite(args: argparse.Namespace) -> int:
    """Invite codes: new (prints the code and the t.me link once), list, revoke."""
    import datetime as dt

    from bot.redact import install_redaction
    from bot.store.access import AccessStore
    from bot.store.db import Database

    settings = _settings()
    install_redaction(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.sqlalchemy_url)
    try:
        db.upgrade()
        store = AccessStore(db)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if args.action == "new":
            valid = dt.timedelta(days=args.days) if args.days else None
            invite = store.new_invite(now, label=args.label, valid_for=valid)
            name = args.bot or _bot_username(settings) or "<botnaam>"
            print(texts.CLI_INVITE_NEW.format(
                code=invite.code, link=f"https://t.me/{name.lstrip('@')}?start={invite.code}",
                expires=f"{invite.expires_at:%Y-%m-%d %H:%M} UTC" if invite.expires_at
                else texts.CLI_INVITE_NO_EXPIRY))
            if not (settings.invite_only or settings.invite_code or settings.allowed_user_ids):
                print(texts.CLI_INVITE_OPEN_BOT, file=sys.stderr)
        elif args.action == "list":
            for row in store.invites():
                state = ("ingetrokken" if row.revoked else "verlopen"
                         if row.expires_at is not None and row.expires_at <= now else "geldig")
                until = f"{row.expires_at:%Y-%m-%d %H:%M}" if row.expires_at else "-"
                print(f"{row.id}\t{state}\t{row.uses}x gebruikt\ttot {until}\t{row.label}")
        elif not store.revoke(args.id):
            print(f"Geen uitnodiging met nummer {args.id}.", file=sys.stderr)
            return 1
        return 0
    finally:
        db.close()


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
    p.add_argument("--roleplay-cache", action="store_true",
                   help="also embed the role-play examples into data_dir (image build)")
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
    p.add_argument("--chat-without-token", action="store_true",
                   help="no token and a terminal: start the terminal chat instead (make run)")
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

    p = sub.add_parser("invite", help="invite codes: new (code + t.me link), list, revoke")
    invite = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = invite.add_parser("new", help="make a code (128 random bits; stored only as a hash)")
    q.add_argument("--days", type=float, default=0, help="valid for this many days (default: "
                   "no expiry)")
    q.add_argument("--label", default="", help="a note for yourself, e.g. the cohort")
    q.add_argument("--bot", default="", help="the bot's username for the link (default: getMe)")
    invite.add_parser("list", help="all codes: number, state, uses, expiry")
    q = invite.add_parser("revoke", help="stop a code from working")
    q.add_argument("id", type=int)
    p.set_defaults(func=cmd_invite)

    p = sub.add_parser("db", help="database schema: upgrade | current | history (Alembic)")
    p.add_argument("action", choices=["upgrade", "current", "history"])
    p.add_argument("revision", nargs="?", default="head", help="upgrade target (default head)")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("health", help="check database, index and Bot API (exit 0 = healthy)")
    p.add_argument("--no-bot-api", action="store_true", help="skip the Bot API check")
    p.set_defaults(func=cmd_health)

    from bot.roleplay.cli import add_oefen_parser

    add_oefen_parser(sub)

    from bot.retrieval.cli import add_index_parser

    add_index_parser(sub)
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
