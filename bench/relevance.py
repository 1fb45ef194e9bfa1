"""Ranking quality of the list's search: nDCG@10 of the written relevance list, through the
search index (the list page's path) and through Postgres alone (the path before it).

    python -m bench.relevance [--fixture tests/fixtures/relevance.json]

Runs against the current database, which must hold the trials the list judges (the real
ClinicalTrials.gov records: see tests/fixtures/relevance.json). tests/test_relevance.py runs
the same comparison on the bundled catalogue.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "relevance.json"
DEPTH = 10


def queries(path: Path = FIXTURE) -> list[dict]:
    return json.loads(path.read_text())["queries"]


def ndcg(ranked: list[str], judgments: dict[str, int], depth: int = DEPTH) -> float:
    """Normalised discounted cumulative gain of the first `depth` results (graded, 2^g - 1)."""
    gain = sum(
        (2 ** judgments.get(r, 0) - 1) / math.log2(i + 2) for i, r in enumerate(ranked[:depth])
    )
    ideal = sorted(judgments.values(), reverse=True)[:depth]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return gain / best if best else 0.0


def first_page(query: dict, *, use_index: bool, depth: int = DEPTH) -> list[str]:
    """The registry ids of the list's first results for the query, as the list page orders them."""
    from django.http import QueryDict

    from catalogue.filters import TrialFilter
    from catalogue.models import Trial

    data = QueryDict(mutable=True)
    data["q"] = query["q"]
    if query["include_out_of_scope"]:
        data["include_out_of_scope"] = "1"
    filterset = TrialFilter(data, queryset=Trial.objects.for_list())
    if not use_index:
        filterset.__dict__["index"] = None  # the cached property, set: Postgres answers
    return list(filterset.qs[:depth].values_list("registry_id", flat=True))


def missing(judged: list[dict]) -> set[str]:
    """Judged trials the database does not hold."""
    from catalogue.models import Trial

    wanted = {rid for q in judged for rid in q["judgments"]}
    return wanted - set(
        Trial.objects.filter(registry_id__in=wanted).values_list("registry_id", flat=True)
    )


def compare(judged: list[dict]) -> list[dict]:
    """Each query's nDCG@10 through Postgres alone and through the index."""
    rows = []
    for query in judged:
        before = first_page(query, use_index=False)
        after = first_page(query, use_index=True)
        rows.append(
            {
                "q": query["q"],
                "postgres": ndcg(before, query["judgments"]),
                "index": ndcg(after, query["judgments"]),
                "same_page": before == after,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture", type=Path, default=FIXTURE)
    args = parser.parse_args(argv)
    judged = queries(args.fixture)
    absent = missing(judged)
    if absent:
        print(f"note: {len(absent)} judged trials are not in this database: {sorted(absent)[:5]} …")
    rows = compare(judged)
    print(f"{'query':42} {'Postgres':>9} {'index':>9}  same first page")
    for r in rows:
        print(f"{r['q'][:42]:42} {r['postgres']:9.3f} {r['index']:9.3f}  {r['same_page']}")
    mean = {k: sum(r[k] for r in rows) / len(rows) for k in ("postgres", "index")}
    print(f"{'mean nDCG@10':42} {mean['postgres']:9.3f} {mean['index']:9.3f}")


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    main()
