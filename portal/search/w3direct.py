"""Writing a text field's terms and postings straight into Whoosh's segment files (W3Codec), for the
bulk build (`bulk.FastSegmentWriter`).

The text fields hold most of a segment's terms (hundreds of thousands) and postings (millions).
Whoosh's field writer spends about 25 µs on each term (a terminfo object, a block buffer, a tell()
system call on two files, a hash table entry) and more on each posting (see _DATA_PROTOCOL).
`write_field` writes what Whoosh's reader reads (tests/test_search.py compares the decoded blocks
and term statistics with those of Whoosh's writer) with a few operations per term:

* per term in the postings file: a magic number, then per block of at most `blocklimit` postings its
  length (negative for the last), a pickled info tuple and a pickled (docnum deltas, weights, values)
  tuple;
* per term in the terms file: an OrderedHashWriter record (lengths, field number + term, W3TermInfo
  bytes), with the file offsets counted here rather than asked of the file.
"""

from __future__ import annotations

from array import array
from hashlib import md5
from itertools import chain
from operator import sub
from pickle import dumps  # nosec B403 - writes Whoosh's block format; nothing is unpickled here

from whoosh import formats
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3TermInfo
from whoosh.filedb import filetables
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte

from portal.search.streams import Postings

_MAGIC = WHOOSH3_HEADER_MAGIC
_TERMINFO = W3TermInfo._struct.pack
_RECORD = filetables._lengths.pack
_FLUSH_BYTES = 8 << 20


def direct_ok(fw, fieldobj) -> bool:
    """Whether this field writer and field are the ones write_field knows how to write for."""
    codec = getattr(fw, "_codec", None)
    fmt = fieldobj.format
    return (type(fw) is W3FieldWriter and type(codec) is W3Codec and codec._compression == 0
            and codec._inlinelimit <= 1 and type(fmt) is formats.Positions and fmt.field_boost == 1.0
            and isinstance(fw._tindex, filetables.OrderedHashWriter) and fw._tindex.hashtype == 0)


# Whoosh pickles its blocks with protocol 2, which has no opcode for bytes: each posting's position
# bytes become a reduce to _codecs.encode(text, "latin1"), 0.6 µs each and 2 µs for a block of one
# posting. Whoosh reads blocks with pickle.load(s), whatever the protocol: protocol 5 writes a block
# five to ten times faster, reads it seven times faster (queries read these blocks) and makes the
# postings file smaller; protocol 3 keeps the small info tuples as short as Whoosh's.
_DATA_PROTOCOL = 5
_INFO_PROTOCOL = 3


# --- The field --------------------------------------------------------------------------------------------


def write_field(fw, fieldname: str, postings: Postings) -> None:
    """Write one positions field's terms and posting lists (`streams.Postings`)."""
    fmap = fw._fieldmap
    prefix = pack_ushort(fmap.setdefault(fieldname, len(fmap)))
    limit = fw._codec._blocklimit
    postfile, tindex = fw._postfile, fw._tindex
    termfile = tindex.dbfile
    ppos, tpos = postfile.tell(), termfile.tell()
    pchunks: list[bytes] = []
    tchunks: list[bytes] = []
    pbytes = 0
    offsets: list[int] = []
    buckets = tindex.buckets
    lastkey = b""
    # Whoosh keeps a field length as one byte and compares the bytes' lengths; the bytes compare alike.
    length_byte = {docnum: length_to_byte(n) for docnum, n in postings.lengths.items()}.__getitem__
    all_docnums, all_freqs, all_values, starts = postings.docnums, postings.freqs, postings.values, postings.starts

    for t, term in enumerate(postings.terms):  # in code point order, which is UTF-8 byte order
        begin, end = starts[t], starts[t + 1]
        n = end - begin
        start = ppos
        pchunks.append(_MAGIC)
        ppos += 4
        total_weight = 0.0
        term_maxweight = 0.0
        term_minbyte = 255
        term_maxbyte = 0
        for b in range(begin, end, limit):
            if n == 1:
                docnum, freq = all_docnums[b], all_freqs[b]
                maxweight = float(freq)
                total_weight += maxweight
                minbyte = maxbyte = length_byte(docnum)
                last = docnum
                data = dumps(((docnum,), None if freq == 1 else maxweight, (all_values[b],)), _DATA_PROTOCOL)
                count = 1
            else:
                stop = min(b + limit, end)
                docnums = all_docnums[b:stop]
                freqs = all_freqs[b:stop]
                count = stop - b
                deltas = tuple(map(sub, docnums, chain((0,), docnums)))
                last = docnums[-1]
                top = max(freqs)
                maxweight = float(top)
                if top == 1:
                    weights = None
                elif min(freqs) == top:
                    weights = maxweight
                else:
                    weights = tuple(map(float, freqs))
                total_weight += float(sum(freqs))
                lbytes = list(map(length_byte, docnums))
                minbyte, maxbyte = min(lbytes), max(lbytes)
                data = dumps((deltas, weights, tuple(all_values[b:stop])), _DATA_PROTOCOL)
            info = dumps((count, last, maxweight, 0, minbyte, maxbyte), _INFO_PROTOCOL)
            size = len(info) + len(data)
            pchunks.append(pack_int(-size if b + limit >= end else size) + info + data)
            ppos += 4 + size
            if maxweight > term_maxweight:
                term_maxweight = maxweight
            if minbyte < term_minbyte:
                term_minbyte = minbyte
            if maxbyte > term_maxbyte:
                term_maxbyte = maxbyte

        key = prefix + term.encode("utf-8")
        value = _TERMINFO(0, total_weight, n, term_minbyte, term_maxbyte, term_maxweight, all_docnums[begin],
                          all_docnums[end - 1]) + pack_long(start) + pack_int(ppos - start)
        offsets.append(tpos)
        h = int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")
        buckets[h & 255].append((h, tpos))
        tchunks.append(_RECORD(len(key), len(value)) + key + value)
        tpos += 8 + len(key) + len(value)
        lastkey = key
        pbytes += ppos - start
        if pbytes >= _FLUSH_BYTES:
            postfile.write(b"".join(pchunks))
            termfile.write(b"".join(tchunks))
            pchunks.clear()
            tchunks.clear()
            pbytes = 0
    postfile.write(b"".join(pchunks))
    termfile.write(b"".join(tchunks))
    _extend_index(tindex.index, offsets)
    if lastkey:
        tindex.lastkey = lastkey


def _extend_index(index, offsets: list[int]) -> None:
    """GrowableArray.extend without a method call per value (offsets increase: the last is the largest)."""
    if not offsets:
        return
    try:
        array(index.typecode, offsets[-1:])
    except OverflowError:
        index._retype(offsets[-1])
    index.array.extend(offsets)
