"""Initial schema: tenants, organizations, ticket facts, sync state, daily snapshots.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _utc(name: str, *, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _org_key() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("tenant", sa.String(63), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("subdomain", sa.String(63), primary_key=True),
        sa.Column("zendesk_url", sa.String(255), nullable=True),
        sa.Column("auth_kind", sa.String(32), nullable=False),
        sa.Column("secrets", sa.LargeBinary(), nullable=False),
        _utc("created_at", nullable=False),
    )
    op.create_table(
        "organizations",
        *_org_key(),
        sa.Column("name", sa.String(255), nullable=False),
        _utc("created_at"),
        sa.Column("fields", sa.JSON(), nullable=False),
        _utc("fetched_at", nullable=False),
        sa.PrimaryKeyConstraint("tenant", "organization_id"),
    )
    op.create_table(
        "ticket_facts",
        sa.Column("tenant", sa.String(63), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        _utc("created_at", nullable=False),
        _utc("updated_at", nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("priority", sa.String(32), nullable=True),
        sa.Column("satisfaction", sa.String(32), nullable=True),
        sa.Column("has_metrics", sa.Boolean(), nullable=False),
        sa.Column("replies", sa.Integer(), nullable=True),
        sa.Column("reply_minutes", sa.Integer(), nullable=True),
        sa.Column("resolution_minutes", sa.Integer(), nullable=True),
        sa.Column("handle_seconds", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "ticket_id"),
    )
    op.create_index(
        "ix_ticket_facts_org_created", "ticket_facts", ["tenant", "organization_id", "created_at"]
    )
    op.create_table(
        "sync_state",
        *_org_key(),
        _utc("covered_since"),
        _utc("high_water_mark"),
        _utc("last_success_at"),
        _utc("last_attempt_at"),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("time_spent_field_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "organization_id"),
    )
    op.create_table(
        "snapshots",
        *_org_key(),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("colour", sa.String(8), nullable=False),
        _utc("computed_at", nullable=False),
        sa.PrimaryKeyConstraint("tenant", "organization_id", "day"),
    )


def downgrade() -> None:
    op.drop_table("snapshots")
    op.drop_table("sync_state")
    op.drop_index("ix_ticket_facts_org_created", table_name="ticket_facts")
    op.drop_table("ticket_facts")
    op.drop_table("organizations")
    op.drop_table("tenants")
