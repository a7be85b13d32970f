"""Issue 18: `make run` without a token opens the terminal chat on a terminal; `wijkwijs run`
stays strict. Driven under a pseudo-terminal, as a newcomer's shell would run it."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot import texts
from bot.services import Services
from tests.conftest import ROOT

RUN_FROM_MAKE = ["run", "--chat-without-token"]  # what `make run` executes (see Makefile)


def env_for(data_dir: Path, db_url: str = "") -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1",
           "TERM": "dumb", "WIJKWIJS_DATA_DIR": str(data_dir),
           "WIJKWIJS_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
           "WIJKWIJS_PROMPTS_DIR": str(ROOT / "prompts"), "WIJKWIJS_LOG_LEVEL": "WARNING"}
    if db_url:
        env["WIJKWIJS_DATABASE_URL"] = db_url
    return env


class Terminal:
    """`wijkwijs …` with a pseudo-terminal as its controlling terminal."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # pragma: no cover - the child
            # As on a real terminal: a test run started in the background (where the shell
            # ignores SIGINT, and Python keeps it ignored) must not make Ctrl-C a no-op.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.chdir(cwd)
            os.execve(sys.executable, [sys.executable, "-m", "bot.cli", *args], env)
        self.pid, self.fd, self.output, self.closed = pid, fd, "", False

    def _read(self, timeout: float) -> None:
        if self.closed or not select.select([self.fd], [], [], timeout)[0]:
            return
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        if not chunk:
            self.closed = True
        self.output += chunk.decode("utf-8", "replace").replace("\r\n", "\n")

    def expect(self, needle: str, count: int = 1, timeout: float = 240) -> str:
        deadline = time.monotonic() + timeout
        while self.output.count(needle) < count:
            left = deadline - time.monotonic()
            assert left > 0 and not self.closed, f"{needle!r} not seen:\n{self.output}"
            self._read(min(left, 1.0))
        return self.output

    def send(self, data: str) -> None:
        os.write(self.fd, data.encode())

    def finish(self, timeout: float = 60) -> int:
        """Read until the child closes the terminal; its exit status."""
        deadline = time.monotonic() + timeout
        while not self.closed and time.monotonic() < deadline:
            self._read(1.0)
        if not self.closed:  # still running: stop it rather than wait forever
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            os.close(self.fd)
            raise AssertionError(f"still running after {timeout:.0f} s:\n{self.output}")
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def test_make_run_without_token_chats_and_ctrl_c_leaves_cleanly(
        base_services: Services, index_dir: Path, db_url: str, tmp_path: Path) -> None:
    term = Terminal(RUN_FROM_MAKE, env_for(index_dir, db_url), tmp_path)
    out = term.expect("jij> ")
    assert texts.RUN_CHAT_WITHOUT_TOKEN in out
    assert "WIJKWIJS_TELEGRAM_TOKEN" in out and "cp .env.example .env" in out
    for first_things in ("/oefenen", "/opdrachten", "/help", "een vraag"):
        assert first_things in out
    term.send("wat is een wijkschouw\n")
    out = term.expect("Bronnen:")
    answer = out.split("wat is een wijkschouw", 1)[1]  # after the echoed question
    assert "bot> " in answer and "wijkschouw" in answer.lower()
    term.expect("jij> ", count=2)
    term.send("\x03")  # Ctrl-C
    assert term.finish() == 0
    assert texts.TERMINAL_BYE in term.output
    assert "Traceback" not in term.output and "KeyboardInterrupt" not in term.output


def test_make_run_without_token_ctrl_d_and_exit(base_services: Services, index_dir: Path,
                                                db_url: str, tmp_path: Path) -> None:
    term = Terminal(RUN_FROM_MAKE, env_for(index_dir, db_url), tmp_path)
    term.expect("jij> ")
    term.send("/help\n")
    shown = term.expect("jij> ", count=2)
    assert shown.count("Probeer eerst") == 1  # the welcome; /help lists the commands
    assert texts.TERMINAL_HELP_HEADER in shown and "/oefenen" in shown.split("/help", 1)[1]
    term.send("\x04")  # Ctrl-D
    assert term.finish() == 0
    assert term.output.rstrip().endswith(texts.TERMINAL_BYE)
    assert "Traceback" not in term.output


def test_wijkwijs_run_stays_strict_even_on_a_terminal(tmp_path: Path) -> None:
    term = Terminal(["run"], env_for(tmp_path / "data"), tmp_path)
    assert term.finish() == 2
    assert "Geen Telegram-token ingesteld" in term.output and "jij>" not in term.output


def test_make_run_without_a_terminal_behaves_like_wijkwijs_run(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bot.cli", *RUN_FROM_MAKE],
                          env=env_for(tmp_path / "data"), cwd=tmp_path, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "Geen Telegram-token ingesteld" in done.stderr and "jij>" not in done.stdout


def test_started_outside_the_project_says_where_the_material_is(tmp_path: Path) -> None:
    env = env_for(tmp_path / "data")
    del env["WIJKWIJS_KNOWLEDGE_DIR"]  # the default, ./knowledge, is not here
    done = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "wat is een wijkschouw"],
                          env=env, cwd=tmp_path, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3
    assert "Cursusmateriaal niet gevonden" in done.stderr
    assert "WIJKWIJS_KNOWLEDGE_DIR" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data").exists()  # nothing created before the check
