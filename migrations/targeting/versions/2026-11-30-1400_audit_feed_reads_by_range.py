"""audit feed reads by range

Revision ID: 9b51c3e0a7d2
Revises: 4776eb357878
Create Date: 2026-11-30 14:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '9b51c3e0a7d2'
down_revision: str | None = '4776eb357878'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('audit_event', sa.Column('feed_after', sa.BigInteger(), nullable=True), schema='targeting')
    op.add_column('audit_event', sa.Column('feed_until', sa.BigInteger(), nullable=True), schema='targeting')
    op.add_column('audit_event', sa.Column('region_code', sa.String(length=13, collation='C'), nullable=True),
                  schema='targeting')
    op.create_index('ix_audit_event_feed_reads', 'audit_event', ['id'], unique=False, schema='targeting',
                    postgresql_where=sa.text('feed_until IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_audit_event_feed_reads', table_name='audit_event', schema='targeting',
                  postgresql_where=sa.text('feed_until IS NOT NULL'))
    op.drop_column('audit_event', 'region_code', schema='targeting')
    op.drop_column('audit_event', 'feed_until', schema='targeting')
    op.drop_column('audit_event', 'feed_after', schema='targeting')
