"""``wijkwijs invite`` (invite codes) and ``wijkwijs groep`` (cohorts): access for operators."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot import texts
from bot.cli_common import load_settings
from bot.settings import Settings


def add_access_parsers(sub: Any) -> None:
    """The ``invite`` and ``groep`` subcommands, in this order."""
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

    settings = load_settings()
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

    settings = load_settings()
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
