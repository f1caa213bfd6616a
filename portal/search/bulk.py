"""Building a whole index fast: several processes, each reading its share of the contributions from
the database and writing its own Whoosh segment, then one table of contents naming them all.

Whoosh's SegmentWriter sends every posting through a sorting pool (a tuple per posting, sorted,
spilled to disk and merged when large) and then looks each document's field length up again in the
column it just wrote. `FastSegmentWriter` keeps each text field's tokens as a stream of term ids
(`streams`), turned into posting lists by one sort when the segment is complete, and the other
fields' postings in lists under their terms (their documents arrive in order); it writes the
segment in Whoosh's format: the text fields' terms and postings itself (`w3direct`), the rest
through Whoosh's own field writer. It is used only for these bulk builds; the incremental writes
of the job drain use Whoosh's writer as it is.

This is Whoosh's MpWriter(multisegment=True) arrangement (it uses the same private steps:
_finalize_segment, _commit_toc), without the parent process pickling every document to the workers.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import traceback
from collections import defaultdict
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from portal.search import store, streams, w3direct
from portal.search.schema import FastText, bulk_memos

log = logging.getLogger("portal.search")


class FastSegmentWriter(SegmentWriter):
    def __init__(self, ix, **kwargs):
        super().__init__(ix, _lk=False, **kwargs)
        self._streams: dict[str, streams.FieldStream] = defaultdict(streams.FieldStream)
        self._plists: dict[str, dict[bytes, list]] = defaultdict(lambda: defaultdict(list))
        self._lengths: dict[str, dict[int, int]] = defaultdict(dict)

    def add_document(self, **fields):
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in sorted(k for k in fields if not k.startswith("_")):
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if isinstance(field, FastText):
                    length = self._streams[fieldname].add(docnum, field, value)
                elif field.indexed:
                    scorable = field.scorable
                    fplists = self._plists[fieldname]
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        fplists[tbytes].append((docnum, weight, vbytes))
                    if length:
                        self._lengths[fieldname][docnum] = length
                perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        fw = self.fieldwriter
        quantised = _Quantised()
        for fieldname in sorted(self._plists.keys() | self._streams.keys()):
            fieldobj = self.schema[fieldname]
            if fieldname in self._streams:
                postings = self._streams[fieldname].postings()
                if not postings.terms:
                    continue
                if w3direct.direct_ok(fw, fieldobj):
                    w3direct.write_field(fw, fieldname, postings)
                    continue
                fplists, lengths = _as_plists(postings, fieldobj.format.field_boost), postings.lengths
            else:
                fplists, lengths = self._plists[fieldname], self._lengths.get(fieldname, {})
            _write_field_with_whoosh(fw, fieldname, fieldobj, fplists, lengths, quantised)
        fw.close()
        self._streams.clear()
        self._plists.clear()
        self._lengths.clear()


def _as_plists(postings: streams.Postings, boost: float) -> dict[bytes, list]:
    """term bytes -> [(docnum, weight, position bytes)], as _write_field_with_whoosh takes them."""
    starts, docnums, freqs, out = postings.starts.tolist(), postings.docnums.tolist(), postings.freqs.tolist(), {}
    for t, term in enumerate(postings.terms):
        span = slice(starts[t], starts[t + 1])
        out[term.encode("utf-8")] = [(d, f * boost, v) for d, f, v in
                                     zip(docnums[span], freqs[span], postings.values[span], strict=True)]
    return out


class _Quantised(dict):
    """A field length as Whoosh reads it back from its one-byte length column."""

    def __missing__(self, n: int) -> int:
        q = self[n] = byte_to_length(length_to_byte(n)) if n else 0
        return q


def _write_field_with_whoosh(fw, fieldname: str, fieldobj, fplists: dict, lengths: dict,
                             quantised: _Quantised) -> None:
    """Whoosh's field writer, fed a block at a time where its postings writer allows it."""
    fw.start_field(fieldname, fieldobj)
    pw = getattr(fw, "_postwriter", None)
    # (W3PostingsWriter makes its block buffers, _ids and the others, in start_postings.)
    direct = hasattr(pw, "_write_block") and hasattr(pw, "_blocklimit") and hasattr(pw, "_new_block")
    for tbytes in sorted(fplists):
        fw.start_term(tbytes)
        plist = fplists[tbytes]
        if direct:
            _fill(pw, plist, lengths, quantised)
        else:  # pragma: no cover - another codec: one posting at a time
            for docnum, weight, vbytes in plist:
                fw.add(docnum, weight, vbytes or b"", quantised[lengths.get(docnum, 0)])
        fw.finish_term()
    fw.finish_field()


def _fill(pw, plist: list, lengths: dict, quantised: _Quantised) -> None:
    """W3PostingsWriter.add_posting for a whole posting list, a block at a time: the same buffers and
    statistics, without a call and four type checks per posting."""
    limit = pw._blocklimit
    for i in range(0, len(plist), limit):
        if pw._ids:
            pw._write_block()
        ids, weights, values = zip(*plist[i:i + limit], strict=True)
        pw._ids.extend(ids)
        pw._weights.extend(weights)
        if values[0]:
            pw._values.extend(values)
        top = max(weights)
        if top > pw._maxweight:
            pw._maxweight = top
        lens = [q for q in (quantised[lengths.get(d, 0)] for d in ids) if q]
        if lens:
            lo, hi = min(lens), max(lens)
            if pw._minlength is None or lo < pw._minlength:
                pw._minlength = lo
            if hi > pw._maxlength:
                pw._maxlength = hi


def _write(directory: str, ids: list[int], make_docs, chunk: int) -> tuple[list, int]:
    """Index these contributions into new segments (at most `chunk` documents each)."""
    with bulk_memos():
        try:
            return _write_segments(directory, ids, make_docs, chunk)
        finally:
            streams.reset()


def _write_segments(directory: str, ids: list[int], make_docs, chunk: int) -> tuple[list, int]:
    ix = whoosh_index.open_dir(directory)
    segments, n = [], 0
    writer = FastSegmentWriter(ix, codec=store.codec(), compound=False)
    for doc in make_docs(ids):
        writer.add_document(**doc)
        n += 1
        if writer.doc_count() >= chunk:
            segments.append(writer._finalize_segment())
            writer = FastSegmentWriter(ix, codec=store.codec(), compound=False)
    if writer.doc_count():
        segments.append(writer._finalize_segment())
    else:
        writer._close_segment()
    return segments, n  # the temporary folder they share is removed by the final writer (_finish)


def _worker(directory: str, ids: list[int], make_docs, chunk: int, conn) -> None:
    """In a forked process."""
    try:
        gc.disable()
        segments, n = _write(directory, ids, make_docs, chunk)
        conn.send(("ok", segments, n))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the build
        conn.send(("error", traceback.format_exc(), 0))
    finally:
        conn.close()


def build(directory: Path, ids: list[int], make_docs, *, procs: int, chunk: int) -> int:
    """Index the contributions `ids` into the empty index in `directory`. make_docs(ids) yields their
    documents; with procs > 1 it runs in forked processes and must open its own database connections."""
    ix = whoosh_index.open_dir(str(directory))
    if procs <= 1 or len(ids) < 2 * chunk // 10:
        segments, total = _write(str(directory), ids, make_docs, chunk)
    else:
        segments, total = _fork(directory, ids, make_docs, procs=procs, chunk=chunk)
    writer = SegmentWriter(ix, codec=store.codec(), compound=False)
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()
    return total


def _fork(directory: Path, ids: list[int], make_docs, *, procs: int, chunk: int) -> tuple[list, int]:
    ctx = multiprocessing.get_context("fork")
    # Every procs-th contribution to each process, not one block each: the shares then hold alike mixes
    # of long and short documents and finish together (blocks left one process working alone for 8%
    # of a build).
    workers = []
    for i in range(procs):
        parent_end, child_end = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_worker, args=(str(directory), ids[i::procs], make_docs,
                                              chunk, child_end), daemon=True)
        p.start()
        child_end.close()
        workers.append((p, parent_end))
    segments, total, errors = [], 0, []
    for p, conn in workers:
        try:
            status, payload, n = conn.recv()
        except EOFError:
            status, payload, n = "error", f"worker {p.pid} died (exit code {p.exitcode})", 0
        p.join()
        if status == "ok":
            segments.extend(payload)
            total += n
        else:
            errors.append(payload)
    if errors:
        raise RuntimeError("index build failed:\n" + "\n".join(errors))
    return segments, total
