"""dispatch timers: when a team acknowledged its dispatch, when an incident passed its target

Revision ID: 4e2d9c1a7b30
Revises: 7142fa8c54d1
Create Date: 2026-11-30 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import streetrelief.db.base

revision: str = "4e2d9c1a7b30"
down_revision: str | None = "f66c14d02b03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("acknowledged_at", streetrelief.db.base.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("target_breached_at", streetrelief.db.base.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("target_breached_at")
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.drop_column("acknowledged_at")
