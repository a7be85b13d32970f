"""Command line: ``wijkwijs ingest | ask | chat | run | eval | oefen``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
            cohort_id = None
            if args.cohort:
                from bot.store.cohorts import CohortStore

                cohort = CohortStore(db).by_name(args.cohort)
                if cohort is None:
                    print(texts_cohort_unknown(args.cohort, db), file=sys.stderr)
                    return 1
                cohort_id = cohort.id
            invite = store.new_invite(now, label=args.label or
                                      (f"groep {args.cohort}" if args.cohort else ""),
                                      valid_for=valid)
            if cohort_id is not None:
                CohortStore(db).attach_invite(invite.id, cohort_id)
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


def texts_cohort_unknown(name: str, db: Any) -> str:
    from bot.store.cohorts import CohortStore

    names = ", ".join(c.name for c in CohortStore(db).all())
    return f"Er is geen groep \"{name}\". Groepen: {names}. Maak er een met: wijkwijs groep nieuw"


def cmd_cohort(args: argparse.Namespace) -> int:
    """Cohorts (groepen): list, new NAME, trainer NAME ID, move USER NAME."""
    from bot.store.cohorts import CohortError, CohortStore
    from bot.store.db import Database

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.sqlalchemy_url)
    try:
        db.upgrade()
        store = CohortStore(db)
        action = {"nieuw": "new", "verplaats": "move"}.get(args.action, args.action)
        if action == "list":
            sizes = store.sizes()
            for c in store.all():
                trainers = ", ".join(map(str, store.trainers(c.id))) or "-"
                mark = " (standaard)" if c.is_default else ""
                print(f"{c.name}{mark}\t{sizes.get(c.id, 0)} deelnemers\ttrainers: {trainers}")
            return 0
        if action == "new":
            try:
                made = store.create(" ".join(args.name))
            except CohortError as exc:
                print(f"Kan de groep niet maken ({exc.kind}): {exc.name!r}", file=sys.stderr)
                return 1
            print(f"Groep \"{made.name}\" gemaakt. Uitnodiging: wijkwijs invite new "
                  f"--cohort \"{made.name}\"")
            return 0
        cohort = store.by_name(" ".join(args.name))
        if cohort is None:
            print(texts_cohort_unknown(" ".join(args.name), db), file=sys.stderr)
            return 1
        if action == "trainer":
            store.add_trainer(cohort.id, args.trainer_id)
            print(f"Trainer {args.trainer_id} hoort nu bij groep \"{cohort.name}\".")
            return 0
        person = store.find_participant(args.user)
        if person is None or not store.move(person.user_id, cohort.id):
            print(f"Geen deelnemer {args.user!r}.", file=sys.stderr)
            return 1
        print(f"Deelnemer {person.user_id} zit nu in groep \"{cohort.name}\".")
        return 0
    finally:
        db.close()


def add_cohort_parser(sub: Any) -> None:
    p = sub.add_parser("groep", aliases=["cohort"],
                       help="groepen (cohorten): bekijken, maken, trainer toewijzen, verplaatsen",
                       description="Elke groep heeft eigen lesdagen, uitnodigingen en trainers. "
                       "Een trainer (ADMIN_IDS) zonder groep ziet alle groepen.")
    act = p.add_subparsers(dest="action", required=True, metavar="ACTIE")
    act.add_parser("list", help="alle groepen met aantal deelnemers en trainers")
    q = act.add_parser("new", aliases=["nieuw"], help="een groep maken")
    q.add_argument("name", nargs="+", help="naam van de groep")
    q = act.add_parser("trainer", help="een trainer (Telegram-id uit ADMIN_IDS) aan een groep "
                       "toewijzen; die ziet daarna alleen zijn eigen groepen")
    q.add_argument("trainer_id", type=int, help="Telegram-id van de trainer")
    q.add_argument("name", nargs="+", help="naam van de groep")
    q = act.add_parser("move", aliases=["verplaats"], help="een deelnemer naar een groep")
    q.add_argument("user", help="Telegram-id of @gebruikersnaam")
    q.add_argument("name", nargs="+", help="naam van de groep")
    p.set_defaults(func=cmd_cohort)


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
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="één vraag beantwoorden, met bronnen")
    p.add_argument("question", help="de vraag, of '-' om vragen (één per regel) van stdin te lezen")
    p.add_argument("--json", action="store_true", help="één JSON-object per vraag afdrukken")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="met de bot praten in de terminal (geen Telegram-token nodig)")
    p.add_argument("--user", type=int, default=1, help="deelnemer-id om te gebruiken (standaard 1)")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("run",
                       help="de Telegram-bot starten (polling, of webhook als die ingesteld is)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("eval",
                       help="zoekkwaliteit meten: hit@1, hit@3, MRR, buiten-de-cursus-score")
    p.add_argument("file", nargs="?", default="tests/eval/questions.yaml",
                   help="de vragenset (standaard tests/eval/questions.yaml)")
    p.add_argument("--json", action="store_true", help="uitkomst als JSON")
    p.add_argument("-v", "--verbose", action="store_true", help="toon de missers")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("invite", help="uitnodigingscodes: new (code + t.me-link), list, revoke")
    invite = p.add_subparsers(dest="action", required=True, metavar="ACTIE")
    q = invite.add_parser("new", help="een code maken (128 willekeurige bits; alleen de hash "
                          "wordt bewaard)")
    q.add_argument("--days", type=float, default=0, help="zoveel dagen geldig (standaard: "
                   "verloopt niet)")
    q.add_argument("--label", default="", help="een notitie voor jezelf")
    q.add_argument("--cohort", default="", metavar="GROEP",
                   help="wie met deze code start, komt in deze groep (zie: wijkwijs groep list)")
    q.add_argument("--bot", default="",
                   help="gebruikersnaam van de bot voor de link (standaard: opgevraagd)")
    invite.add_parser("list", help="alle codes: nummer, status, gebruik, vervaldatum")
    q = invite.add_parser("revoke", help="een code intrekken")
    q.add_argument("id", type=int, help="nummer van de code (zie: wijkwijs invite list)")
    p.set_defaults(func=cmd_invite)
    add_cohort_parser(sub)

    from bot.roleplay.cli import add_oefen_parser

    add_oefen_parser(sub)
    _dutch(parser)
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
