"""Schema migrations: the models and the Alembic revisions agree, and old databases upgrade."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.store import migrate
from bot.store.db import Base, Database


def _diff(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, Base.metadata))


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    db.upgrade()
    assert migrate.current_revision(db) == migrate.head_revision()
    assert _diff(db) == [], "models changed without a migration: add one in bot/store/migrations"
    db.close()


def test_upgrade_is_idempotent(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    assert migrate.upgrade(db)[0] is None
    before, after = migrate.upgrade(db)
    assert before == after == migrate.head_revision()
    db.close()


def test_first_release_database_is_stamped_then_upgraded(tmp_path: Path) -> None:
    """A database made by create_all (the first release) has no alembic_version table."""
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    first_release = {"assignment_answers", "course_dates", "metrics", "participants",
                     "processed_updates", "questions", "reminders", "roleplay_sessions",
                     "user_state"}  # later tables come from later migrations
    Base.metadata.create_all(db.engine, tables=[t for t in Base.metadata.sorted_tables
                                                if t.name in first_release])
    assert not inspect(db.engine).has_table("alembic_version")
    before, after = migrate.upgrade(db)
    assert before == migrate.BASELINE
    assert after == migrate.head_revision()
    db.close()


def test_history_lists_the_baseline() -> None:
    assert any(line.startswith(migrate.BASELINE) for line in migrate.history())


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
