"""Store robustness: control characters, reconnects, an unreachable database at start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.sanitize import clean_text
from bot.store.db import Database, DatabaseUnavailable, QuestionLog, UserState
from bot.store.participants import ParticipantStore
from tests.conftest import ROOT
from tests.pgtest import MakeDb

DIRTY = "Hoi\x00 wat\x07 is\x1b[31m een\x7f pitch?\tNieuwe\nregel\r"
CLEAN = "Hoi wat is[31m een pitch?\tNieuwe\nregel\r"


def test_clean_text_keeps_tab_newline_and_carriage_return() -> None:
    assert clean_text(DIRTY) == CLEAN
    assert clean_text("Çelik 't Hooft – 🎭") == "Çelik 't Hooft – 🎭"


def test_control_characters_are_stripped_from_everything_stored(make_db: MakeDb) -> None:
    """PostgreSQL rejects NUL in text (DataError): without the cleaning this fails there."""
    db = make_db()
    store = ParticipantStore(db)
    store.touch(7, 7, first_name="An\x00na", username="an\x1bna")
    qid = store.log_question(7, DIRTY, "Antwoord\x00", grounded=False, sources=[])
    store.set_state(7, "history", [[DIRTY, {"a\x00": "b\x00"}]])
    with db.engine.begin() as conn:  # Core statements pass the same single place
        conn.execute(insert(QuestionLog).values(user_id=8, question="x\x00y", answer="",
                                                grounded=False, sources=[]))
    participant = store.get(7)
    assert participant is not None and (participant.first_name, participant.username) == (
        "Anna", "anna")
    logged = store.question(qid)
    assert logged is not None and (logged.question, logged.answer) == (CLEAN, "Antwoord")
    assert store.get_state(7, "history") == [[CLEAN, {"a": "b"}]]
    with db.session() as s:
        assert s.scalars(select(QuestionLog.question).where(QuestionLog.user_id == 8)).one() == "xy"
        assert s.get(UserState, (7, "history")) is not None


def test_engine_pings_before_reusing_a_connection(make_db: MakeDb) -> None:
    db = make_db()
    assert db.engine.pool._pre_ping is True  # a restarted database costs no failed query
    with db.engine.connect() as conn:  # a connection killed under the pool is replaced
        conn.connection.dbapi_connection.close()  # type: ignore[union-attr]
        conn.invalidate()
    with db.session() as s:
        assert s.scalars(select(UserState)).all() == []


def test_unreachable_database_is_one_line_naming_the_setting() -> None:
    db = Database("postgresql+psycopg://wijkwijs:geheim@127.0.0.1:1/wijkwijs?connect_timeout=2")
    with pytest.raises(DatabaseUnavailable) as err:
        db.upgrade()
    message = str(err.value)
    assert "WIJKWIJS_DATABASE_URL" in message and "\n" not in message
    assert "geheim" not in message  # never a password in a message or log
    db.close()


@pytest.mark.parametrize(
    ("setting", "value", "command"),
    [
        ("WIJKWIJS_DATABASE_URL", "postgresql+psycopg://w:geheim@127.0.0.1:1/w?connect_timeout=2",
         "run"),
        ("WIJKWIJS_DATABASE_URL", "postgresql+psycopg://w:geheim@127.0.0.1:1/w?connect_timeout=2",
         "chat"),
        ("WIJKWIJS_CHROMA_URL", "http://127.0.0.1:1", "run"),
        ("WIJKWIJS_CHROMA_URL", "http://127.0.0.1:1", "ingest"),
    ],
)
def test_cli_exits_with_one_line_when_a_server_is_unreachable(tmp_path: Path, setting: str,
                                                             value: str, command: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT),
           "WIJKWIJS_DATA_DIR": str(tmp_path), "WIJKWIJS_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
           "WIJKWIJS_TELEGRAM_TOKEN": "123:ABC", setting: value}
    done = subprocess.run([sys.executable, "-m", "bot.cli", command], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and setting in lines[0] and "niet bereikbaar" in lines[0], lines
    assert "Traceback" not in done.stderr and "geheim" not in done.stderr
