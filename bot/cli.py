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
from bot.settings import Settings, StartupError, settings_or_exit
from bot.store.permissions import private_dir


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _settings() -> Settings:
    return settings_or_exit()


def cmd_ingest(args: argparse.Namespace) -> int:
    from bot.services import build_indexer, configure_runtime

    settings = _settings()
    _preflight(settings, database=False)
    configure_runtime(settings)
    private_dir(settings.data_dir)
    indexer = build_indexer(settings)
    _progress(f"Knowledge: {settings.knowledge_dir}  →  index: {settings.index_dir}")
    report = indexer.ingest(_progress)
    _progress(report.summary())
    if args.roleplay_cache:  # Docker build: the role-play example vectors too, in data_dir
        from bot.services import build_roleplay_engine

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
    from bot.services import build_services, configure_runtime

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
    from bot.services import build_services, configure_runtime

    settings = _settings()
    _preflight(settings)
    configure_runtime(settings)
    services = build_services(settings, _progress)
    return run_terminal_chat(services, sys.stdin, sys.stdout, user_id=args.user)


def _is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def cmd_run(args: argparse.Namespace) -> int:
    from bot.services import build_services, configure_runtime
    from bot.telegram.application import run_bot

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
    from bot.evaluation import evaluate, load_eval_questions
    from bot.services import build_services, configure_runtime

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

    p = sub.add_parser("db", help="databaseschema: upgrade | current | history (Alembic)")
    p.add_argument("action", choices=["upgrade", "current", "history"])
    p.add_argument("revision", nargs="?", default="head",
                   help="doelversie voor upgrade (standaard head)")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("health", help="database, index en Bot API controleren (0 = gezond)")
    p.add_argument("--no-bot-api", action="store_true", help="de Bot API niet controleren")
    p.set_defaults(func=cmd_health)

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
