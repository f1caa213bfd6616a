"""Search commands: reindex, check-index."""

from __future__ import annotations

import click
from flask import Flask, current_app


def register(app: Flask) -> None:
    app.cli.add_command(reindex_command)
    app.cli.add_command(check_index_command)


@click.command("reindex")
@click.option("--procs", type=int, default=None, help="Processes that analyse text (default SEARCH_REINDEX_PROCS).")
def reindex_command(procs):
    """Rebuild the search index from the database into a new directory and swap it in. The portal
    keeps answering from the current index meanwhile."""
    from portal.search import indexer

    app = current_app._get_current_object()
    click.echo("Rebuilding the search index…")
    try:
        stats = indexer.reindex(app, procs=procs, progress=lambda n: click.echo(f"  {n} documents"))
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    rate = stats.documents / stats.seconds if stats.seconds else 0
    click.echo(f"Indexed {stats.documents} documents in {stats.seconds:.1f} s ({rate:.0f}/s) into "
               f"{stats.directory}; {stats.caught_up} changed during the build and were caught up.")


@click.command("check-index")
@click.option("--fix", is_flag=True, help="Repair the differences found.")
@click.option("--show", default=20, help="How many ids of each kind to list.")
def check_index_command(fix, show):
    """Compare the search index with the database: missing, extra and stale entries, failed jobs."""
    from portal.search import indexer

    app = current_app._get_current_object()
    report = indexer.check(app)
    click.echo(f"Published in the database: {report.published}; in the index: {report.indexed}; "
               f"jobs waiting: {report.pending_jobs}.")
    for name, ids in (("missing", report.missing), ("extra", report.extra), ("stale", report.stale),
                      ("duplicated", report.duplicated)):
        if ids:
            more = f" (+{len(ids) - show} more)" if len(ids) > show else ""
            click.echo(f"{name.capitalize()}: {len(ids)}: {', '.join(map(str, ids[:show]))}{more}")
    for job_id, cid, error in report.failed_jobs[:show]:
        click.echo(f"Failed job {job_id} (contribution {cid}): {error}")
    if report.clean:
        click.echo("The index matches the database.")
        return
    if not fix:
        raise SystemExit(1)
    if len(report.differences) > 2000:
        click.echo("Many differences: `flask --app app reindex` rebuilds faster than repairing one by one.")
    outcome = indexer.fix(app, report)
    after = indexer.check(app)
    if after.clean:
        click.echo(f"Repaired {len(report.differences)} entries; the index matches the database.")
    else:
        raise click.ClickException(
            f"Still different after repair ({outcome}): {len(after.differences)} entries, "
            f"{len(after.failed_jobs)} failed jobs.")
