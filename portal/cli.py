"""Operator commands: `flask --app app <command>`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask_migrate import upgrade

from portal import uploads
from portal.auth import services
from portal.auth.passwords import password_problem
from portal.backup import BackupError, backup, check_backup, restore, restore_config, verify_storage
from portal.backup import sweep as do_sweep
from portal.db import run_committed_hooks
from portal.demo import DEMO_PASSWORD
from portal.demo import seed_demo as load
from portal.errors import UserError
from portal.extensions import db
from portal.labels import is_country
from portal.mail import retry_unsent
from portal.meetings import services as meeting_services
from portal.models import Role, StakeholderType
from portal.programme import services as programme
from portal.reference import load_reference_data
from portal.search import rebuild_entries_index, rebuild_index
from portal.stocktaking import importer
from portal.stocktaking import services as stocktaking


def web_context():
    """A request context for commands whose mail links to the portal: addresses start with PUBLIC_URL."""
    return current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"])


def register(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(create_user)
    app.cli.add_command(send_mail)
    app.cli.add_command(prune)
    app.cli.add_command(seed_demo)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(verify_storage_command)
    app.cli.add_command(rescan_command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(import_stocktaking_command)


@click.command("init-db")
def init_db():
    """Migrate the database to the latest version and load missing reference data.
    Safe to run any number of times: existing rows are kept."""
    upgrade()
    lines, meetings = load_reference_data()
    db.session.commit()
    click.echo(f"Database ready; reference data added: {lines} action lines, {meetings} meetings.")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["stakeholder", "secretariat", "admin"]), default="stakeholder")
@click.option("--organisation", default=None, help="Name; created (verified) if missing.")
@click.option("--country", default=None, help="ISO 3166 code of a new organisation.")
@click.option("--stakeholder-type", default="government",
              type=click.Choice(["government", "international_organisation", "private_sector",
                                 "civil_society", "academia", "technical_community"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, name, role, organisation, country, stakeholder_type, password_stdin):
    """Create a confirmed account (and its organisation if missing)."""
    if services.find_user_by_email(email) is not None:
        raise click.ClickException(f"An account with the address {email} already exists.")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise click.ClickException(f"{email} is not a valid email address: {exc}") from None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, user_inputs=[name, email])
    if problem:
        raise click.ClickException(f"Password refused: {problem}")
    if country and not is_country(country):
        raise click.ClickException(f"{country} is not an ISO 3166 country code.")
    user = services.create_member_account(
        email=email, name=name, password=password, role=Role(role), organisation_name=organisation,
        country=country, stakeholder_type=StakeholderType(stakeholder_type))
    db.session.commit()
    click.echo(f"Created {role} account {user.email}"
               + (f" in {organisation}" if organisation else "") + ".")


@click.command("send-mail")
def send_mail():
    """Send the messages still waiting in the outbox (failed or interrupted sends)."""
    sent, failed = retry_unsent()
    click.echo(f"{sent} sent, {failed} still waiting.")


@click.command("prune")
def prune():
    """Delete login attempts and ended sessions older than 30 days."""
    n, m = services.prune()
    db.session.commit()
    click.echo(f"Removed {n} login attempts and {m} sessions.")


@click.command("seed-demo")
def seed_demo():
    """Load demonstration data (organisations, people, an open WSIS Forum, contributions).
    Does nothing if it is already there."""
    with web_context():
        summary = load()
        db.session.commit()
        run_committed_hooks()
    if not summary.created:
        click.echo("Demo data is already loaded.")
        return
    click.echo(f"Demo data loaded. Accounts (password: {DEMO_PASSWORD!r}):")
    for email in summary.users:
        click.echo(f"  {email}")


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False))
def backup_command(dest):
    """Write a consistent snapshot (database, files, manifest of hashes) into DEST, while the
    portal keeps serving."""
    try:
        result = backup(dest)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {result.dest}: {result.database} database, {result.files} files "
               f"({result.bytes} bytes).")


@click.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--with-config", is_flag=True,
              help="Also restore the instance's settings (instance/config.py, the secret key among them) "
                   "from the backup, into an instance that has none: a new machine.")
def restore_command(src, yes, with_config):
    """Replace the database and files with the backup in SRC, then rebuild the search index.
    Stop the portal first. Works into an empty instance (a new machine): a new secret key is
    written, or the backup's settings with --with-config."""
    try:
        manifest = check_backup(src)
        if with_config and restore_config(src, Path(current_app.instance_path)):
            raise click.ClickException(
                "The backup's settings are now in instance/config.py; run the same command again to "
                "restore the data with them.")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if not yes:
        click.confirm(f"Replace this portal's database and files with the backup of "
                      f"{manifest['created_at']}?", abort=True)
    try:
        restore(src)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    n = rebuild_index()
    click.echo(f"Restored {len(manifest['files'])} files and the database of {manifest['created_at']}; "
               f"search index rebuilt ({n} documents).")


@click.command("verify-storage")
@click.option("--sweep", is_flag=True, help="Also delete files that no row names (older than an hour).")
def verify_storage_command(sweep):
    """Check that every row's file exists with its recorded hash; list files without a row."""
    v = verify_storage()
    click.echo(f"{v.checked} files checked: {len(v.missing)} missing, {len(v.corrupt)} damaged, "
               f"{len(v.orphans)} without a row.")
    for key in v.missing:
        click.echo(f"  missing: {key}")
    for key in v.corrupt:
        click.echo(f"  damaged: {key}")
    for key in v.orphans:
        click.echo(f"  orphan: {key}")
    if sweep:
        try:
            removed = do_sweep()
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Swept {len(removed)} orphan or temporary files.")
    if v.missing or v.corrupt:
        raise SystemExit(1)


@click.command("rescan")
@click.option("--pending", is_flag=True,
              help="Only the files still waiting to be scanned (the scanner was down when they came).")
def rescan_command(pending):
    """Scan stored files again with clamd (after a signature update, or for files held because the scanner
    could not be reached) and report what was found. Safe to run from cron: run it with --pending every few
    minutes, and without after each freshclam update."""
    if not current_app.config.get("ANTIVIRUS_URL"):
        raise click.ClickException("No ANTIVIRUS_URL is set: there is no scanner to ask.")
    ids = uploads.files_to_rescan(pending_only=pending)
    entry_ids = uploads.entry_files_to_rescan(pending_only=pending)
    report = uploads.RescanReport()
    with web_context():  # the mail it sends links to the portal
        for batch, scan in [(ids[i:i + 50], uploads.rescan) for i in range(0, len(ids), 50)] + \
                [(entry_ids[i:i + 50], uploads.rescan_entry_files) for i in range(0, len(entry_ids), 50)]:
            scan(batch, report)  # committed in batches: a long run keeps what it found
            db.session.commit()
            run_committed_hooks()
            if report.unavailable:
                break
    ids = ids + entry_ids
    click.echo(f"{report.checked} of {len(ids)} files scanned: {report.clean} clean, "
               f"{len(report.infected)} infected, {len(report.missing)} missing.")
    for file_id, name, signature in report.infected:
        click.echo(f"  infected: file {file_id} ({name}): {signature}")
    for file_id in report.missing:
        click.echo(f"  missing: file {file_id} (its stored bytes are gone; see verify-storage)")
    if report.unavailable:
        raise click.ClickException(f"The scanner stopped answering ({report.unavailable}); "
                                   "the other files wait for the next run.")


@click.command("send-reminders")
def send_reminders_command():
    """Remind invited organisations that have not answered, INVITATION_REMINDER_HOURS before the deadline.
    Each invitation is reminded at most once: safe to run from cron every hour."""
    with web_context():  # the mail links to the portal
        sent = programme.send_reminders(programme.reminder_window())
        db.session.commit()
        run_committed_hooks()
        call_reminders = stocktaking.send_call_reminders(stocktaking.reminder_window())
        inactive = stocktaking.close_due_calls()
        db.session.commit()
        run_committed_hooks()
    click.echo(f"Reminders sent: {sent} invitations, {call_reminders} Stocktaking call messages. "
               f"Stocktaking entries marked inactive: {inactive}.")


@click.command("import-stocktaking")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "apply_", is_flag=True, help="Load the rows (all or nothing). Without it: a dry run.")
def import_stocktaking_command(path: Path, apply_: bool):
    """Check (and with --apply, load) the secretariat's existing Stocktaking records from a CSV file.
    Columns and formats: README, "Importing Stocktaking records"."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path} is not UTF-8 (byte {exc.start}); save it as UTF-8 and try again.") \
            from None
    codes = {al.code for al in meeting_services.action_lines()}
    checked = importer.read(text, codes)
    for problem in checked.problems:
        click.echo(f"{path.name}: {problem}", err=True)
    if checked.problems:
        raise click.ClickException(f"{len(checked.problems)} problem(s) found; nothing was loaded. "
                                   "Correct the rows named above and run again.")
    if not apply_:
        click.echo(f"{len(checked.rows)} rows are correct. Nothing was loaded (dry run): add --apply to load them.")
        return
    try:
        done = importer.apply(checked)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.message}; nothing was loaded.") from None
    except BaseException:
        db.session.rollback()
        raise
    click.echo(f"Loaded {len(checked.rows)} rows: {done.created} new entries, {done.updated} updated, "
               f"{done.organisations_created} organisations created (unverified).")
    if done.created + done.updated >= importer.REINDEX_FROM:
        click.echo(f"Search: {rebuild_entries_index()} entries indexed (the Stocktaking index rebuilt).")
    run_committed_hooks()  # (the index jobs of the rows, unless the rebuild covered them)
