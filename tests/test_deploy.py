"""Deployment: `wijkwijs health` (the image's HEALTHCHECK), the Dockerfile and compose file."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.services import Services
from tests.conftest import ROOT, TOKEN
from tests.fakes.telegram_server import FakeTelegramServer
from tests.test_chroma_server import chroma_url  # noqa: F401 - fixture: a real Chroma server

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def health_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, data_dir: Path, db_url: str,
               api: str) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    for key, value in {"DATA_DIR": str(data_dir), "KNOWLEDGE_DIR": str(ROOT / "knowledge"),
                       "DATABASE_URL": db_url, "TELEGRAM_TOKEN": TOKEN,
                       "TELEGRAM_API_URL": api}.items():
        monkeypatch.setenv(f"WIJKWIJS_{key}", value)


async def test_health_is_ok_when_database_index_and_bot_api_are(
        base_services: Services, index_dir: Path, db_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, telegram: FakeTelegramServer,
        capsys: pytest.CaptureFixture[str]) -> None:
    health_env(monkeypatch, tmp_path, index_dir, db_url, telegram.api_root)
    assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0
    assert await asyncio.to_thread(main, ["health"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-3:] == ["database: ok", "index: ok", "bot-api: ok"]


def test_health_fails_on_each_missing_part(db_url: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Schema not migrated, no index, Bot API down: exit 1, one line per failing check."""
    health_env(monkeypatch, tmp_path, tmp_path / "empty", db_url, "http://127.0.0.1:1")
    assert main(["health"]) == 1
    lines = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    assert "wijkwijs db upgrade" in lines["database"]
    assert "wijkwijs ingest" in lines["index"]
    assert "WIJKWIJS_TELEGRAM_API_URL" in lines["bot-api"] and TOKEN not in lines["bot-api"]


def test_dockerfile_health_port_and_build_time_caches() -> None:
    assert re.search(r'^HEALTHCHECK .*\n?.*CMD \["wijkwijs", "health"\]', DOCKERFILE, re.M)
    assert "RUN wijkwijs ingest --strict --roleplay-cache" in DOCKERFILE
    assert "EXPOSE 8443" in DOCKERFILE
    assert "torch" not in DOCKERFILE.split("FROM python:3.11-slim AS runtime")[1]


def test_compose_waits_for_healthy_servers_and_runs_a_webhook() -> None:
    bot = COMPOSE["services"]["bot"]
    assert bot["depends_on"] == {"chroma": {"condition": "service_healthy"},
                                 "postgres": {"condition": "service_healthy"}}
    env = bot["environment"]
    assert env["WIJKWIJS_WEBHOOK_URL"].startswith("${WIJKWIJS_WEBHOOK_URL:?")
    assert f"{env['WIJKWIJS_WEBHOOK_PORT']}:{env['WIJKWIJS_WEBHOOK_PORT']}" in bot["ports"]
    assert env["WIJKWIJS_CHROMA_URL"] == "http://chroma:8000"


def _chroma_probe(url: str) -> int:
    """Run the compose file's Chroma healthcheck (as Docker would, $$ -> $) against ``url``."""
    test = COMPOSE["services"]["chroma"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "/bin/bash", "-c"]
    script = test[3].replace("$$", "$").replace("127.0.0.1/8000", url.split("//")[1]
                                                   .replace(":", "/"))
    return subprocess.run(["/bin/bash", "-c", script], timeout=30).returncode


def test_compose_chroma_healthcheck_against_a_real_server(chroma_url: str) -> None:  # noqa: F811
    assert _chroma_probe(chroma_url) == 0
    assert _chroma_probe("http://127.0.0.1:1") != 0
