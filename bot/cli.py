"""Command line: ``wijkwijs ingest | ask | chat | run | eval | oefen``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import texts
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
    from bot.answering.service import Answer

    assert isinstance(answer, Answer)
    lines = [answer.answer]
    if answer.sources:
        lines.append("")
        lines.append(f"{texts.SOURCES_HEADER}:")
        for i, s in enumerate(answer.sources, 1):
            lines.append(f"  [{i}] {s.title} ({s.topic_label}, {texts.KIND_LABELS[s.kind]}) "
                         f"– {s.path}")
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.answering.service import UserFacingError
    from bot.app import build_services, configure_runtime

    settings = _settings()
    configure_runtime(settings)
    services = build_services(settings, _progress)
    if args.question == "-":
        questions = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    else:
        questions = [args.question]
    status = 0
    for question in questions:
        try:
            answer = services.answers.ask(question)
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
    from telegram.error import InvalidToken

    configure_runtime(settings)
    services = build_services(settings, _progress)
    try:
        run_bot(settings, services)
    except InvalidToken:
        print(texts.CLI_TOKEN_REJECTED, file=sys.stderr)
        return 2
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.app import build_services, configure_runtime
    from bot.evaluation import evaluate, load_eval_questions

    settings = _settings()
    configure_runtime(settings)
    services = build_services(settings, _progress)
    questions = load_eval_questions(Path(args.file))
    report = evaluate(services.answers, questions)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.render(verbose=args.verbose))
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
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="talk to the bot in the terminal (no Telegram token needed)")
    p.add_argument("--user", type=int, default=1, help="participant id to use (default 1)")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("run", help="start the Telegram bot (polling, or webhook when configured)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("eval", help="retrieval eval: hit@1, hit@3, MRR, out-of-scope accuracy")
    p.add_argument("file", nargs="?", default="tests/eval/questions.yaml")
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
    except Exception as exc:  # the traceback and one line for the operator, both redacted
        import traceback

        from bot.redact import redact

        sys.stderr.write(redact(traceback.format_exc()))
        print(redact(f"Fout: {type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
