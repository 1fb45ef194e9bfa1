"""Full-text search of the catalogue: the stored document of a trial and the query built from what a person types.

The document is a weighted tsvector plus plain text for trigram matching and snippets.
It spans child rows (arms, interventions, criteria), so it cannot be a GeneratedField;
the loader calls `refresh()` after it writes a trial.
Weights: A titles and ids, B conditions / interventions / arms, C summary and
description, D eligibility and outcomes.

Domain abbreviations are understood on both sides: a document that says "UC-MSCs" also
gets the words "umbilical cord" in its vector, and a query for "UC-MSC" searches for the
phrase "umbilical cord", so either spelling finds either spelling.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db.models import TextField, Value
from django.db.models.functions import Concat, Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import search_index
from .version import search_changed

# A text search configuration (english + unaccent) created by migration 0001.
CONFIG = "catalogue"
# The trigram text is cut here: similarity over more is slow and adds nothing.
TEXT_LIMIT = 200_000

# What an abbreviation stands for, as one phrase: a query term is replaced by the phrase
# (so "-UC-MSC" still excludes one thing), and a document that uses the abbreviation gets
# the phrase added to its vector. Order matters for queries: longer forms first, so
# "BM-MSC" is read as bone marrow before "MSC" could match inside it.
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"h?UC-?MSCs?", "umbilical cord"),
    (r"h?WJ-?MSCs?", "Wharton's jelly"),
    (r"h?BM-?MSCs?|BMSCs?", "bone marrow"),
    (r"h?AD-?MSCs?|h?ADSCs?", "adipose"),
    (r"h?UCB-?MSCs?|UCB", "cord blood"),
    (r"DPSCs?", "dental pulp"),
    (r"MenSCs?", "menstrual blood"),
    (r"MSCs?", "mesenchymal"),
    (r"T1DM?|IDDM|type\s+I\s+diabetes|diabetes\s+mellitus,?\s+type\s+(?:1|I)", "type 1 diabetes"),
    (
        r"T2DM?|NIDDM|type\s+II\s+diabetes|diabetes\s+mellitus,?\s+type\s+(?:2|II)",
        "type 2 diabetes",
    ),
    (r"DFUs?", "diabetic foot"),
)

_EDGE = r"(?<![\w']){}(?![\w'])"
_EACH = [
    (re.compile(_EDGE.format(f"(?:{p})"), re.IGNORECASE), phrase) for p, phrase in ABBREVIATIONS
]
_ANY = re.compile(
    _EDGE.format(
        "(?:" + "|".join(f"(?P<a{i}>{p})" for i, (p, _) in enumerate(ABBREVIATIONS)) + ")"
    ),
    re.IGNORECASE,
)

# Snippet highlight markers: private-use characters, removed from the source text before
# ts_headline adds them, so escaping a snippet and then swapping them for <mark> is safe.
_START, _STOP = "\ue000", "\ue001"


def expand_document(text: str) -> str:
    """The text plus the phrase of every abbreviation it uses."""
    found = [phrase for pattern, phrase in _EACH if pattern.search(text)]
    return " ".join([text, *found]) if found else text


def expand_query(text: str) -> str:
    """Websearch text with each abbreviation replaced by its phrase.

    Outside quotes the phrase is quoted, so it stays one term for "-" and "or";
    inside a quoted phrase its words simply take the abbreviation's place.
    """
    parts = text.split('"')
    for i, part in enumerate(parts):
        quoted = i % 2 == 1
        parts[i] = _ANY.sub(lambda m, q=quoted: _phrase(m, q), part)
    return '"'.join(parts)


def _phrase(match: re.Match, quoted: bool) -> str:
    index = int(match.lastgroup[1:])
    phrase = ABBREVIATIONS[index][1]
    return phrase if quoted else f'"{phrase}"'


def query(text: str) -> SearchQuery:
    """What a person typed, in websearch syntax: "umbilical cord" -placebo, t1d or t2d."""
    return SearchQuery(expand_query(text), search_type="websearch", config=CONFIG)


def plain_words(text: str) -> str:
    """The words to compare by similarity when nothing matches exactly: no quotes, no excluded words."""
    words = [
        w for w in text.replace('"', " ").split() if not w.startswith("-") and w.lower() != "or"
    ]
    return " ".join(words)


def headline(text: str) -> SearchHeadline:
    """Up to two fragments of the trial's prose around the words that matched, with markers.

    Titles and conditions are on the result already, so the fragments come from the summary,
    description and eligibility. When the words matched only elsewhere (a title, an arm)
    the headline has no markers, and the list shows no snippet.
    """
    prose = Concat(
        "brief_summary",
        Value(" "),
        "detailed_description",
        Value(" "),
        "eligibility_text",
        output_field=TextField(),
    )
    return SearchHeadline(
        Replace(Replace(prose, Value(_START)), Value(_STOP)),
        query(text),
        config=CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        max_words=28,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def marked(snippet: str) -> SafeString:
    """A headline as HTML: the source text escaped, then only our markers turned into <mark>.

    Neighbouring matched words ("type 1 diabetes") become one highlight.
    """
    joined = snippet.replace(f"{_STOP} {_START}", " ")
    html = escape(joined).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # escaped on the line above


def documents(trial) -> dict[str, str]:
    """The text of each weight for one trial (children must be loaded or loadable)."""

    def ordered(rows):  # as a rebuild orders them (ingest.assemble.plan_rows)
        return sorted(rows, key=lambda r: (r.position, r.curated, r.pk))

    return document_parts(
        trial,
        arms=ordered(trial.arms.all()),
        interventions=ordered(trial.interventions.all()),
        criteria=ordered(trial.criteria.all()),
        outcomes=ordered(trial.outcomes.all()),
    )


def document_parts(trial, *, arms, interventions, criteria, outcomes) -> dict[str, str]:
    """The text of each weight, from a trial and its child rows (rows or their dataclasses)."""
    parts = {
        "A": [
            trial.registry_id,
            *trial.registrations,  # a search for any of its registry ids finds it
            *trial.named_registrations,
            trial.brief_title,
            trial.official_title,
            trial.acronym,
        ],
        "B": [
            *trial.conditions,
            *trial.keywords,
            *(i.name for i in interventions),
            *(a.label for a in arms),
        ],
        "C": [
            trial.brief_summary,
            trial.detailed_description,
            *(i.description for i in interventions),
            *(a.description for a in arms),
        ],
        "D": [
            trial.eligibility_text,
            *(c.text for c in criteria),
            *(o.measure for o in outcomes),
        ],
    }
    return {weight: " ".join(p for p in texts if p) for weight, texts in parts.items()}


WEIGHTS = "ABCD"


def vector_sql(parts: list[str]) -> str:
    """The stored vector as SQL: each weight's (expanded) text, weighted and joined.

    `parts` are four SQL expressions (columns or placeholders), for weights A to D."""
    return " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({part}, '')), '{weight}')"
        for part, weight in zip(parts, WEIGHTS, strict=True)
    )


def refresh(trials) -> None:
    """Recompute the stored search vector and text of the given trials (and add new words),
    and bring the list's search index up to date with them."""
    from django.db import connection

    table = trials.model._meta.db_table
    with connection.cursor() as cursor:
        for trial in trials.prefetch_related("arms", "interventions", "criteria", "outcomes"):
            parts = documents(trial)
            cursor.execute(
                f"UPDATE {table} SET search_text = %s, "
                f"search_vector = {vector_sql(['%s'] * 4)} WHERE id = %s",
                [
                    " ".join(parts.values())[:TEXT_LIMIT],
                    *(expand_document(parts[w]) for w in WEIGHTS),
                    trial.pk,
                ],
            )
    ids = list(trials.values_list("pk", flat=True))
    add_words(ids=ids)
    search_index.refresh(ids)
    search_changed()  # cached search counts are keyed by the catalogue version


# The words of a trial's text that go into the lexicon of search corrections (SQL, so ingest
# and migrations share it): lower-case letter runs of 3 to 40 letters.
WORDS_SQL = (
    "SELECT DISTINCT w FROM {source} AS t, "
    "regexp_split_to_table(lower({column}), '[^[:alpha:]]+') AS w "
    "WHERE length(w) BETWEEN 3 AND 40"
)
CORRECTED_WORDS = 8  # a search's first words to correct; each costs one index lookup


def add_words(source: str = "catalogue_trial", ids: list[int] | None = None) -> None:
    """Put the words of the trials' text in `source` (all, or those of `ids`) into the lexicon."""
    from django.db import connection

    sql = WORDS_SQL.format(source=source, column="search_text")
    params = []
    if ids is not None:
        sql, params = sql + " AND t.id = ANY(%s)", [ids]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO catalogue_searchword (word) {sql} ON CONFLICT (word) DO NOTHING",
            params or None,
        )


def corrected(text: str) -> str:
    """The typed words with each word the catalogue does not have replaced by the most
    similar one it has ("umbilicle cord" -> "umbilical cord"); "" when nothing is close.
    One query: a trigram index lookup per word, in the lexicon of short words."""
    from django.db import connection

    words = plain_words(text).split()
    asked = [w.lower() for w in words[:CORRECTED_WORDS] if len(w) >= 3 and w.isalpha()]
    if not asked:
        return ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT q.w, (SELECT word FROM catalogue_searchword WHERE word %% q.w "
            "ORDER BY word <-> q.w, word LIMIT 1) FROM unnest(%s::text[]) AS q(w)",
            [asked],
        )
        closest = {typed: found for typed, found in cursor.fetchall() if found}
    out = [closest.get(w.lower(), w) if w.isalpha() else w for w in words]
    changed = any(closest.get(w.lower(), w.lower()) != w.lower() for w in words if w.isalpha())
    return " ".join(out) if changed else ""
