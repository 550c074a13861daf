"""The account sync: settings-independent ticket facts, organization revisions and tags, the
export cursor, snapshots per set of settings, and the last report per settings and language.

Existing rows are kept: each ticket's tracked seconds become its value of the time field the
organization was fetched with; snapshots from before the upgrade are marked `legacy` (their
settings are unknown) and still fill a trend's days that have no snapshot of its own settings.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LEGACY_SETTINGS = "legacy"


def _utc(name: str, *, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("tags", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("revision", sa.BigInteger(), nullable=False, server_default="0"))

    with op.batch_alter_table("ticket_facts") as batch:
        batch.add_column(sa.Column("custom_fields", sa.JSON(), nullable=False, server_default="{}"))
    _move_handle_seconds_into_custom_fields()
    with op.batch_alter_table("ticket_facts") as batch:
        batch.drop_column("handle_seconds")
    op.create_index("ix_ticket_facts_tenant_created", "ticket_facts", ["tenant", "created_at"])

    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("time_spent_field_id")
        batch.add_column(sa.Column("last_error_code", sa.String(40), nullable=True))

    op.create_table(
        "account_sync",
        sa.Column("tenant", sa.String(63), primary_key=True),
        sa.Column("ticket_cursor", sa.String(1024), nullable=True),
        sa.Column("pass_start_time", sa.BigInteger(), nullable=True),
        sa.Column("organizations_start_time", sa.BigInteger(), nullable=True),
        _utc("pass_started_at"),
        _utc("first_pass_completed_at"),
        _utc("position_at"),
        sa.Column("tickets_synced", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("organizations_synced", sa.BigInteger(), nullable=False, server_default="0"),
        _utc("last_success_at"),
        _utc("last_attempt_at"),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("last_error_code", sa.String(40), nullable=True),
        sa.Column("daily_pass_on", sa.Date(), nullable=True),
    )

    # Snapshots gain their settings in the key: a new table, the old rows copied as legacy.
    op.create_table(
        "snapshots_v2",
        sa.Column("tenant", sa.String(63), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("settings", sa.String(64), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("colour", sa.String(8), nullable=False),
        sa.Column("kpis", sa.JSON(), nullable=False, server_default="{}"),
        sa.Column("revision", sa.BigInteger(), nullable=False, server_default="0"),
        _utc("computed_at", nullable=False),
        sa.PrimaryKeyConstraint("tenant", "organization_id", "day", "settings"),
    )
    op.execute(
        sa.text(
            "INSERT INTO snapshots_v2 (tenant, organization_id, day, settings, score, colour, "
            "computed_at) SELECT tenant, organization_id, day, :legacy, score, colour, "
            "computed_at FROM snapshots"
        ).bindparams(legacy=LEGACY_SETTINGS)
    )
    op.drop_table("snapshots")
    op.rename_table("snapshots_v2", "snapshots")

    op.create_table(
        "reports",
        sa.Column("tenant", sa.String(63), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("settings", sa.String(64), nullable=False),
        sa.Column("locale", sa.String(35), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        _utc("computed_at", nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "organization_id", "settings", "locale"),
    )


def _move_handle_seconds_into_custom_fields() -> None:
    """Tracked seconds were extracted with the time field of the organization's last fetch."""
    connection = op.get_bind()
    tickets = sa.table(
        "ticket_facts",
        sa.column("tenant", sa.String),
        sa.column("ticket_id", sa.BigInteger),
        sa.column("organization_id", sa.BigInteger),
        sa.column("handle_seconds", sa.Integer),
        sa.column("custom_fields", sa.JSON),
    )
    state = sa.table(
        "sync_state",
        sa.column("tenant", sa.String),
        sa.column("organization_id", sa.BigInteger),
        sa.column("time_spent_field_id", sa.BigInteger),
    )
    query = (
        sa.select(
            tickets.c.tenant,
            tickets.c.ticket_id,
            tickets.c.handle_seconds,
            state.c.time_spent_field_id,
        )
        .select_from(
            tickets.join(
                state,
                (state.c.tenant == tickets.c.tenant)
                & (state.c.organization_id == tickets.c.organization_id),
            )
        )
        .where(tickets.c.handle_seconds.is_not(None), state.c.time_spent_field_id.is_not(None))
    )
    rows = connection.execute(query).all()
    update = (
        sa.update(tickets)
        .where(tickets.c.tenant == sa.bindparam("t"), tickets.c.ticket_id == sa.bindparam("i"))
        .values(custom_fields=sa.bindparam("fields"))
    )
    for start in range(0, len(rows), 1000):
        connection.execute(
            update,
            [
                {"t": tenant, "i": ticket_id, "fields": {str(field_id): float(seconds)}}
                for tenant, ticket_id, seconds, field_id in rows[start : start + 1000]
            ],
        )


def downgrade() -> None:
    op.drop_table("reports")
    op.create_table(
        "snapshots_v1",
        sa.Column("tenant", sa.String(63), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("colour", sa.String(8), nullable=False),
        _utc("computed_at", nullable=False),
        sa.PrimaryKeyConstraint("tenant", "organization_id", "day"),
    )
    # One row per day survives: the newest (the downgrade loses tracked seconds too).
    op.execute(
        "INSERT INTO snapshots_v1 (tenant, organization_id, day, score, colour, computed_at) "
        "SELECT tenant, organization_id, day, score, colour, computed_at FROM snapshots s "
        "WHERE s.computed_at = (SELECT max(computed_at) FROM snapshots x WHERE "
        "x.tenant = s.tenant AND x.organization_id = s.organization_id AND x.day = s.day) "
        "AND s.settings = (SELECT min(settings) FROM snapshots y WHERE y.tenant = s.tenant "
        "AND y.organization_id = s.organization_id AND y.day = s.day "
        "AND y.computed_at = s.computed_at)"
    )
    op.drop_table("snapshots")
    op.rename_table("snapshots_v1", "snapshots")
    op.drop_table("account_sync")
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("last_error_code")
        batch.add_column(sa.Column("time_spent_field_id", sa.BigInteger(), nullable=True))
    op.drop_index("ix_ticket_facts_tenant_created", table_name="ticket_facts")
    with op.batch_alter_table("ticket_facts") as batch:
        batch.add_column(sa.Column("handle_seconds", sa.Integer(), nullable=True))
        batch.drop_column("custom_fields")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("revision")
        batch.drop_column("tags")
