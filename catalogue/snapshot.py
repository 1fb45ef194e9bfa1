"""Citable snapshots: the whole catalogue as a dated, numbered, checksummed dataset.

Layout: SNAPSHOT_DIR/<YYYY-MM-DD>-v<N>/ with
- trials.json: every trial in the canonical shape (`catalogue.export`), by registry id;
- trials.csv: the same trials flattened to the download's columns;
- datapackage.json: a Frictionless Data Package describing both files (every CSV column
  with its type and meaning, bytes and SHA-256 of each file), the licences and the source;
- CITATION.cff: how to cite this snapshot.
N counts snapshots (v1, v2, …) across dates. A snapshot is written into a hidden folder and
renamed into place, so a reader never sees half of one, and an existing one is never replaced.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers

from .api.serializers import ClassificationSerializer, EligibilitySerializer, TrialSerializer
from .export import CSV_COLUMNS, csv_writer, json_item, safe_csv_row, trial_to_dict

NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-v(?P<number>[1-9]\d{0,5})$")
DATA_FILES = ("trials.json", "trials.csv")
FILES = (*DATA_FILES, "datapackage.json", "CITATION.cff")
TITLE = "MSC–Diabetes Trial Catalogue"
DESCRIPTION = (
    "Clinical trials of mesenchymal stem/stromal cells (MSC) for diabetes and its complications, "
    "built from ClinicalTrials.gov records and saved registry pages, with the catalogue's own "
    "classification (cell source, donor, route, condition, scope) and the evidence for each value."
)
REGISTRY_TERMS = "https://clinicaltrials.gov/about-site/terms-conditions"
LICENSE_URLS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "ODC-By-1.0": "https://opendatacommons.org/licenses/by/1-0/",
}

# The CSV columns that are not a key of the canonical shape (or mean something else there).
_FLATTENED = {
    "lead_sponsor": ("string", "The lead sponsor's name."),
    "lead_sponsor_class": ("string", "The lead sponsor's ClinicalTrials.gov agency class."),
    "collaborators": ("string", "Collaborators' names, separated by “; ”."),
}


@dataclass(frozen=True)
class Snapshot:
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def number(self) -> int:
        return int(NAME.match(self.name)["number"])

    @property
    def date(self) -> datetime.date:
        return datetime.date.fromisoformat(NAME.match(self.name)["date"])

    @cached_property
    def package(self) -> dict:
        return json.loads((self.path / "datapackage.json").read_text(encoding="utf-8"))

    @property
    def version(self) -> str:
        return self.package["version"]

    @property
    def trials(self) -> int:
        return self.package["trials"]

    def files(self) -> list[dict]:
        """The files a person downloads: name, bytes, SHA-256 (the package's own files have no hash)."""
        described = {r["path"]: r for r in self.package["resources"]}
        return [
            {
                "name": name,
                "bytes": (self.path / name).stat().st_size,
                "sha256": described.get(name, {}).get("hash", "").removeprefix("sha256:"),
            }
            for name in FILES
        ]

    def citation_cff(self) -> str:
        return (self.path / "CITATION.cff").read_text(encoding="utf-8")


def snapshots(root: Path) -> list[Snapshot]:
    """Every complete snapshot under `root`, newest (highest number) first."""
    if not root.is_dir():
        return []
    found = [
        Snapshot(p)
        for p in root.iterdir()
        if NAME.match(p.name) and p.is_dir() and (p / "datapackage.json").is_file()
    ]
    return sorted(found, key=lambda s: s.number, reverse=True)


def newest(root: Path) -> Snapshot | None:
    found = snapshots(root)
    return found[0] if found else None


def file_path(root: Path, name: str, filename: str) -> Path | None:
    """A snapshot file by its URL parts, or None: only the four files of a well-named snapshot,
    and only inside `root` (no "..", no links out)."""
    if not NAME.match(name) or filename not in FILES:
        return None
    path = (root / name / filename).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    return path


def write(root: Path, trials: QuerySet, *, if_changed: bool = False) -> Snapshot | None:
    """Write the next snapshot of `trials` (from `Trial.objects.for_export()`) under `root`.

    With `if_changed`, write nothing (and answer None) when the newest snapshot holds the
    same trials. Raises FileExistsError rather than replace a snapshot.
    """
    root.mkdir(parents=True, exist_ok=True)
    last = newest(root)
    name = f"{timezone.localdate():%Y-%m-%d}-v{(last.number if last else 0) + 1}"
    work = Path(tempfile.mkdtemp(prefix=".writing-", dir=root))
    try:
        count = _write_data(work, trials.order_by("registry_id"))
        hashes = {f: _sha256(work / f) for f in DATA_FILES}
        if if_changed and last and _hash_of(last, "trials.json") == hashes["trials.json"]:
            return None
        meta = {"name": name, "number": int(NAME.match(name)["number"]), "trials": count}
        package = datapackage(meta, {f: (hashes[f], (work / f).stat().st_size) for f in DATA_FILES})
        (work / "datapackage.json").write_text(
            json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (work / "CITATION.cff").write_text(citation_cff(package), encoding="utf-8")
        target = root / name
        if target.exists():
            raise FileExistsError(f"{target} exists; snapshots are never replaced")
        os.rename(work, target)  # fails on a non-empty target: a concurrent writer won
        os.chmod(target, 0o755)
        return Snapshot(target)
    finally:
        if work.exists():
            shutil.rmtree(work)


def _write_data(folder: Path, trials: QuerySet) -> int:
    """Both data files in one pass over the trials, a chunk at a time (memory stays flat)."""
    count = 0
    with (
        open(folder / "trials.json", "w", encoding="utf-8") as as_json,
        open(folder / "trials.csv", "w", encoding="utf-8", newline="") as as_csv,
    ):
        rows = csv_writer(as_csv)
        as_json.write("[")
        for trial in trials.iterator(chunk_size=500):
            data = trial_to_dict(trial)
            as_json.write(("," if count else "") + "\n" + json_item(data))
            rows.writerow(safe_csv_row(data))
            count += 1
        as_json.write("\n]\n")
    return count


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _hash_of(snapshot: Snapshot, filename: str) -> str | None:
    for resource in snapshot.package["resources"]:
        if resource["path"] == filename:
            return resource["hash"].removeprefix("sha256:")
    return None


def datapackage(meta: dict, files: dict[str, tuple[str, int]]) -> dict:
    """The Frictionless Data Package descriptor; `files` maps a data file to (sha256, bytes)."""
    licence = settings.DATA_LICENSE
    return {
        "name": "msc-diabetes-trials",
        "title": f"{TITLE}: snapshot {meta['name']}",
        "description": DESCRIPTION,
        "version": f"{meta['number']}.0.0",
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "trials": meta["trials"],
        **({"homepage": _site_url("/data/")} if settings.SITE_URL else {}),
        "keywords": ["mesenchymal stem cells", "diabetes", "clinical trials", "cell therapy"],
        "licenses": [
            {
                "name": licence,
                "path": LICENSE_URLS.get(licence, ""),
                "title": "The catalogue's derived fields (classification) and compilation",
            },
        ],
        "sources": [
            {
                "title": "ClinicalTrials.gov (registry data, under its terms and conditions)",
                "path": REGISTRY_TERMS,
            }
        ],
        "resources": [
            {
                "name": "trials",
                "path": "trials.csv",
                "type": "table",
                "scheme": "file",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "hash": f"sha256:{files['trials.csv'][0]}",
                "bytes": files["trials.csv"][1],
                "description": "One row per trial: the main fields of trials.json, lists "
                "joined with “; ”. Cells that a spreadsheet would run as a formula start with '.",
                "schema": {"fields": csv_fields(), "primaryKey": ["registry_id"]},
            },
            {
                "name": "trials-json",
                "path": "trials.json",
                "type": "json",
                "scheme": "file",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "hash": f"sha256:{files['trials.json'][0]}",
                "bytes": files["trials.json"][1],
                "description": "Every trial with every section, its classification and the "
                "evidence for it: a JSON array of the API's Trial objects (component Trial "
                "of /api/v1/schema).",
            },
        ],
    }


def csv_fields() -> list[dict]:
    """Each CSV column's type and meaning, read from the API's declaration of the same key."""
    declared = {
        **ClassificationSerializer().fields,
        **EligibilitySerializer().fields,
        **TrialSerializer().fields,
    }
    fields = []
    for column in CSV_COLUMNS:
        if column in _FLATTENED:
            kind, description = _FLATTENED[column]
            fields.append({"name": column, "type": kind, "description": description})
            continue
        if column not in declared:  # undescribed: tests/test_snapshot.py fails, exports still work
            fields.append({"name": column, "type": "string", "description": ""})
            continue
        fields.append({"name": column, **_column(declared[column])})
    return fields


def _column(field: serializers.Field) -> dict:
    description = str(field.help_text or "")
    if isinstance(field, serializers.ListField):
        return {"type": "string", "description": f"{description} Values separated by “; ”."}
    if isinstance(field, serializers.BooleanField):
        return {"type": "boolean", "description": description}
    if isinstance(field, serializers.IntegerField):
        return {"type": "integer", "description": description}
    if isinstance(field, serializers.FloatField):
        return {"type": "number", "description": description}
    column = {"type": "string", "description": description}
    if isinstance(field, serializers.ChoiceField):
        column["constraints"] = {"enum": [str(v) for v in field.choices]}
    return column


def citation_cff(package: dict) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for the snapshot the package describes."""
    q = json.dumps  # a JSON string is a valid YAML double-quoted scalar
    lines = [
        "cff-version: 1.2.0",
        'message: "If you use this dataset, please cite it as below."',
        "type: dataset",
        f"title: {q(package['title'], ensure_ascii=False)}",
        f"version: {q(package['version'])}",
        f"date-released: {package['created'][:10]}",
        "authors:",
        f"  - name: {q(TITLE, ensure_ascii=False)}",
        f"abstract: {q(DESCRIPTION, ensure_ascii=False)}",
        f"license: {q(package['licenses'][0]['name'])}",
        "keywords:",
        *(f"  - {q(k)}" for k in package["keywords"]),
    ]
    if package.get("homepage"):
        lines.append(f"url: {q(package['homepage'])}")
    return "\n".join(lines) + "\n"


def bibtex(snapshot: Snapshot, url: str) -> str:
    package = snapshot.package
    month = f"{snapshot.date:%b}".lower()  # BibTeX's month macros: jan, feb, …
    return (
        f"@misc{{msc_diabetes_trials_{snapshot.date:%Y}_v{snapshot.number},\n"
        f"  title        = {{{{{TITLE}}}: snapshot {snapshot.name}}},\n"
        f"  author       = {{{{{TITLE}}}}},\n"
        f"  year         = {{{snapshot.date:%Y}}},\n"
        f"  month        = {month},\n"
        f"  version      = {{{package['version']}}},\n"
        f"  howpublished = {{\\url{{{url}}}}},\n"
        f"  note         = {{{package['trials']} trials. Registry data from ClinicalTrials.gov; "
        f"derived fields under {package['licenses'][0]['name']}}}\n"
        "}\n"
    )


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if settings.SITE_URL else ""
