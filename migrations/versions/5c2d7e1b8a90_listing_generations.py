"""listing generations: let every worker know when its cached listing pages are out of date

Revision ID: 5c2d7e1b8a90
Revises: d8fe28f63754
Create Date: 2026-11-23 19:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5c2d7e1b8a90'
down_revision = 'd8fe28f63754'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'listing_generations',
        sa.Column('scope', sa.String(length=40), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('scope', name=op.f('pk_listing_generations')),
    )


def downgrade():
    op.drop_table('listing_generations')
