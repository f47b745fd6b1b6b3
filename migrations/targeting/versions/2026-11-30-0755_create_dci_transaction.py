"""create_dci_transaction

Revision ID: 82ec25edc180
Revises: b0e98767da25
Create Date: 2026-11-30 07:55:44.015583+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '82ec25edc180'
down_revision: str | None = 'b0e98767da25'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('dci_transaction',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('transaction_id', sa.String(length=99), nullable=False),
    sa.Column('message_id', sa.String(length=128), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('region', sa.String(length=13, collation='C'), nullable=False),
    sa.Column('pii_visible', sa.Boolean(), nullable=False),
    sa.Column('mode', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('request', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('response', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('callback_url', sa.Text(), nullable=True),
    sa.Column('delivery_status', sa.String(length=9), nullable=True),
    sa.Column('delivery_attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('delivery_error', sa.String(length=200), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("delivery_status IN ('pending', 'delivered', 'failed')", name=op.f('ck_dci_transaction_delivery_status_known')),
    sa.CheckConstraint("mode IN ('sync', 'async')", name=op.f('ck_dci_transaction_mode_known')),
    sa.CheckConstraint("status IN ('rcvd', 'pdng', 'succ', 'rjct')", name=op.f('ck_dci_transaction_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dci_transaction')),
    sa.UniqueConstraint('client_id', 'message_id', name=op.f('uq_dci_transaction_client_id_message_id')),
    schema='targeting'
    )
    op.create_index('ix_dci_transaction_client_id_transaction_id', 'dci_transaction', ['client_id', 'transaction_id'], unique=False, schema='targeting')


def downgrade() -> None:
    op.drop_index('ix_dci_transaction_client_id_transaction_id', table_name='dci_transaction', schema='targeting')
    op.drop_table('dci_transaction', schema='targeting')
