"""programme: sessions and slots, invitations to speak, statements, published versions; series STMT

Revision ID: e16f588279a6
Revises: f4b1c817effd
Create Date: 2026-12-02 00:15:02.717454

"""
from alembic import op
import sqlalchemy as sa


revision = 'e16f588279a6'
down_revision = 'f4b1c817effd'
branch_labels = None
depends_on = None


SERIES = ("CONTR", "DOC", "DT", "INF")


def _series_check(values):
    return "series IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _allow_series(values):
    """The CHECK constraints of the two series columns, with these values (STMT: policy statements)."""
    for table, name in (("contributions", "ck_contributions_series"), ("symbol_counters", "ck_symbol_counters_counter_series")):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(name), type_="check")
            batch_op.create_check_constraint(op.f(name), _series_check(values))


def upgrade():
    _allow_series(SERIES + ("STMT",))
    op.create_table('programme_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('opening', 'policy_statements', 'round_table', 'dialogue', 'prizes', 'workshop', 'other', name='session_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.Column('room', sa.String(length=200), nullable=True),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('online_link', sa.String(length=500), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('chairs', sa.String(length=500), nullable=True),
    sa.Column('uid', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_programme_sessions_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_sessions')),
    sa.UniqueConstraint('uid', name=op.f('uq_programme_sessions_uid'))
    )
    with op.batch_alter_table('programme_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_sessions_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('programme_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_programme_versions_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_programme_versions_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_versions')),
    sa.UniqueConstraint('meeting_id', 'number', name='one_number_per_version')
    )
    with op.batch_alter_table('programme_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_versions_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('letter', sa.Text(), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.Enum('sent', 'accepted', 'declined', 'withdrawn', name='invitation_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_invitations_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_invitations_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_invitations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_invitations_sent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('meeting_id', 'organisation_id', name='one_invitation_per_meeting')
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_state'), ['state'], unique=False)

    op.create_table('statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('requested', 'accepted', 'refused', 'withdrawn', name='statement_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('speaker_name', sa.String(length=200), nullable=False),
    sa.Column('speaker_title', sa.String(length=200), nullable=False),
    sa.Column('speaker_gender', sa.Enum('woman', 'man', 'another', 'undisclosed', name='speaker_gender', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('speaker_rank', sa.Enum('head_of_state', 'vice_president', 'minister', 'deputy_minister', 'ambassador', 'other', name='speaker_rank', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('preferred_day', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('refusal_reason', sa.Text(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('contribution_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contribution_id'], ['contributions.id'], name=op.f('fk_statements_contribution_id_contributions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_statements_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_statements_invitation_id_invitations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_statements_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_statements_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_statements_participant_id_participants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_statements_invitation_id'))
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statements_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statements_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statements_state'), ['state'], unique=False)

    op.create_table('programme_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['programme_sessions.id'], name=op.f('fk_programme_slots_session_id_programme_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_programme_slots_statement_id_statements'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_slots')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_programme_slots_statement_id'))
    )
    with op.batch_alter_table('programme_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_slots_session_id'), ['session_id'], unique=False)



def downgrade():
    op.execute("DELETE FROM symbol_counters WHERE series = 'STMT'")
    op.execute("DELETE FROM contributions WHERE series = 'STMT'")
    _allow_series(SERIES)
    with op.batch_alter_table('programme_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_slots_session_id'))

    op.drop_table('programme_slots')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statements_state'))
        batch_op.drop_index(batch_op.f('ix_statements_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_statements_meeting_id'))

    op.drop_table('statements')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_state'))
        batch_op.drop_index(batch_op.f('ix_invitations_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_meeting_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('programme_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_versions_meeting_id'))

    op.drop_table('programme_versions')
    with op.batch_alter_table('programme_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_sessions_meeting_id'))

    op.drop_table('programme_sessions')
