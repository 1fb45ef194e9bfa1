"""Big files stream: a 100 MB CSV download and a 100 MB JSON list are cut into documents with
memory bounded by a document, not by the file; the ingest pipeline pulls documents a batch
at a time.

The files are generated in the test (real rows and a real study repeated under made-up ids,
NCT9…, the range the benchmarks use), read in a subprocess, and its peak resident memory is
compared with what it had before reading.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from catalogue.models import Trial
from ingest import pipeline
from ingest.documents import read_documents

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
CLASSIC = FIXTURES / "ctgov_csv" / "classic_excerpt.csv"
STUDY = FIXTURES / "NCT00763412.json"
SIZE = 100 * 1024 * 1024
# Python, Django and the app's modules are loaded before the baseline is taken; reading
# a 100 MB file whole (as bytes, then decoded) would add at least 200 MB to it.
GROWTH_LIMIT_MB = 40

pytestmark = pytest.mark.slow


def big_csv(path: Path) -> int:
    lines = CLASSIC.read_bytes().split(b"\r\n")
    header, rows = lines[0], [line for line in lines[1:] if line]
    written, count = 0, 0
    with path.open("wb") as out:
        out.write(header + b"\r\n")
        while written < SIZE:
            for row in rows:
                count += 1
                line = row.replace(b'"NCT', b'"NCT9%07d' % count, 1)
                line = line[: line.index(b'"NCT9') + 12] + line[line.index(b'"NCT9') + 20 :]
                out.write(line + b"\r\n")
                written += len(line) + 2
    return count


def big_json(path: Path) -> int:
    study = json.loads(STUDY.read_text())
    written, count = 0, 0
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        while written < SIZE:
            count += 1
            study["protocolSection"]["identificationModule"]["nctId"] = f"NCT9{count:07d}"
            text = ("," if count > 1 else "") + json.dumps(study)
            out.write(text)
            written += len(text)
        out.write("]")
    return count


READER = textwrap.dedent(
    """
    import os, resource, sys
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    django.setup()
    from pathlib import Path
    from ingest.documents import read_documents
    from ingest.detect import parse_document
    for warm in read_documents(Path(sys.argv[2])):  # every module loaded before the baseline
        parse_document(warm.data, warm.filename)
    def rss():  # resident memory now, in KiB (a high-water mark would hide the baseline)
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() // 1024
    before = after = rss()
    count = failed = 0
    for document in read_documents(Path(sys.argv[1])):
        count += 1
        failed += bool(document.error)
        if count % 5000 == 1:  # parsing some of them costs no more than one document either
            parse_document(document.data, document.filename)
        if count % 100 == 0:
            after = max(after, rss())
    print(count, failed, before, max(after, rss()))
    """
)


def read_in_subprocess(path: Path, sample: Path) -> tuple[int, int, float]:
    done = subprocess.run(
        [sys.executable, "-c", READER, str(path), str(sample)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    count, failed, before, after = map(int, done.stdout.split())
    return count, failed, (after - before) / 1024


@pytest.mark.parametrize("kind", ["csv", "json"])
@pytest.mark.subprocess
def test_a_100_mb_file_is_read_with_memory_bounded_by_a_document(tmp_path, kind):
    path = tmp_path / f"big.{kind}"
    expected = big_csv(path) if kind == "csv" else big_json(path)
    assert path.stat().st_size >= SIZE
    sample = CLASSIC if kind == "csv" else STUDY
    count, failed, growth_mb = read_in_subprocess(path, sample)
    print(
        f"{kind}: {path.stat().st_size / 2**20:.0f} MB, {count} documents, peak RSS +{growth_mb:.1f} MB"
    )
    assert (count, failed) == (expected, 0)
    assert growth_mb < GROWTH_LIMIT_MB


def test_the_ingest_pipeline_pulls_documents_a_batch_at_a_time(tmp_path, db):
    """Reading stays ahead of writing by at most two batches, whatever the file's size."""
    header, *rows = list(csv.reader(io.StringIO(CLASSIC.read_text(encoding="utf-8"))))
    path = tmp_path / "rows.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for n in range(60):  # 60 trials: each its own id, naming no other registration
            row = dict(zip(header, rows[n % len(rows)], strict=True))
            row.update({"NCT Number": f"NCT9{n:07d}", "Other IDs": ""})
            writer.writerow(row.values())
    pulled = 0

    def documents():
        nonlocal pulled
        for document in read_documents(path):
            pulled += 1
            yield document

    most_ahead = 0
    for done, result in enumerate(pipeline.ingest_documents(documents(), workers=1, batch=10), 1):
        assert result.status == "created", result.reason
        most_ahead = max(most_ahead, pulled - done)
    assert Trial.objects.count() == 60
    assert most_ahead <= 2 * 10
