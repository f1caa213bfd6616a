"""The benchmark's queries, generated from the seeded corpus: one or two words of a document's
language (common and less common content words, see corpus.query_words) and two facet filters
taken from that same document, so that a query has results to count, rank and highlight."""

from __future__ import annotations

import random

from benchmarks import corpus

FACET_PAIRS = [("meeting", "language"), ("action_line", "year"), ("stakeholder_type", "language"),
               ("meeting", "action_line"), ("series", "year")]


def facet_values(d: corpus.Doc) -> dict[str, str]:
    stakeholder = ""
    if d.organisation is not None:
        stakeholder = corpus.organisations()[d.organisation]["stakeholder_type"]
    return {"meeting": d.meeting, "language": random.Random(d.i).choice(sorted(d.texts)),
            "action_line": d.action_lines[0], "year": str(d.published_at.year), "series": d.series,
            "stakeholder_type": stakeholder}


def generate(n: int, n_docs: int, *, seed: int = 7, filters: int = 2, page_scale: float = 1.0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        d = corpus.document(rng.randrange(n_docs), page_scale=page_scale)
        args = {"q": " ".join(corpus.query_words(d.language, rng, rng.choice((1, 2, 2))))}
        values = facet_values(d)
        pair = rng.choice(FACET_PAIRS)[:filters]
        if any(not values[f] for f in pair):
            continue
        for f in pair:
            args[f] = values[f]
        out.append(args)
    return out
