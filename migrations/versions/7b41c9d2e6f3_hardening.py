"""hardening: the virus scan of each stored file, atomic login counters, upload slots

Revision ID: 7b41c9d2e6f3
Revises: 5c2d7e1b8a90
Create Date: 2026-12-01 22:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7b41c9d2e6f3'
down_revision = '5c2d7e1b8a90'
branch_labels = None
depends_on = None

SCAN_STATUSES = ('clean', 'pending', 'unscanned', 'infected')


def upgrade():
    with op.batch_alter_table('document_files') as batch:
        batch.add_column(sa.Column(
            'scan_status', sa.Enum(*SCAN_STATUSES, name='scan_status', native_enum=False,
                                   create_constraint=True, length=32),
            nullable=False, server_default='unscanned'))
        batch.add_column(sa.Column('scan_signature', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f('ix_document_files_scan_status'), ['scan_status'], unique=False)
    op.create_table(
        'login_counters',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_counters')),
    )
    op.create_table(
        'upload_slots',
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('slot', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('holder', sa.String(length=80), nullable=False),
        sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', 'slot', name=op.f('pk_upload_slots')),
    )


def downgrade():
    op.drop_table('upload_slots')
    op.drop_table('login_counters')
    with op.batch_alter_table('document_files') as batch:
        batch.drop_index(batch.f('ix_document_files_scan_status'))
        batch.drop_constraint(batch.f('ck_document_files_scan_status'), type_='check')
        batch.drop_column('scanned_at')
        batch.drop_column('scan_signature')
        batch.drop_column('scan_status')
