"""Create the programs schema: agencies, partners, programmes, enrolments, deliveries, spending, the feed
outbox and idempotency keys.

Revision ID: f2018612be5a
Revises: 
Create Date: 2026-11-30 08:06:31.809695+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'f2018612be5a'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agency',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('region_code', sa.String(length=13), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency')),
    sa.UniqueConstraint('code', name=op.f('uq_agency_code')),
    schema='programs'
    )
    op.create_index(op.f('ix_agency_region_code'), 'agency', ['region_code'], unique=False, schema='programs')
    op.create_table('feed_entry',
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=13), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_feed_entry')),
    schema='programs'
    )
    op.create_table('idempotency_key',
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('body', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('headers', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('client_id', 'key', name=op.f('pk_idempotency_key')),
    schema='programs'
    )
    op.create_index(op.f('ix_idempotency_key_created_at'), 'idempotency_key', ['created_at'], unique=False, schema='programs')
    op.create_table('partner',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('region_code', sa.String(length=13), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner')),
    schema='programs'
    )
    op.create_index(op.f('ix_partner_name'), 'partner', ['name'], unique=False, schema='programs')
    op.create_index(op.f('ix_partner_region_code'), 'partner', ['region_code'], unique=False, schema='programs')
    op.create_table('program',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('fiscal_year', sa.SmallInteger(), nullable=False),
    sa.Column('strategy', sa.String(length=20), nullable=False),
    sa.Column('cluster', sa.SmallInteger(), nullable=False),
    sa.Column('sector', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('benefit', sa.String(length=20), nullable=False),
    sa.Column('budget_idr', sa.BigInteger(), nullable=False),
    sa.Column('funding_source', sa.String(length=20), nullable=False),
    sa.Column('target_beneficiaries', sa.Integer(), nullable=False),
    sa.Column('criteria', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('priority_areas', postgresql.ARRAY(sa.String(length=13)), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('budget_idr >= 0', name=op.f('ck_program_budget_not_negative')),
    sa.CheckConstraint('cluster BETWEEN 1 AND 4', name=op.f('ck_program_cluster_range')),
    sa.CheckConstraint('target_beneficiaries >= 0', name=op.f('ck_program_target_not_negative')),
    sa.ForeignKeyConstraint(['agency_id'], ['programs.agency.id'], name=op.f('fk_program_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program')),
    sa.UniqueConstraint('agency_id', 'fiscal_year', 'code', name=op.f('uq_program_agency_id_fiscal_year_code')),
    schema='programs'
    )
    op.create_index(op.f('ix_program_fiscal_year'), 'program', ['fiscal_year'], unique=False, schema='programs')
    op.create_table('delivery',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('program_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('region_code', sa.String(length=13), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=False),
    sa.Column('value_idr', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('unit', sa.String(length=30), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_delivery_quantity_not_negative')),
    sa.CheckConstraint('value_idr >= 0', name=op.f('ck_delivery_value_not_negative')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.program.id'], name=op.f('fk_delivery_program_id_program')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery')),
    schema='programs'
    )
    op.create_index(op.f('ix_delivery_household_id'), 'delivery', ['household_id'], unique=False, schema='programs')
    op.create_index('ix_delivery_program_id_id', 'delivery', ['program_id', 'id'], unique=False, schema='programs')
    op.create_table('enrollment',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('program_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('region_code', sa.String(length=13), nullable=False),
    sa.Column('matches_criteria', sa.Boolean(), nullable=True),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('enrolled_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.program.id'], name=op.f('fk_enrollment_program_id_program')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollment')),
    schema='programs'
    )
    op.create_index(op.f('ix_enrollment_household_id'), 'enrollment', ['household_id'], unique=False, schema='programs')
    op.create_index('ix_enrollment_program_id_id', 'enrollment', ['program_id', 'id'], unique=False, schema='programs')
    op.create_index('uq_enrollment_program_id_household_id', 'enrollment', ['program_id', 'household_id'], unique=True, schema='programs', postgresql_where=sa.text('member_id IS NULL'))
    op.create_index('uq_enrollment_program_id_member_id', 'enrollment', ['program_id', 'member_id'], unique=True, schema='programs', postgresql_where=sa.text('member_id IS NOT NULL'))
    op.create_table('program_partner',
    sa.Column('program_id', sa.Uuid(), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['programs.partner.id'], name=op.f('fk_program_partner_partner_id_partner')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.program.id'], name=op.f('fk_program_partner_program_id_program')),
    sa.PrimaryKeyConstraint('program_id', 'partner_id', name=op.f('pk_program_partner')),
    schema='programs'
    )
    op.create_index(op.f('ix_program_partner_partner_id'), 'program_partner', ['partner_id'], unique=False, schema='programs')
    op.create_table('spending',
    sa.Column('program_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('amount_idr', sa.BigInteger(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint('amount_idr >= 0', name=op.f('ck_spending_amount_not_negative')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.program.id'], name=op.f('fk_spending_program_id_program')),
    sa.PrimaryKeyConstraint('program_id', 'period', name=op.f('pk_spending')),
    schema='programs'
    )


def downgrade() -> None:
    op.drop_table('spending', schema='programs')
    op.drop_index(op.f('ix_program_partner_partner_id'), table_name='program_partner', schema='programs')
    op.drop_table('program_partner', schema='programs')
    op.drop_index('uq_enrollment_program_id_member_id', table_name='enrollment', schema='programs', postgresql_where=sa.text('member_id IS NOT NULL'))
    op.drop_index('uq_enrollment_program_id_household_id', table_name='enrollment', schema='programs', postgresql_where=sa.text('member_id IS NULL'))
    op.drop_index('ix_enrollment_program_id_id', table_name='enrollment', schema='programs')
    op.drop_index(op.f('ix_enrollment_household_id'), table_name='enrollment', schema='programs')
    op.drop_table('enrollment', schema='programs')
    op.drop_index('ix_delivery_program_id_id', table_name='delivery', schema='programs')
    op.drop_index(op.f('ix_delivery_household_id'), table_name='delivery', schema='programs')
    op.drop_table('delivery', schema='programs')
    op.drop_index(op.f('ix_program_fiscal_year'), table_name='program', schema='programs')
    op.drop_table('program', schema='programs')
    op.drop_index(op.f('ix_partner_region_code'), table_name='partner', schema='programs')
    op.drop_index(op.f('ix_partner_name'), table_name='partner', schema='programs')
    op.drop_table('partner', schema='programs')
    op.drop_index(op.f('ix_idempotency_key_created_at'), table_name='idempotency_key', schema='programs')
    op.drop_table('idempotency_key', schema='programs')
    op.drop_table('feed_entry', schema='programs')
    op.drop_index(op.f('ix_agency_region_code'), table_name='agency', schema='programs')
    op.drop_table('agency', schema='programs')
