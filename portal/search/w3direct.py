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
from pickle import dumps  # nosec B403 - writes Whoosh's block format; nothing is unpickled here

import numpy as np
from whoosh import formats
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3TermInfo
from whoosh.filedb import filetables
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte

from portal.search.streams import Postings, group_deltas

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


def _block_stats(postings: Postings, limit: int) -> dict[str, list]:
    """What Whoosh's postings writer counts up posting by posting, for every block (at most `limit`
    postings of one term) and every term at once."""
    starts, docnums, freqs = postings.starts, postings.docnums.astype(np.int64), postings.freqs
    counts = np.diff(starts)
    nblocks = (counts + limit - 1) // limit
    term_of_block = np.repeat(np.arange(len(counts)), nblocks)
    nth = np.arange(int(nblocks.sum())) - np.repeat(np.cumsum(nblocks) - nblocks, nblocks)
    bstart = starts[:-1][term_of_block] + nth * limit
    bend = np.minimum(bstart + limit, starts[1:][term_of_block])
    # Whoosh keeps a field length as one byte and compares the bytes' lengths; the bytes compare alike.
    table = np.zeros(max(postings.lengths) + 1, dtype=np.int64)
    table[list(postings.lengths)] = [length_to_byte(n) for n in postings.lengths.values()]
    lbytes = table[docnums]
    tstart = starts[:-1]
    out = {
        "nblocks": nblocks, "bstart": bstart, "bend": bend, "blast": docnums[bend - 1],
        "bmax": np.maximum.reduceat(freqs, bstart), "bmin": np.minimum.reduceat(freqs, bstart),
        "bminbyte": np.minimum.reduceat(lbytes, bstart), "bmaxbyte": np.maximum.reduceat(lbytes, bstart),
        "tweight": np.add.reduceat(freqs, tstart), "tmax": np.maximum.reduceat(freqs, tstart),
        "tminbyte": np.minimum.reduceat(lbytes, tstart), "tmaxbyte": np.maximum.reduceat(lbytes, tstart),
        "tfirst": docnums[tstart], "tlast": docnums[starts[1:] - 1], "count": counts,
        "deltas": group_deltas(docnums, bstart), "freqs": freqs,  # a block's first document number whole
    }
    return {k: v.tolist() for k, v in out.items()}


def write_field(fw, fieldname: str, postings: Postings) -> None:
    """Write one positions field's terms and posting lists (`streams.Postings`)."""
    if not postings.terms:
        return
    fmap = fw._fieldmap
    prefix = pack_ushort(fmap.setdefault(fieldname, len(fmap)))
    postfile, tindex = fw._postfile, fw._tindex
    termfile = tindex.dbfile
    ppos, tpos = postfile.tell(), termfile.tell()
    pchunks: list[bytes] = []
    tchunks: list[bytes] = []
    pbytes = 0
    offsets: list[int] = []
    buckets = tindex.buckets
    key = b""
    st = _block_stats(postings, fw._codec._blocklimit)
    nblocks, bstart, bend, blast = st["nblocks"], st["bstart"], st["bend"], st["blast"]
    bmax, bmin, bminbyte, bmaxbyte = st["bmax"], st["bmin"], st["bminbyte"], st["bmaxbyte"]
    deltas, freqs, values = st["deltas"], st["freqs"], postings.values
    block = 0

    for t, term in enumerate(postings.terms):  # in code point order, which is UTF-8 byte order
        start = ppos
        pchunks.append(_MAGIC)
        ppos += 4
        for k in range(nblocks[t], 0, -1):  # k == 1: the term's last block
            b, e, top = bstart[block], bend[block], bmax[block]
            if top == 1:
                weights = None
            elif bmin[block] == top:
                weights = float(top)
            else:
                weights = tuple(map(float, freqs[b:e]))
            data = dumps((tuple(deltas[b:e]), weights, tuple(values[b:e])), _DATA_PROTOCOL)
            info = dumps((e - b, blast[block], float(top), 0, bminbyte[block], bmaxbyte[block]), _INFO_PROTOCOL)
            size = len(info) + len(data)
            pchunks.append(pack_int(-size if k == 1 else size) + info + data)
            ppos += 4 + size
            block += 1

        key = prefix + term.encode("utf-8")
        value = _TERMINFO(0, float(st["tweight"][t]), st["count"][t], st["tminbyte"][t], st["tmaxbyte"][t],
                          float(st["tmax"][t]), st["tfirst"][t], st["tlast"][t]) \
            + pack_long(start) + pack_int(ppos - start)
        offsets.append(tpos)
        h = int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")
        buckets[h & 255].append((h, tpos))
        tchunks.append(_RECORD(len(key), len(value)) + key + value)
        tpos += 8 + len(key) + len(value)
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
    tindex.lastkey = key


def _extend_index(index, offsets: list[int]) -> None:
    """GrowableArray.extend without a method call per value (offsets increase: the last is the largest)."""
    if not offsets:
        return
    try:
        array(index.typecode, offsets[-1:])
    except OverflowError:
        index._retype(offsets[-1])
    index.array.extend(offsets)
