"""What the stores hand out: frozen dataclasses with the columns of a row, never the ORM row
itself, so no adapter can lazy-load, mutate or re-attach database state by accident. Field
names are the column names, so reading code is the same as for the rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, TypeVar

from bot.store import db

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Participant:
    user_id: int
    chat_id: int | None
    first_name: str
    username: str
    authorized: bool
    refused_notice: bool
    timezone: str
    blocked: bool
    joined_at: dt.datetime
    last_seen: dt.datetime
    library: str
    cohort_id: int | None


@dataclasses.dataclass(frozen=True)
class Question:
    id: int
    user_id: int
    question: str
    answer: str
    grounded: bool
    sources: list[dict[str, Any]]
    rating: int | None
    created_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class Cohort:
    id: int
    name: str
    is_default: bool
    created_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class InviteCode:
    id: int
    code_hash: str
    label: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    uses: int
    revoked: bool
    cohort_id: int | None


def plain(cls: type[T], row: db.Base) -> T:
    """The record ``cls`` of ``row`` (read inside its session: every field is a column)."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    return cls(**{name: getattr(row, name) for name in names})


def participant(row: db.Participant) -> Participant:
    return plain(Participant, row)


def question(row: db.QuestionLog) -> Question:
    return plain(Question, row)


def cohort(row: db.Cohort) -> Cohort:
    return plain(Cohort, row)


def invite(row: db.InviteCode) -> InviteCode:
    return plain(InviteCode, row)
