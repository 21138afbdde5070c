"""revisits: people who refused help are seen again by a due time; patrol stops may be revisits

Revision ID: d5c0d1fca0e3
Revises: 5d2c8e41a9b7
Create Date: 2026-11-30 03:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import streetrelief.db.base
import streetrelief.privacy.crypto

revision: str = "d5c0d1fca0e3"
down_revision: str | None = "5d2c8e41a9b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "revisits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("encounter_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=32), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("refused_at", streetrelief.db.base.UTCDateTime(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("interval_source", sa.String(length=64), nullable=False),
        sa.Column("due_at", streetrelief.db.base.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", streetrelief.db.base.UTCDateTime(), nullable=True),
        sa.Column("escalated_at", streetrelief.db.base.UTCDateTime(), nullable=True),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("created_at", streetrelief.db.base.UTCDateTime(), nullable=False),
        sa.Column("done_at", streetrelief.db.base.UTCDateTime(), nullable=True),
        sa.Column("completed_by", sa.String(length=16), nullable=True),
        sa.Column("completing_encounter_id", sa.Integer(), nullable=True),
        sa.Column("completing_check_in_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("note", streetrelief.privacy.crypto.EncryptedText(), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("cancelled_at", streetrelief.db.base.UTCDateTime(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["completing_check_in_id"],
            ["check_ins.id"],
            name=op.f("fk_revisits_completing_check_in_id_check_ins"),
        ),
        sa.ForeignKeyConstraint(
            ["completing_encounter_id"],
            ["encounters.id"],
            name=op.f("fk_revisits_completing_encounter_id_encounters"),
        ),
        sa.ForeignKeyConstraint(
            ["encounter_id"], ["encounters.id"], name=op.f("fk_revisits_encounter_id_encounters")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_revisits_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_revisits_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"], ["revisits.id"], name=op.f("fk_revisits_previous_id_revisits")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_revisits_region_code_regions")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_revisits_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisits")),
        sa.UniqueConstraint("encounter_id", name=op.f("uq_revisits_encounter_id")),
    )
    with op.batch_alter_table("revisits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revisits_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_revisits_region_code"), ["region_code"], unique=False)
        batch_op.create_index("ix_revisits_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_revisits_team_id"), ["team_id"], unique=False)

    with op.batch_alter_table("patrol_stops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revisit_id", sa.Integer(), nullable=True))
        batch_op.alter_column("hotspot_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_patrol_stops_revisit_id_revisits"), "revisits", ["revisit_id"], ["id"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM patrol_stops WHERE hotspot_id IS NULL")
    with op.batch_alter_table("patrol_stops", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_patrol_stops_revisit_id_revisits"), type_="foreignkey"
        )
        batch_op.alter_column("hotspot_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("revisit_id")

    with op.batch_alter_table("revisits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revisits_team_id"))
        batch_op.drop_index("ix_revisits_status_due")
        batch_op.drop_index(batch_op.f("ix_revisits_region_code"))
        batch_op.drop_index(batch_op.f("ix_revisits_person_id"))

    op.drop_table("revisits")
