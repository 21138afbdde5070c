"""team shifts: when a team's shift ends; dispatches indexed by team and assignment time

Revision ID: 8a3f6b2e1c47
Revises: d5c0d1fca0e3
Create Date: 2026-11-30 03:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import streetrelief.db.base

revision: str = "8a3f6b2e1c47"
down_revision: str | None = "d5c0d1fca0e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shift_ends_at", streetrelief.db.base.UTCDateTime(), nullable=True)
        )
    # The composite index serves every lookup the team_id index did, and the 24-hour
    # workload count (a team's dispatches assigned since a time) as well.
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dispatches_team_assigned", ["team_id", "assigned_at"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_dispatches_team_id"))


def downgrade() -> None:
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispatches_team_id"), ["team_id"], unique=False)
        batch_op.drop_index("ix_dispatches_team_assigned")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("shift_ends_at")
