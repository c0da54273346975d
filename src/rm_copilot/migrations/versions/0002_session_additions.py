"""Tables added before migrations existed: marketing, inferred needs, the store heartbeat, customers.external_userid.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Stores created between the baseline and this revision already hold some of these tables.
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())

    if 'issued_scripts' not in tables:
        op.create_table('issued_scripts',
        sa.Column('script_id', sa.String(length=24), nullable=False),
        sa.Column('advisor_id', sa.String(length=16), nullable=False),
        sa.Column('customer_id', sa.String(length=64), nullable=False),
        sa.Column('product_id', sa.String(length=16), nullable=True),
        sa.Column('scenario', sa.String(length=16), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('variant', sa.Integer(), nullable=False),
        sa.Column('segment', sa.String(length=32), nullable=False),
        sa.Column('verdict', sa.String(length=16), nullable=False),
        sa.Column('text_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('script_id')
        )
    if 'issued_scripts' not in tables:
        with op.batch_alter_table('issued_scripts', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_issued_scripts_advisor_id'), ['advisor_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_issued_scripts_customer_id'), ['customer_id'], unique=False)
    if 'marketing_outcomes' not in tables:
        op.create_table('marketing_outcomes',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('advisor_id', sa.String(length=16), nullable=False),
        sa.Column('customer_id', sa.String(length=64), nullable=False),
        sa.Column('script_id', sa.String(length=24), nullable=True),
        sa.Column('campaign_id', sa.String(length=32), nullable=True),
        sa.Column('variant', sa.Integer(), nullable=True),
        sa.Column('scenario', sa.String(length=16), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=True),
        sa.Column('segment', sa.String(length=32), nullable=True),
        sa.Column('product_id', sa.String(length=16), nullable=True),
        sa.Column('verdict', sa.String(length=16), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('detail', sa.String(length=256), nullable=True),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
    if 'marketing_outcomes' not in tables:
        with op.batch_alter_table('marketing_outcomes', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_marketing_outcomes_advisor_id'), ['advisor_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_marketing_outcomes_campaign_id'), ['campaign_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_marketing_outcomes_customer_id'), ['customer_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_marketing_outcomes_script_id'), ['script_id'], unique=False)
            batch_op.create_index('ix_outcomes_scenario_segment', ['scenario', 'segment'], unique=False)
    if 'opportunity_dismissals' not in tables:
        op.create_table('opportunity_dismissals',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('advisor_id', sa.String(length=16), nullable=False),
        sa.Column('customer_id', sa.String(length=64), nullable=False),
        sa.Column('trigger', sa.String(length=32), nullable=False),
        sa.Column('fingerprint', sa.String(length=40), nullable=False),
        sa.Column('reason', sa.String(length=256), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('advisor_id', 'customer_id', 'fingerprint', name='uq_dismissal')
        )
    if 'opportunity_dismissals' not in tables:
        with op.batch_alter_table('opportunity_dismissals', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_opportunity_dismissals_advisor_id'), ['advisor_id'], unique=False)
    if 'store_heartbeat' not in tables:
        op.create_table('store_heartbeat',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('checked_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
    if 'inferred_needs' not in tables:
        op.create_table('inferred_needs',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('customer_id', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('confidence', sa.Float(), nullable=False),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.Column('model_version', sa.String(length=32), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('customer_id', 'key', name='uq_inferred_need')
        )
    if 'inferred_needs' not in tables:
        with op.batch_alter_table('inferred_needs', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_inferred_needs_customer_id'), ['customer_id'], unique=False)
    if 'customers' in tables and 'external_userid' not in {c['name'] for c in inspector.get_columns('customers')}:
        with op.batch_alter_table('customers', schema=None) as batch_op:
            batch_op.add_column(sa.Column('external_userid', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('external_userid')

    with op.batch_alter_table('inferred_needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inferred_needs_customer_id'))

    op.drop_table('inferred_needs')
    op.drop_table('store_heartbeat')
    with op.batch_alter_table('opportunity_dismissals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_dismissals_advisor_id'))

    op.drop_table('opportunity_dismissals')
    with op.batch_alter_table('marketing_outcomes', schema=None) as batch_op:
        batch_op.drop_index('ix_outcomes_scenario_segment')
        batch_op.drop_index(batch_op.f('ix_marketing_outcomes_script_id'))
        batch_op.drop_index(batch_op.f('ix_marketing_outcomes_customer_id'))
        batch_op.drop_index(batch_op.f('ix_marketing_outcomes_campaign_id'))
        batch_op.drop_index(batch_op.f('ix_marketing_outcomes_advisor_id'))

    op.drop_table('marketing_outcomes')
    with op.batch_alter_table('issued_scripts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_scripts_customer_id'))
        batch_op.drop_index(batch_op.f('ix_issued_scripts_advisor_id'))

    op.drop_table('issued_scripts')
