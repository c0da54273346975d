"""The schema every store had before migrations existed (ten tables: advisors to the WeCom inbox).

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('advisors',
    sa.Column('id', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('wecom_userid', sa.String(length=64), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash'),
    sa.UniqueConstraint('wecom_userid')
    )
    op.create_table('campaign_jobs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('advisor_id', sa.String(length=16), nullable=False),
    sa.Column('product_id', sa.String(length=16), nullable=False),
    sa.Column('segment', sa.Text(), nullable=True),
    sa.Column('customer_ids', sa.JSON(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('variants', sa.Integer(), nullable=False),
    sa.Column('limit', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('out_path', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_campaign_jobs_advisor_id'), 'campaign_jobs', ['advisor_id'], unique=False)
    op.create_table('chat_sessions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('advisor_id', sa.String(length=16), nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=True),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_chat_sessions_advisor_id'), 'chat_sessions', ['advisor_id'], unique=False)
    op.create_index(op.f('ix_chat_sessions_updated_at'), 'chat_sessions', ['updated_at'], unique=False)
    op.create_table('compliance_audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('advisor_id', sa.String(length=32), nullable=True),
    sa.Column('customer_id', sa.String(length=32), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('verdict', sa.String(length=8), nullable=False),
    sa.Column('rule_ids', sa.Text(), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('text_length', sa.Integer(), nullable=False),
    sa.Column('rulebook_version', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_compliance_audit_advisor_id'), 'compliance_audit', ['advisor_id'], unique=False)
    op.create_index(op.f('ix_compliance_audit_created_at'), 'compliance_audit', ['created_at'], unique=False)
    op.create_index(op.f('ix_compliance_audit_customer_id'), 'compliance_audit', ['customer_id'], unique=False)
    op.create_index(op.f('ix_compliance_audit_verdict'), 'compliance_audit', ['verdict'], unique=False)
    op.create_table('wecom_inbox',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('msg_type', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key_hash')
    )
    op.create_index(op.f('ix_wecom_inbox_received_at'), 'wecom_inbox', ['received_at'], unique=False)
    op.create_table('chat_messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('session_id', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('citations', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['chat_sessions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_chat_messages_session_id'), 'chat_messages', ['session_id'], unique=False)
    op.create_table('customers',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('advisor_id', sa.String(length=16), nullable=False),
    sa.Column('full_name', sa.String(length=64), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('card_number', sa.String(length=19), nullable=True),
    sa.Column('gender', sa.String(length=2), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('city', sa.String(length=32), nullable=False),
    sa.Column('occupation', sa.String(length=64), nullable=False),
    sa.Column('tier', sa.String(length=8), nullable=False),
    sa.Column('risk_level', sa.String(length=2), nullable=True),
    sa.Column('risk_assessed_at', sa.Date(), nullable=True),
    sa.Column('marketing_consent', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['advisor_id'], ['advisors.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_customers_advisor_id'), 'customers', ['advisor_id'], unique=False)
    op.create_table('customer_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('detail', sa.String(length=256), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_customer_events_customer_id'), 'customer_events', ['customer_id'], unique=False)
    op.create_index(op.f('ix_customer_events_event_date'), 'customer_events', ['event_date'], unique=False)
    op.create_table('customer_holdings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('product_id', sa.String(length=16), nullable=False),
    sa.Column('product_name', sa.String(length=128), nullable=False),
    sa.Column('amount_band', sa.String(length=32), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('maturity_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_customer_holdings_customer_id'), 'customer_holdings', ['customer_id'], unique=False)
    op.create_index(op.f('ix_customer_holdings_product_id'), 'customer_holdings', ['product_id'], unique=False)
    op.create_table('customer_tags',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('layer', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('customer_id', 'layer', 'key', 'value', name='uq_customer_tag')
    )
    op.create_index(op.f('ix_customer_tags_customer_id'), 'customer_tags', ['customer_id'], unique=False)
    op.create_index('ix_customer_tags_layer_key_value', 'customer_tags', ['layer', 'key', 'value'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_customer_tags_layer_key_value', table_name='customer_tags')
    op.drop_index(op.f('ix_customer_tags_customer_id'), table_name='customer_tags')
    op.drop_table('customer_tags')
    op.drop_index(op.f('ix_customer_holdings_product_id'), table_name='customer_holdings')
    op.drop_index(op.f('ix_customer_holdings_customer_id'), table_name='customer_holdings')
    op.drop_table('customer_holdings')
    op.drop_index(op.f('ix_customer_events_event_date'), table_name='customer_events')
    op.drop_index(op.f('ix_customer_events_customer_id'), table_name='customer_events')
    op.drop_table('customer_events')
    op.drop_index(op.f('ix_customers_advisor_id'), table_name='customers')
    op.drop_table('customers')
    op.drop_index(op.f('ix_chat_messages_session_id'), table_name='chat_messages')
    op.drop_table('chat_messages')
    op.drop_index(op.f('ix_wecom_inbox_received_at'), table_name='wecom_inbox')
    op.drop_table('wecom_inbox')
    op.drop_index(op.f('ix_compliance_audit_verdict'), table_name='compliance_audit')
    op.drop_index(op.f('ix_compliance_audit_customer_id'), table_name='compliance_audit')
    op.drop_index(op.f('ix_compliance_audit_created_at'), table_name='compliance_audit')
    op.drop_index(op.f('ix_compliance_audit_advisor_id'), table_name='compliance_audit')
    op.drop_table('compliance_audit')
    op.drop_index(op.f('ix_chat_sessions_updated_at'), table_name='chat_sessions')
    op.drop_index(op.f('ix_chat_sessions_advisor_id'), table_name='chat_sessions')
    op.drop_table('chat_sessions')
    op.drop_index(op.f('ix_campaign_jobs_advisor_id'), table_name='campaign_jobs')
    op.drop_table('campaign_jobs')
    op.drop_table('advisors')
