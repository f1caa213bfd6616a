"""delegation registration: delegations, participants, visa letters, their trail; registration settings of meetings

Revision ID: f4b1c817effd
Revises: 7b41c9d2e6f3
Create Date: 2026-12-01 23:15:44.688183

"""
from alembic import op
import sqlalchemy as sa


revision = 'f4b1c817effd'
down_revision = '7b41c9d2e6f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('delegations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'confirmed', 'returned', 'refused', 'cancelled', name='delegation_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('changed', sa.Boolean(), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_delegations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_delegations_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_delegations_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_delegations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delegations')),
    sa.UniqueConstraint('meeting_id', 'organisation_id', name='one_delegation_per_meeting')
    )
    with op.batch_alter_table('delegations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegations_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegations_state'), ['state'], unique=False)

    op.create_table('delegation_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_delegation_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegations.id'], name=op.f('fk_delegation_events_delegation_id_delegations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delegation_events'))
    )
    with op.batch_alter_table('delegation_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegation_events_delegation_id'), ['delegation_id'], unique=False)

    op.create_table('participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('function', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=False),
    sa.Column('gender', sa.Enum('woman', 'man', 'another', 'undisclosed', name='gender', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('participation', sa.Enum('in_person', 'online', name='participation', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('arrival', sa.Date(), nullable=True),
    sa.Column('departure', sa.Date(), nullable=True),
    sa.Column('accessibility_needs', sa.Text(), nullable=True),
    sa.Column('needs_visa', sa.Boolean(), nullable=False),
    sa.Column('nationality', sa.String(length=2), nullable=True),
    sa.Column('passport_encrypted', sa.LargeBinary(), nullable=True),
    sa.Column('is_head', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegations.id'], name=op.f('fk_participants_delegation_id_delegations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_participants_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants')),
    sa.UniqueConstraint('meeting_id', 'email_key', name='one_delegation_per_person')
    )
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participants_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_index('one_head_per_delegation', ['delegation_id'], unique=True, sqlite_where=sa.text('is_head = 1'), postgresql_where=sa.text('is_head'))

    op.create_table('visa_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_visa_letters_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_visa_letters_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_visa_letters_withdrawn_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visa_letters')),
    sa.UniqueConstraint('reference', name=op.f('uq_visa_letters_reference'))
    )
    with op.batch_alter_table('visa_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visa_letters_participant_id'), ['participant_id'], unique=False)

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration', sa.Enum('closed', 'open', 'until_deadline', name='registration_status', native_enum=False, create_constraint=True, length=32), server_default='closed', nullable=False))
        batch_op.add_column(sa.Column('registration_deadline_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('max_delegation_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('participation', sa.Enum('in_person', 'online', 'both', name='participation_mode', native_enum=False, create_constraint=True, length=32), server_default='in_person', nullable=False))
        batch_op.add_column(sa.Column('participants_published_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('may_register', sa.Boolean(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('may_register')

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_meetings_participation_mode'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_meetings_registration_status'), type_='check')
        batch_op.drop_column('participants_published_at')
        batch_op.drop_column('participation')
        batch_op.drop_column('max_delegation_size')
        batch_op.drop_column('registration_deadline_at')
        batch_op.drop_column('registration')

    with op.batch_alter_table('visa_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visa_letters_participant_id'))

    op.drop_table('visa_letters')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index('one_head_per_delegation', sqlite_where=sa.text('is_head = 1'), postgresql_where=sa.text('is_head'))
        batch_op.drop_index(batch_op.f('ix_participants_delegation_id'))

    op.drop_table('participants')
    with op.batch_alter_table('delegation_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegation_events_delegation_id'))

    op.drop_table('delegation_events')
    with op.batch_alter_table('delegations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegations_state'))
        batch_op.drop_index(batch_op.f('ix_delegations_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_delegations_meeting_id'))

    op.drop_table('delegations')
