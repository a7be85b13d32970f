"""Schema migrations: the models and the Alembic revisions agree, and old databases upgrade.

Every test here runs on SQLite and (``WIJKWIJS_TEST_DATABASE_URL``) on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from bot.store import migrate
from bot.store.db import (
    AssignmentAnswer,
    Base,
    Database,
    Participant,
    QuestionLog,
    Reminder,
    RoleplayRecord,
    UserState,
)
from bot.store.participants import ParticipantStore
from tests.pgtest import MakeDb

RELEASE_0001 = Path(__file__).parent / "fixtures" / "release_0001"
RELEASE_0001_TABLES = ("participants", "questions", "user_state", "assignment_answers",
                       "reminders", "roleplay_sessions", "course_dates", "processed_updates",
                       "metrics")


def _diff(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, Base.metadata))


def load_release_0001(db: Database, *, with_alembic: bool = False) -> None:
    """Create the first release's schema from the SQL fixture and fill it with its rows."""
    dialect = db.engine.dialect.name
    script = (RELEASE_0001 / f"schema.{dialect}.sql").read_text(encoding="utf-8")
    script += "\n" + (RELEASE_0001 / "data.sql").read_text(encoding="utf-8")
    if with_alembic:  # a database already under Alembic, at the baseline revision
        script += ("\nCREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);"
                   f"\nINSERT INTO alembic_version (version_num) VALUES ('{migrate.BASELINE}');")
    with db.engine.begin() as conn:
        for statement in script.split(";\n"):
            lines = [ln for ln in statement.splitlines() if not ln.lstrip().startswith("--")]
            if "".join(lines).strip():
                conn.exec_driver_sql("\n".join(lines).rstrip().rstrip(";"))


DROPPED = {"processed_updates": "reliability_1", "metrics": "state_1"}
"""First-release tables a later migration removes on purpose (with the revision that does it):
processed_updates held only idempotency marks, replaced by the update inbox; metrics was never
read by anything (its model was dead code)."""


def row_counts(db: Database) -> dict[str, int]:
    """Rows per first-release table that still exists."""
    with db.engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                for t in RELEASE_0001_TABLES if t in present}


def test_models_and_migrations_agree(make_db: MakeDb) -> None:
    db = make_db()
    assert migrate.current_revision(db) == migrate.head_revision()
    assert _diff(db) == [], "models changed without a migration: add one in bot/store/migrations"


def test_upgrade_is_idempotent(make_db: MakeDb) -> None:
    db = make_db(upgrade=False)
    assert migrate.upgrade(db)[0] is None
    before, after = migrate.upgrade(db)
    assert before == after == migrate.head_revision()


@pytest.mark.parametrize("with_alembic", [False, True], ids=["create_all", "alembic-0001"])
def test_previous_release_database_upgrades_without_losing_a_row(make_db: MakeDb,
                                                                 with_alembic: bool) -> None:
    db = make_db(upgrade=False)
    load_release_0001(db, with_alembic=with_alembic)
    assert inspect(db.engine).has_table("alembic_version") is with_alembic
    counts = row_counts(db)
    assert counts["participants"] == 3 and counts["roleplay_sessions"] == 2

    before, after = migrate.upgrade(db)
    assert before == migrate.BASELINE
    assert after == migrate.head_revision()
    kept = {t: n for t, n in counts.items() if t not in DROPPED}
    assert row_counts(db) == kept
    assert _diff(db) == []

    # Every kind of row is still readable through today's models, values intact.
    celik = ParticipantStore(db).get(1003)
    assert celik is not None
    assert (celik.first_name, celik.chat_id, celik.blocked) == ("Çelik 't Hooft", None, True)
    with db.session() as s:
        grounded = s.scalars(select(QuestionLog).where(QuestionLog.user_id == 1001)).one()
        assert grounded.sources[0]["title"] == "De rol" and grounded.rating == 1
        assert s.get(UserState, (1002, "awaiting")).value["item"] == "doel"  # type: ignore[union-attr]
        keuze = s.get(AssignmentAnswer, (1001, 3, "keuze"))
        assert keuze is not None and keuze.text == "Welzijn Noord\nBasisschool De Linde"
        reminder = s.get(Reminder, 1001)
        assert reminder is not None and reminder.last_sent == dt.date(2026, 11, 20)
        ended = s.scalars(select(RoleplayRecord).where(RoleplayRecord.status == "agreement")).one()
        assert ended.feedback == {"summary": "Goed geluisterd.", "techniques": {"lsd": 2}}
        assert ended.ended_at == dt.datetime(2026, 10, 1, 14, 12)
        # state_1: one time zone (the reminder's moved onto its participant), the role-play
        # status only in its column.
        zones = {u: tz for u, tz in s.execute(select(Participant.user_id, Participant.timezone))}
        assert zones == {1001: "Europe/Amsterdam", 1002: "Europe/Brussels",
                         1003: "America/Curacao"}
        assert "timezone" not in {c["name"] for c in inspect(s.connection()).get_columns(
            "reminders")}
        assert all("status" not in (r.state or {}) for r in s.scalars(select(RoleplayRecord)))
        # New rows get ids after the old ones (PostgreSQL sequences survived).
        s.add(QuestionLog(user_id=1001, question="Nog een vraag", answer="-", grounded=False))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(QuestionLog)) == counts["questions"] + 1


def _upgrade_in_a_process(url: str, start: Any, results: Any) -> None:
    db = Database(url)
    start.wait(timeout=60)
    try:
        results.put(migrate.upgrade(db))
    except Exception as exc:  # reported to the test, which fails on it
        results.put(("error", repr(exc)))
    finally:
        db.close()


def test_replicas_starting_at_once_upgrade_exactly_once(db_url: str) -> None:
    """N processes upgrade the same empty database at the same moment: one migrates, the
    others wait for the lock and find the schema current; none fails."""
    n = 4
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(n)
    results = ctx.Queue()
    procs = [ctx.Process(target=_upgrade_in_a_process, args=(db_url, start, results))
             for _ in range(n)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    head = migrate.head_revision()
    assert sorted(outcomes, key=str) == sorted([(None, head)] + [(head, head)] * (n - 1), key=str)
    db = Database(db_url)
    with db.engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert versions == [head]
    db.close()


def test_history_lists_the_baseline() -> None:
    assert any(line.startswith(migrate.BASELINE) for line in migrate.history())


def test_operator_commands(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    """`wijkwijs db current | upgrade | history` on a previous-release database."""
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("WIJKWIJS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WIJKWIJS_DATABASE_URL", db_url)
    db = Database(db_url)
    load_release_0001(db, with_alembic=True)
    head = migrate.head_revision()
    assert main(["db", "current"]) == (0 if head == migrate.BASELINE else 1)
    assert capsys.readouterr().out.startswith(migrate.BASELINE)
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{head} (head)"
    assert main(["db", "history"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"{migrate.BASELINE}  (-)")
    assert row_counts(db)["participants"] == 3
    db.close()


def test_cohorts_migration_puts_everything_in_the_default_cohort(tmp_path: Path) -> None:
    """A database at the revision before cohorts, with participants, lesdagen and an invite
    code, upgrades into one default cohort with nothing lost."""
    from sqlalchemy import text

    db = Database(f"sqlite:///{tmp_path / 'pre.db'}")
    migrate.upgrade(db, "security_1")
    with db.engine.begin() as conn:
        for uid, name in ((11, "Anna"), (12, "Bert")):
            conn.execute(text(
                "INSERT INTO participants (user_id, chat_id, first_name, username, authorized, "
                "refused_notice, timezone, blocked, joined_at, last_seen) VALUES "
                "(:u, :u, :n, '', 1, 0, '', 0, '2027-01-01', '2027-01-02')"), {"u": uid, "n": name})
        for n, day in ((1, "2027-01-12"), (2, "2027-01-26"), (3, "2027-02-09")):
            conn.execute(text("INSERT INTO course_dates (lesdag, date) VALUES (:n, :d)"),
                         {"n": n, "d": day})
        conn.execute(text("INSERT INTO invite_codes (code_hash, label, created_at, uses, revoked)"
                          " VALUES ('abc', 'oud', '2027-01-01', 2, 0)"))
    before, after = migrate.upgrade(db)
    assert (before, after) == ("security_1", migrate.head_revision())
    with db.engine.connect() as conn:
        cohorts = conn.execute(text("SELECT id, name, is_default FROM cohorts")).all()
        assert [(c[1], bool(c[2])) for c in cohorts] == [("Standaard", True)]
        default = cohorts[0][0]
        people = conn.execute(text(
            "SELECT user_id, first_name, cohort_id FROM participants ORDER BY user_id")).all()
        assert [tuple(p) for p in people] == [(11, "Anna", default), (12, "Bert", default)]
        dates = conn.execute(text(
            "SELECT cohort_id, lesdag, date FROM course_dates ORDER BY lesdag")).all()
        assert [tuple(d) for d in dates] == [(default, 1, "2027-01-12"), (default, 2, "2027-01-26"),
                                             (default, 3, "2027-02-09")]
        invite = conn.execute(text("SELECT label, uses, cohort_id FROM invite_codes")).one()
        assert tuple(invite) == ("oud", 2, None)
    assert _diff(db) == []
    db.close()


def test_state_migration_keeps_one_truth_without_losing_a_row(make_db: MakeDb) -> None:
    """quiz_1 -> state_1: each reminder's time zone moves onto its participant (one is created
    for a reminder without one), the role-play status leaves the JSON for its column, and a
    session the column called active while its JSON had ended is ended. Every row stays."""
    db = make_db(upgrade=False)
    migrate.upgrade(db, "quiz_1")
    people = [(21, "", False), (22, "Europe/Brussels", True), (23, "America/Curacao", False)]
    with db.engine.begin() as conn:
        for uid, tz, blocked in people:
            conn.execute(text(
                "INSERT INTO participants (user_id, chat_id, first_name, username, authorized, "
                "refused_notice, timezone, blocked, joined_at, last_seen, library) VALUES "
                "(:u, :u, 'P', '', :t, :f, :tz, :b, '2027-01-01', '2027-01-02', '')"),
                {"u": uid, "tz": tz, "b": blocked, "t": True, "f": False})
        for uid, tz, enabled in ((21, "Europe/London", True), (22, "Europe/Brussels", False),
                                 (24, "Asia/Tokyo", True)):  # 24: no participant row
            conn.execute(text(
                "INSERT INTO reminders (user_id, chat_id, time, days, enabled, paused, timezone,"
                " last_sent) VALUES (:u, :u, '19:30', 'daily', :e, :p, :tz, NULL)"),
                {"u": uid, "tz": tz, "e": enabled, "p": False})
        for uid, status, inner in ((21, "active", "active"), (22, "active", "agreement"),
                                   (23, "stopped", "stopped")):
            state = json.dumps({"id": f"s{uid}", "scenario_id": "x", "resistance": 50,
                                "status": inner, "turns": 3})
            conn.execute(text(
                "INSERT INTO roleplay_sessions (user_id, scenario_id, status, state, "
                "started_at) VALUES (:u, 'x', :s, :j, '2027-01-03')"),
                {"u": uid, "s": status, "j": state})
    counts = {t: _count(db, t) for t in ("participants", "reminders", "roleplay_sessions")}

    assert migrate.upgrade(db) == ("quiz_1", migrate.head_revision())
    assert _diff(db) == []
    assert {t: _count(db, t) for t in counts} == {**counts, "participants": 4}
    with db.session() as s:
        zones = {p.user_id: (p.timezone, p.blocked, p.first_name)
                 for p in s.scalars(select(Participant))}
        assert zones == {21: ("Europe/London", False, "P"), 22: ("Europe/Brussels", True, "P"),
                         23: ("America/Curacao", False, "P"), 24: ("Asia/Tokyo", False, "")}
        enabled = {r.user_id: r.enabled for r in s.scalars(select(Reminder))}
        assert enabled == {21: True, 22: False, 24: True}  # the participant's own choice kept
        sessions = {r.user_id: (r.status, r.state) for r in s.scalars(select(RoleplayRecord))}
    assert {u: st for u, (st, _) in sessions.items()} == {21: "active", 22: "agreement",
                                                          23: "stopped"}
    for uid, (_, state) in sessions.items():
        assert state == {"id": f"s{uid}", "scenario_id": "x", "resistance": 50, "turns": 3}

    # And back: the time zone returns to the reminders, the status into the JSON.
    with db.engine.connect() as conn:
        command.downgrade(migrate.alembic_config(conn), "quiz_1")
        conn.commit()
    with db.engine.connect() as conn:
        back = dict(conn.execute(text("SELECT user_id, timezone FROM reminders")).all())
        assert back == {21: "Europe/London", 22: "Europe/Brussels", 24: "Asia/Tokyo"}
        states = [json.loads(v) if isinstance(v, str) else v for v in conn.execute(
            text("SELECT state FROM roleplay_sessions ORDER BY user_id")).scalars()]
        assert [st["status"] for st in states] == ["active", "agreement", "stopped"]


def _count(db: Database, table: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
