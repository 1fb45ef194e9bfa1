"""Ingest throughput: documents/s into an empty and into a full catalogue, next to parse-only.

    python -m bench.ingest [--sizes 1000 10000] [--json OUT]

For each size N: a synthetic corpus of N pages (bench.corpus), its parse-only rate in one
process (and parse + classify, the rest of the per-document CPU work), then the real
`manage.py ingest` command in a subprocess, on a throwaway database:
- "empty": N new trials into an empty catalogue;
- "unchanged": the same N files again (nothing to write);
- "full": N other new trials into the catalogue that now holds N;
and, once, "changed": pages of trials already stored, with new content (written
set-based like new ones, merged with the stored sources and curation).
Peak memory is the largest resident set of the command's process tree (main + workers).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from . import databases
from .corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
NEW_TRIALS = 5_000_000  # registry numbers of the "full" corpus: never those of the first
CHANGED = 1000  # a day's changes: stored trials with new text


def corpus(name: str, count: int, seed: int, first: int = 0) -> Path:
    folder = OUT / name
    if len(list(folder.glob("*.txt"))) != count:  # reuse a finished one; redo a partial one
        for old in folder.glob("*.txt"):
            old.unlink()
        write_corpus(folder, count, seed, first)
    return folder


def parse_rates(folder: Path) -> dict:
    """Documents/s of parsing alone, and of parsing + merging + classifying, in one process."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from catalogue.models import Trial
    from classification import apply_classification
    from ingest.detect import parse_document
    from records.merge import Source, merge

    pages = [(p.read_bytes(), p.name) for p in sorted(folder.iterdir())]
    started = time.perf_counter()
    records = [parse_document(data, name) for data, name in pages]
    parse_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for record in records:
        merged = merge([Source("page", record, "")])
        apply_classification(Trial(registry_id=record.registry_id), merged.record)
    classify_seconds = time.perf_counter() - started
    return {
        "documents": len(pages),
        "parse_per_s": round(len(pages) / parse_seconds),
        "parse_classify_per_s": round(len(pages) / (parse_seconds + classify_seconds)),
    }


def run_ingest(folder: Path, url: str, workers: int | None = None) -> dict:
    """`manage.py ingest folder` against database `url`: wall time, statuses, peak memory,
    and the CPU each kind of process spent per document (where the time goes)."""
    command = [sys.executable, "manage.py", "ingest", str(folder), "--no-progress"]
    if workers is not None:
        command += ["--workers", str(workers)]
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "1", "LOG_FORMAT": "json"}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = ProcessSampler(process.pid, database=urlparse(url).path.lstrip("/"))
    out, err = process.communicate()
    wall = time.perf_counter() - started
    sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"ingest failed ({process.returncode}): {out} {err[-2000:]}")
    # The command's own summary log line times the ingest without interpreter start-up.
    logged = next(
        json.loads(line) for line in err.splitlines() if '"message": "ingest finished"' in line
    )
    return {
        "documents": logged["documents"],
        "seconds": logged["seconds"],
        "per_s": round(logged["documents_per_second"]),
        "wall_seconds": round(wall, 2),
        "summary": out.strip().splitlines()[-1],
        "peak_rss_mb": sampler.megabytes,
        "cpu_ms_per_document": {
            kind: round(seconds * 1000 / max(1, logged["documents"]), 2)
            for kind, seconds in sampler.cpu_seconds().items()
        },
    }


class ProcessSampler:
    """Samples the resident memory of a process and its children every 0.1 s, and the CPU
    time of the process, of its children (the parse workers) and of the Postgres backends
    serving `database` (read last before each exits, so a little may be missed)."""

    def __init__(self, pid: int, database: str = ""):
        self.pid, self.peak, self.done = pid, 0, threading.Event()
        self.database = f" {database} " if database else None
        self.cpu: dict[int, tuple[str, float]] = {}
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.done.wait(0.1):
            tree = _tree(self.pid)
            self.peak = max(self.peak, sum(_rss_kb(pid) for pid in tree))
            kinds = {pid: "main" if pid == self.pid else "workers" for pid in tree}
            kinds.update((pid, "postgres") for pid in self._backends())
            for pid, kind in kinds.items():  # a process that just ended reads as 0: keep the last
                self.cpu[pid] = (kind, max(_cpu_seconds(pid), self.cpu.get(pid, (kind, 0.0))[1]))

    def _backends(self) -> list[int]:
        if not self.database:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    continue
                if command.startswith("postgres: ") and self.database in command:
                    found.append(int(entry.name))
        return found

    def cpu_seconds(self) -> dict[str, float]:
        totals = {"workers": 0.0, "main": 0.0, "postgres": 0.0}
        for kind, seconds in self.cpu.values():
            totals[kind] += seconds
        return totals

    def stop(self) -> None:
        self.done.set()
        self.thread.join()

    @property
    def megabytes(self) -> int:
        return round(self.peak / 1024)


def _tree(pid: int) -> list[int]:
    pids, seen = [pid], 0
    while seen < len(pids):
        try:
            children = Path(f"/proc/{pids[seen]}/task/{pids[seen]}/children").read_text()
        except OSError:
            children = ""
        pids += [int(c) for c in children.split()]
        seen += 1
    return pids


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(sizes: list[int]) -> dict:
    results: dict = {"sizes": {}}
    for size in sizes:
        pages = corpus(f"corpus-{size}", size, seed=size)
        others = corpus(f"corpus-{size}-new", size, seed=size + 1, first=NEW_TRIALS)
        name = f"bench_ingest_{size}"
        url = databases.fresh(name)
        row = {"parse": parse_rates(pages)}
        row["empty"] = run_ingest(pages, url)
        row["unchanged"] = run_ingest(pages, url)
        row["full"] = run_ingest(others, url)
        if size == sizes[0]:
            changed = corpus(f"changed-{CHANGED}", CHANGED, seed=size + 2)  # same ids, new text
            row["changed"] = run_ingest(changed, url)
        results["sizes"][size] = row
        databases.drop(name)
        print(format_row(size, row), flush=True)
    return results


def format_row(size: int, row: dict) -> str:
    parts = [f"{size:>6} docs: parse-only {row['parse']['parse_per_s']}/s"]
    for key in ("empty", "unchanged", "full", "changed"):
        if key in row:
            parts.append(f"{key} {row[key]['per_s']}/s ({row[key]['peak_rss_mb']} MB)")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_DEBUG", "1")  # as bench.run: the commands' own settings
    results = measure(args.sizes)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
