"""Cohorts: groups with their own lesdagen, invite codes and trainers.

Data migration: one default cohort is created; every participant and every existing lesdag
lands in it, so an existing installation keeps working unchanged.

Revision ID: cohorts_1
Revises: reliability_1
Create Date: 2026-11-29
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cohorts_1"
down_revision: str | Sequence[str] | None = "reliability_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_ID = 1
DEFAULT_NAME = "Standaard"


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "cohort_trainers",
        sa.Column("cohort_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name="fk_cohort_trainers_cohort"),
        sa.PrimaryKeyConstraint("cohort_id", "user_id"),
    )
    cohorts = sa.table("cohorts", sa.column("id", sa.Integer), sa.column("name", sa.String),
                       sa.column("is_default", sa.Boolean),
                       sa.column("created_at", sa.DateTime))
    op.bulk_insert(cohorts, [{"id": DEFAULT_ID, "name": DEFAULT_NAME, "is_default": True,
                              "created_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)}])
    if op.get_bind().dialect.name == "postgresql":  # the explicit id does not move the sequence
        op.execute("SELECT setval('cohorts_id_seq', (SELECT MAX(id) FROM cohorts))")

    # Tables made by create_all of a newer release (first-release databases) already have the
    # new columns: only add what is missing.
    if "cohort_id" not in _columns("participants"):
        with op.batch_alter_table("participants") as batch:
            batch.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
            batch.create_foreign_key("fk_participants_cohort", "cohorts", ["cohort_id"], ["id"])
    op.execute(f"UPDATE participants SET cohort_id = {DEFAULT_ID} WHERE cohort_id IS NULL")
    if "cohort_id" not in _columns("invite_codes"):
        with op.batch_alter_table("invite_codes") as batch:
            batch.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
            batch.create_foreign_key("fk_invite_codes_cohort", "cohorts", ["cohort_id"], ["id"])

    if "cohort_id" not in _columns("course_dates"):
        op.create_table(
            "course_dates_new",
            sa.Column("cohort_id", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("lesdag", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("date", sa.Date(), nullable=False),
            sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"],
                                    name="fk_course_dates_cohort"),
            sa.PrimaryKeyConstraint("cohort_id", "lesdag"),
        )
        op.execute("INSERT INTO course_dates_new (cohort_id, lesdag, date) "
                   f"SELECT {DEFAULT_ID}, lesdag, date FROM course_dates")
        op.drop_table("course_dates")
        op.rename_table("course_dates_new", "course_dates")


def downgrade() -> None:
    op.create_table(
        "course_dates_old",
        sa.Column("lesdag", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("lesdag"),
    )
    op.execute("INSERT INTO course_dates_old (lesdag, date) SELECT lesdag, date FROM "
               f"course_dates WHERE cohort_id = {DEFAULT_ID}")
    op.drop_table("course_dates")
    op.rename_table("course_dates_old", "course_dates")
    with op.batch_alter_table("invite_codes") as batch:
        batch.drop_constraint("fk_invite_codes_cohort", type_="foreignkey")
        batch.drop_column("cohort_id")
    with op.batch_alter_table("participants") as batch:
        batch.drop_constraint("fk_participants_cohort", type_="foreignkey")
        batch.drop_column("cohort_id")
    op.drop_table("cohort_trainers")
    op.drop_table("cohorts")
