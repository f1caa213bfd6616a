"""Search commands: reindex, check-index. Both cover every collection (contributions and Stocktaking
entries) unless --collection names one."""

from __future__ import annotations

import click
from flask import Flask, current_app

from portal.search.collection import BY_NAME, COLLECTIONS


def register(app: Flask) -> None:
    app.cli.add_command(reindex_command)
    app.cli.add_command(check_index_command)


def _chosen(name: str | None):
    return (BY_NAME[name],) if name else COLLECTIONS


_COLLECTION = click.option("--collection", type=click.Choice(sorted(BY_NAME)), default=None,
                           help="Only this collection's index (default: every one).")


@click.command("reindex")
@click.option("--procs", type=int, default=None, help="Processes that analyse text (default SEARCH_REINDEX_PROCS).")
@_COLLECTION
def reindex_command(procs, collection):
    """Rebuild the search indexes from the database, each into a new directory swapped in. The portal
    keeps answering from the current indexes meanwhile."""
    from portal.search import indexer

    app = current_app._get_current_object()
    for coll in _chosen(collection):
        click.echo(f"Rebuilding the search index of {coll.label}…")
        try:
            stats = indexer.reindex(app, procs=procs, progress=lambda n: click.echo(f"  {n} documents"),
                                    collection=coll)
        except RuntimeError as exc:
            raise click.ClickException(f"{coll.label}: {exc}") from None
        rate = stats.documents / stats.seconds if stats.seconds else 0
        click.echo(f"Indexed {stats.documents} documents in {stats.seconds:.1f} s ({rate:.0f}/s) into "
                   f"{stats.directory}; {stats.caught_up} changed during the build and were caught up.")


@click.command("check-index")
@click.option("--fix", is_flag=True, help="Repair the differences found.")
@click.option("--show", default=20, help="How many ids of each kind to list.")
@_COLLECTION
def check_index_command(fix, show, collection):
    """Compare the search indexes with the database: missing, extra and stale entries, failed jobs.
    Exits with 1 when an index differs (and --fix was not given or could not repair it)."""
    app = current_app._get_current_object()
    differ = False
    for coll in _chosen(collection):
        click.echo(f"Search index of {coll.label}:")
        differ |= not _check_one(app, coll, fix, show)
    if differ:
        if fix:
            raise click.ClickException("An index is still different from the database after repair.")
        raise SystemExit(1)


def _check_one(app, coll, fix: bool, show: int) -> bool:
    """Report (and with fix, repair) one collection's index. True when it matches the database (in the
    end)."""
    from portal.search import indexer

    report = indexer.check(app, coll)
    click.echo(f"Published in the database: {report.published}; in the index: {report.indexed}; "
               f"jobs waiting: {report.pending_jobs}.")
    for name, ids in (("missing", report.missing), ("extra", report.extra), ("stale", report.stale),
                      ("duplicated", report.duplicated)):
        if ids:
            more = f" (+{len(ids) - show} more)" if len(ids) > show else ""
            click.echo(f"{name.capitalize()}: {len(ids)}: {', '.join(map(str, ids[:show]))}{more}")
    noun = coll.job_key.removesuffix("_id")
    for job_id, target, error in report.failed_jobs[:show]:
        click.echo(f"Failed job {job_id} ({noun} {target}): {error}")
    if report.clean:
        click.echo("The index matches the database.")
        return True
    if not fix:
        return False
    if len(report.differences) > 2000:
        click.echo("Many differences: `flask --app app reindex` rebuilds faster than repairing one by one.")
    outcome = indexer.fix(app, report)
    after = indexer.check(app, coll)
    if after.clean:
        click.echo(f"Repaired {len(report.differences)} entries; the index matches the database.")
        return True
    click.echo(f"Still different after repair ({outcome}): {len(after.differences)} entries, "
               f"{len(after.failed_jobs)} failed jobs.", err=True)
    return False
