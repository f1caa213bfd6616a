"""listing generation: lets every worker know when its cached listing pages are out of date

Revision ID: 3b1f0c2a9e47
Revises: d8fe28f63754
Create Date: 2026-11-23 19:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3b1f0c2a9e47'
down_revision = 'd8fe28f63754'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'listing_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_generation')),
    )
    op.bulk_insert(table, [{'id': 1, 'n': 0}])


def downgrade():
    op.drop_table('listing_generation')
