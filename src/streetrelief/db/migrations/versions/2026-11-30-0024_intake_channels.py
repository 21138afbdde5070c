"""intake channels: region boundaries, partner field mappings, report source datum and confirmation

Revision ID: 333ff57890a8
Revises: 7142fa8c54d1
Create Date: 2026-11-30 00:24:54.312164
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import streetrelief.db.base

revision: str = "333ff57890a8"
down_revision: str | None = "b5e1a0c3d7f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "region_boundaries",
        sa.Column("region_code", sa.String(length=32), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("source_crs", sa.String(length=8), nullable=False, server_default="wgs84"),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_region_boundaries_region_code_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("region_code", name=op.f("pk_region_boundaries")),
    )
    with op.batch_alter_table("region_boundaries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_region_boundaries_box", ["min_lat", "max_lat", "min_lon", "max_lon"], unique=False
        )

    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("field_mapping", sa.JSON(), nullable=False, server_default="{}")
        )
        batch_op.add_column(
            sa.Column(
                "coordinate_system", sa.String(length=8), nullable=False, server_default="wgs84"
            )
        )
        batch_op.add_column(
            sa.Column("is_machine_source", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source_crs", sa.String(length=8), nullable=False, server_default="wgs84")
        )
        batch_op.add_column(sa.Column("source_lat", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("source_lon", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("service_code", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("media_url", sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column("location_note", sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("needs_confirmation", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "confirmed_at", streetrelief.db.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("is_confirmed", sa.Boolean(), nullable=True))
        batch_op.create_index(
            "ix_reports_partner_source_id", ["partner_id", "source_id"], unique=True
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_reports_partner_id_partners"), "partners", ["partner_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_reports_partner_id_partners"), type_="foreignkey")
        batch_op.drop_index("ix_reports_partner_source_id")
        batch_op.drop_column("is_confirmed")
        batch_op.drop_column("confirmed_at")
        batch_op.drop_column("needs_confirmation")
        batch_op.drop_column("partner_id")
        batch_op.drop_column("location_note")
        batch_op.drop_column("media_url")
        batch_op.drop_column("service_code")
        batch_op.drop_column("source_lon")
        batch_op.drop_column("source_lat")
        batch_op.drop_column("source_crs")

    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.drop_column("is_machine_source")
        batch_op.drop_column("coordinate_system")
        batch_op.drop_column("field_mapping")

    with op.batch_alter_table("region_boundaries", schema=None) as batch_op:
        batch_op.drop_index("ix_region_boundaries_box")

    op.drop_table("region_boundaries")
