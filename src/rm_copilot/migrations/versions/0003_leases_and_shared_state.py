"""Shared state for several workers: campaign job leases, pending WeCom answers and session links,
the chat rate-limit windows, and the WeCom mass-send tables.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_limit_windows',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('window', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key_hash', 'window')
    )
    op.create_table('wecom_mass_messages',
    sa.Column('id', sa.String(length=16), nullable=False),
    sa.Column('advisor_id', sa.String(length=16), nullable=False),
    sa.Column('sender', sa.String(length=64), nullable=False),
    sa.Column('campaign_id', sa.String(length=32), nullable=True),
    sa.Column('script_id', sa.String(length=24), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wecom_mass_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wecom_mass_messages_advisor_id'), ['advisor_id'], unique=False)

    op.create_table('wecom_mass_recipients',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('mass_id', sa.String(length=16), nullable=False),
    sa.Column('msgid', sa.String(length=64), nullable=True),
    sa.Column('customer_id', sa.String(length=64), nullable=False),
    sa.Column('external_userid', sa.String(length=64), nullable=True),
    sa.Column('variant', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wecom_mass_recipients', schema=None) as batch_op:
        batch_op.create_index('ix_wecom_mass_recipients_customer_created', ['customer_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_wecom_mass_recipients_mass_id'), ['mass_id'], unique=False)

    op.create_table('wecom_pending',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=96), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key_hash')
    )
    with op.batch_alter_table('wecom_pending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wecom_pending_received_at'), ['received_at'], unique=False)

    op.create_table('wecom_session_links',
    sa.Column('user_hash', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('session_id', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_hash', 'customer_id')
    )
    with op.batch_alter_table('campaign_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=96), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('campaign_jobs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('owner')

    op.drop_table('wecom_session_links')
    with op.batch_alter_table('wecom_pending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wecom_pending_received_at'))

    op.drop_table('wecom_pending')
    with op.batch_alter_table('wecom_mass_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wecom_mass_recipients_mass_id'))
        batch_op.drop_index('ix_wecom_mass_recipients_customer_created')

    op.drop_table('wecom_mass_recipients')
    with op.batch_alter_table('wecom_mass_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wecom_mass_messages_advisor_id'))

    op.drop_table('wecom_mass_messages')
    op.drop_table('rate_limit_windows')
