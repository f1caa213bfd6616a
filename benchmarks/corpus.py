"""A deterministic multilingual corpus of WSIS-like documents for the search benchmarks.

Document i is generated from random.Random(SEED, i) alone, so any slice of the corpus can be
rebuilt on its own and two runs give the same text. Words are drawn with Zipf-like frequencies
from a base vocabulary (French from the ITU letters in /work/shared/seeds, hand-made lists for
the other five UN languages) plus a long tail of derived words (a prefix of one real word and the
ending of another: "télécommunisation", "информацистема"), which gives realistic term
statistics: a few very frequent words, many rare ones.

Sizes: 1 to 20 pages (about 400 words a page, Chinese about 800 characters), most documents
short (weights 1/pages^0.9, mean about 5.6 pages). 15% of the documents have one published
translation, 5% two.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from benchmarks import vocabulary as V

SEED = 2025
SEEDS = Path("/work/shared/seeds")
LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
LANGUAGE_WEIGHTS = (40, 25, 15, 8, 7, 5)
WORDS_PER_PAGE = {"en": 400, "fr": 400, "es": 400, "ru": 380, "ar": 380, "zh": 420}
PAGES = list(range(1, 21))
PAGE_WEIGHTS = [1 / p ** 0.9 for p in PAGES]
TAIL_SIZE = 30_000
ZIPF_S = 1.0  # word frequency ~ 1/rank^s over base + tail: the base words cover about 60% of the tokens

# The reference meetings (portal/reference.py) and how many documents each tends to get.
MEETINGS = {"PC-1": (2002, 6), "PC-2": (2003, 8), "PC-3": (2003, 12), "SUMMIT-GVA": (2003, 10),
            "II-PC-1": (2004, 8), "SUMMIT-TUN": (2005, 10), "FORUM-2010": (2010, 14),
            "FORUM-2018": (2018, 16), "FORUM-2021": (2021, 16)}
MEETING_START = {"PC-1": date(2002, 7, 1), "PC-2": date(2003, 2, 17), "PC-3": date(2003, 9, 15),
                 "SUMMIT-GVA": date(2003, 12, 10), "II-PC-1": date(2004, 6, 24),
                 "SUMMIT-TUN": date(2005, 11, 16), "FORUM-2010": date(2010, 5, 10),
                 "FORUM-2018": date(2018, 3, 19), "FORUM-2021": date(2021, 1, 1)}
STAKEHOLDER_TYPES = ("government", "international_organisation", "private_sector", "civil_society",
                     "academia", "technical_community")
STAKEHOLDER_WEIGHTS = (40, 12, 15, 20, 8, 5)
SERIES = ("CONTR", "DOC", "INF", "DT")
SERIES_WEIGHTS = (90, 5, 3, 2)


def _french_words() -> list[str]:
    words: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8").lower()
        words += [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 1 or w in "aày"]
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    ordered = sorted(counts, key=lambda w: -counts[w])
    return ordered + [w for w in V.FR_EXTRA if w not in counts]


def _unique(words: list[str]) -> list[str]:
    return list(dict.fromkeys(words))


@dataclass
class LanguageModel:
    lang: str
    base: list[str]
    tail: list[str] = field(default_factory=list)

    def __post_init__(self):
        rng = random.Random(f"tail-{self.lang}")
        if self.lang == "zh":
            chars = sorted({c for w in self.base for c in w})
            tail: set[str] = set()
            while len(tail) < TAIL_SIZE:
                tail.add("".join(rng.choice(chars) for _ in range(rng.choice((2, 2, 3, 4)))))
        else:
            long = [w for w in self.base if len(w) >= 4]
            tail = set()
            while len(tail) < TAIL_SIZE:
                a, b = rng.choice(long), rng.choice(long)
                w = a[: rng.randint(3, max(3, len(a) - 1))] + b[rng.randint(1, len(b) - 2):]
                if w not in self.base:
                    tail.add(w)
        self.tail = sorted(tail)
        rng.shuffle(self.tail)
        self.vocab = self.base + self.tail
        self.cum = list(itertools.accumulate(1 / (r + 2.7) ** ZIPF_S for r in range(len(self.vocab))))
        self.title_cum = list(itertools.accumulate(1 / (r + 5) ** 0.7 for r in range(len(self.base))))

    def words(self, rng: random.Random, n: int) -> list[str]:
        return rng.choices(self.vocab, cum_weights=self.cum, k=n)

    def title(self, rng: random.Random) -> str:
        ws = rng.choices(self.base, cum_weights=self.title_cum, k=rng.randint(5, 12))
        if self.lang == "zh":
            return "".join(ws)
        return " ".join(ws).capitalize()

    def text(self, rng: random.Random, n_words: int) -> str:
        ws = self.words(rng, n_words)
        zh = self.lang == "zh"
        comma, stop = ("，", "。") if zh else (("،", ".") if self.lang == "ar" else (",", "."))
        paragraphs, sentences, i = [], [], 0
        while i < len(ws):
            n = rng.randint(8, 24)
            s = ws[i:i + n]
            i += n
            if len(s) > 10 and rng.random() < 0.6:
                k = rng.randint(3, len(s) - 3)
                s[k] = s[k] + comma
            if rng.random() < 0.08:
                s.insert(rng.randint(0, len(s)), str(rng.choice((rng.randint(1990, 2030), rng.randint(1, 500)))))
            sentence = ("".join(s) if zh else " ".join(s)) + stop
            sentences.append(sentence if zh or self.lang == "ar" else sentence[0].upper() + sentence[1:])
            if len(sentences) >= rng.randint(3, 7):
                paragraphs.append(("" if zh else " ").join(sentences))
                sentences = []
        if sentences:
            paragraphs.append(("" if zh else " ").join(sentences))
        return "\n\n".join(paragraphs)


@lru_cache(maxsize=1)
def models() -> dict[str, LanguageModel]:
    return {
        "en": LanguageModel("en", _unique(V.EN)),
        "fr": LanguageModel("fr", _unique(_french_words())),
        "es": LanguageModel("es", _unique(V.ES)),
        "ru": LanguageModel("ru", _unique(V.RU)),
        "ar": LanguageModel("ar", _unique(V.AR)),
        "zh": LanguageModel("zh", _unique(V.ZH)),
    }


# Organisations ---------------------------------------------------------------------------------------

_ORG_PATTERNS = {
    "government": ["Ministry of Communications of {c}", "Ministère de l'Économie numérique, {c}",
                   "Ministerio de Tecnologías de la Información, {c}", "Government of {c}",
                   "Permanent Mission of {c} to the United Nations Office at Geneva"],
    "international_organisation": ["{c} Regional Telecommunication Organisation",
                                   "Organisation intergouvernementale {c}"],
    "private_sector": ["{c} Telecom", "{c} Digital Solutions", "Réseaux {c} SA"],
    "civil_society": ["{c} Civil Society Caucus", "Association pour l'Internet libre {c}",
                      "Fundación Conectar {c}"],
    "academia": ["University of {c}", "Université numérique de {c}", "Instituto Tecnológico de {c}"],
    "technical_community": ["{c} Network Information Centre", "{c} Internet Society Chapter"],
}


def organisations(n: int = 900) -> list[dict]:
    import pycountry

    rng = random.Random(f"{SEED}-orgs")
    countries = sorted(pycountry.countries, key=lambda c: c.alpha_2)
    seen: set[str] = set()
    out = []
    while len(out) < n:
        kind = rng.choices(STAKEHOLDER_TYPES, STAKEHOLDER_WEIGHTS)[0]
        country = rng.choice(countries)
        name = rng.choice(_ORG_PATTERNS[kind]).format(c=getattr(country, "common_name", country.name))
        if name.casefold() in seen:
            continue
        seen.add(name.casefold())
        out.append({"name": name, "country": country.alpha_2, "stakeholder_type": kind})
    return out


# Documents -------------------------------------------------------------------------------------------

@dataclass
class Doc:
    i: int
    meeting: str
    series: str
    organisation: int | None  # index into organisations(), None for the secretariat's documents
    language: str
    title: str
    summary: str
    action_lines: list[str]
    published_at: datetime
    pages: int
    texts: dict[str, str]  # language -> extracted text of the published file


def document(i: int, *, page_scale: float = 1.0, n_orgs: int = 900, seed: int = SEED) -> Doc:
    """Document number i of the corpus; page_scale < 1 gives shorter bodies (the 100,000 point)."""
    rng = random.Random(f"{seed}-{i}")
    m = models()
    meeting = rng.choices(list(MEETINGS), [w for _, w in MEETINGS.values()])[0]
    series = rng.choices(SERIES, SERIES_WEIGHTS)[0]
    lang = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
    pages = rng.choices(PAGES, PAGE_WEIGHTS)[0]
    extra = rng.choices((0, 1, 2), (80, 15, 5))[0]
    langs = [lang] + rng.sample([x for x in LANGUAGES if x != lang], extra)
    words = max(60, int(pages * page_scale * WORDS_PER_PAGE[lang]))
    texts = {}
    for x in langs:
        texts[x] = m[x].text(rng, words)
    start = MEETING_START[meeting]
    published = datetime.combine(start - timedelta(days=rng.randint(-4, 120)), datetime.min.time(),
                                 tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 86399))
    return Doc(
        i=i, meeting=meeting, series=series,
        organisation=None if series != "CONTR" else rng.randrange(n_orgs),
        language=lang, title=m[lang].title(rng),
        summary=m[lang].text(rng, rng.randint(25, 70)).replace("\n\n", " "),
        action_lines=sorted(rng.sample([f"C{k}" for k in range(1, 12)], rng.choice((1, 1, 2, 2, 3))),
                            key=lambda c: int(c[1:])),
        published_at=published, pages=pages, texts=texts,
    )


def query_words(lang: str, rng: random.Random, k: int = 1) -> list[str]:
    """Words a person might type: content words, 60% common ones (frequency ranks 30-300 of the
    language, mostly real words of the base vocabulary) and 40% less common ones (ranks 300-3000)."""
    vocab = models()[lang].vocab
    return [rng.choice(vocab[30:300] if rng.random() < 0.6 else vocab[300:3000]) for _ in range(k)]
