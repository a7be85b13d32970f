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
                     "user_state"}  # the tables of revision 0001; later tables come by migration
    Base.metadata.create_all(db.engine, tables=[t for t in Base.metadata.sorted_tables
                                                if t.name in first_release])
    assert not inspect(db.engine).has_table("alembic_version")
    before, after = migrate.upgrade(db)
    assert before == migrate.BASELINE
    assert after == migrate.head_revision()
    db.close()


def test_history_lists_the_baseline() -> None:
    assert any(line.startswith(migrate.BASELINE) for line in migrate.history())
