"""What several processes on one PostgreSQL share: each account's rate window, and the app's
installation list as last read from Zendesk. (Created on SQLite too, where nothing uses them.)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_windows",
        sa.Column("account", sa.String(255), nullable=False),
        sa.Column("bucket", sa.String(32), nullable=False),
        sa.Column("sent", sa.Text(), nullable=False),
        sa.Column("paced_until", sa.Float(), nullable=False),
        sa.Column("paused_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("account", "bucket"),
    )
    op.create_table(
        "installation_lists",
        sa.Column("tenant", sa.String(63), primary_key=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("installation_lists")
    op.drop_table("rate_windows")
