"""social reporters: registered reporters with personal keys, credited reports and thanks

Revision ID: 5d2c8e41a9b7
Revises: 5d1e0c7a9b24
Create Date: 2026-11-30 01:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import streetrelief.db.base
import streetrelief.privacy.crypto

revision: str = "5d2c8e41a9b7"
down_revision: str | None = "5d1e0c7a9b24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "social_reporters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("display_name", streetrelief.privacy.crypto.EncryptedText(), nullable=False),
        sa.Column("phone", streetrelief.privacy.crypto.EncryptedText(), nullable=True),
        sa.Column("email", streetrelief.privacy.crypto.EncryptedText(), nullable=True),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("region_code", sa.String(length=32), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", streetrelief.db.base.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("key_issued_at", streetrelief.db.base.UTCDateTime(), nullable=False),
        sa.Column("key_expires_at", streetrelief.db.base.UTCDateTime(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("key_idempotency_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_social_reporters_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_reporters")),
        sa.UniqueConstraint("key_prefix", name=op.f("uq_social_reporters_key_prefix")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_social_reporters_idempotency_key")),
    )
    with op.batch_alter_table("social_reporters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_reporters_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "social_reporter_thanks",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("social_reporter_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("thanked_at", streetrelief.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_social_reporter_thanks_report_id_reports")
        ),
        sa.ForeignKeyConstraint(
            ["social_reporter_id"],
            ["social_reporters.id"],
            name=op.f("fk_social_reporter_thanks_social_reporter_id_social_reporters"),
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_social_reporter_thanks")),
    )
    with op.batch_alter_table("social_reporter_thanks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_reporter_thanks_social_reporter_id"),
            ["social_reporter_id"],
            unique=False,
        )

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("social_reporter_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_reports_social_reporter_id"), ["social_reporter_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_reports_social_reporter_id_social_reporters"),
            "social_reporters",
            ["social_reporter_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_reports_social_reporter_id_social_reporters"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_reports_social_reporter_id"))
        batch_op.drop_column("social_reporter_id")

    with op.batch_alter_table("social_reporter_thanks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_reporter_thanks_social_reporter_id"))
    op.drop_table("social_reporter_thanks")

    with op.batch_alter_table("social_reporters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_reporters_region_code"))
    op.drop_table("social_reporters")
