"""Snapshots: `export_trials --snapshot` writes a valid Frictionless data package, never replaces one,
and the Data page offers the newest with its citation and terms, serving only snapshot files."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import frictionless
import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from catalogue import snapshot
from catalogue.export import CSV_COLUMNS
from catalogue.models import Trial

from .factories import make_trial

pytestmark = pytest.mark.django_db

DATA = reverse("catalogue:data")


@pytest.fixture
def root(tmp_path, settings) -> Path:
    settings.SNAPSHOT_DIR = tmp_path / "snapshots"
    return settings.SNAPSHOT_DIR


def export(root: Path, *args) -> None:
    call_command("export_trials", "--snapshot", str(root), *args, verbosity=0)


def test_a_snapshot_is_a_valid_frictionless_data_package(seeded, root):
    export(root)
    (folder,) = root.iterdir()
    assert folder.name == f"{timezone.localdate():%Y-%m-%d}-v1"
    assert sorted(p.name for p in folder.iterdir()) == sorted(snapshot.FILES)
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    package = json.loads((folder / "datapackage.json").read_text())
    for resource in package["resources"]:
        data = (folder / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("name", ["trials.csv", "trials.json"])
def test_a_changed_byte_fails_validation(seeded, root, name):
    export(root)
    (folder,) = root.iterdir()
    path = folder / name
    path.write_bytes(path.read_bytes().replace(b"Umbilical", b"Umbilicak", 1))
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert not report.valid
    assert [row[0] for row in report.flatten(["type"])] == ["hash-count"]


def test_every_csv_column_is_described_with_a_type(seeded, root):
    export(root)
    package = snapshot.newest(root).package
    fields = package["resources"][0]["schema"]["fields"]
    assert [f["name"] for f in fields] == list(CSV_COLUMNS)
    for field in fields:
        assert field["type"] in {"string", "integer", "number", "boolean"}
        assert len(field["description"]) > 5, field["name"]


def test_the_files_hold_every_trial_in_both_shapes(seeded, root):
    export(root)
    folder = snapshot.newest(root).path
    as_json = json.loads((folder / "trials.json").read_text())
    with open(folder / "trials.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    ids = sorted(Trial.objects.values_list("registry_id", flat=True))
    assert [t["registry_id"] for t in as_json] == ids == [r["registry_id"] for r in rows]
    assert as_json[0]["classification"]["evidence"]


def test_snapshots_are_numbered_and_never_replaced(seeded, root):
    export(root)
    first = snapshot.newest(root)
    before = (first.path / "trials.json").read_bytes()
    make_trial()
    export(root)
    second = snapshot.newest(root)
    assert (first.number, second.number) == (1, 2)
    assert (first.path / "trials.json").read_bytes() == before
    assert second.trials == first.trials + 1


def test_if_changed_writes_nothing_for_the_same_trials(seeded, root):
    export(root, "--if-changed")
    export(root, "--if-changed")
    assert len(snapshot.snapshots(root)) == 1
    make_trial()
    export(root, "--if-changed")
    assert len(snapshot.snapshots(root)) == 2


def test_an_existing_snapshot_folder_stops_the_command(seeded, root):
    root.mkdir(parents=True)
    blocker = root / f"{timezone.localdate():%Y-%m-%d}-v1"
    blocker.mkdir()
    (blocker / "notes.txt").write_text("mine")  # not a snapshot: no datapackage.json
    with pytest.raises(CommandError, match="never replaced"):
        export(root)
    assert (blocker / "notes.txt").read_text() == "mine"
    assert not [p for p in root.iterdir() if p.name.startswith(".writing")]


def test_the_citation_file_names_the_version_and_licence(seeded, root, settings):
    settings.SITE_URL = "https://catalogue.example.org"
    export(root)
    cff = snapshot.newest(root).citation_cff()
    assert "cff-version: 1.2.0" in cff and "type: dataset" in cff
    assert 'version: "1.0.0"' in cff
    assert 'license: "CC-BY-4.0"' in cff
    assert 'url: "https://catalogue.example.org/data/"' in cff


def test_the_data_page_offers_the_newest_snapshot(client, seeded, root):
    export(root)
    make_trial()
    export(root)
    soup = BeautifulSoup(client.get(DATA).content, "html.parser")
    newest = snapshot.newest(root)
    assert soup.select_one("#snapshot-name").get_text() == newest.name
    links = {a["data-file"]: a["href"] for a in soup.select("a[data-file]")}
    assert set(links) == set(snapshot.FILES)
    response = client.get(links["trials.csv"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (newest.path / "trials.csv").read_bytes()
    assert "attachment" in response["Content-Disposition"]
    assert soup.select_one("#citation-cff").get_text() == newest.citation_cff()
    bibtex = soup.select_one("#bibtex").get_text()
    assert bibtex.startswith("@misc{") and "version      = {2.0.0}" in bibtex
    assert "http://testserver/data/" in bibtex
    assert soup.select_one("#licence").get_text() == "CC-BY-4.0"
    terms = soup.select_one("#terms").get_text()
    assert "ClinicalTrials.gov" in terms and "Derived fields" in terms
    assert [li.get_text().split(":")[0] for li in soup.select("#older li")] == [
        snapshot.snapshots(root)[1].name
    ]
    dataset = json.loads(soup.select_one('script[type="application/ld+json"]').string)
    assert dataset["@type"] == "Dataset" and dataset["version"] == "2.0.0"


def test_the_data_page_without_a_snapshot_says_how_to_make_one(client, root):
    soup = BeautifulSoup(client.get(DATA).content, "html.parser")
    assert "export_trials --snapshot" in soup.select_one("#no-snapshot").get_text()


@pytest.mark.parametrize(
    "path",
    [
        "/data/..%2F..%2Fconfig/settings.py",
        "/data/2024-01-01-v1/..%2F..%2F..%2Fetc%2Fpasswd",
        "/data/2024-01-01-v1/secret.txt",
        "/data/../manage.py",
        "/data/2024-01-01-v1%2F..%2F..%2F/trials.csv",
        "/data/.writing-x/trials.csv",
        "/data/2024-01-01-v9/trials.csv",  # well named, but not there
    ],
)
def test_only_snapshot_files_are_served(client, seeded, root, path):
    export(root)
    (root / "secret.txt").write_text("no")
    name = snapshot.newest(root).name
    (root / name / "secret.txt").write_text("no")
    assert client.get(path.replace("2024-01-01-v1", name)).status_code == 404


def test_a_link_out_of_the_snapshot_folder_is_not_followed(client, seeded, root, tmp_path):
    export(root)
    folder = snapshot.newest(root).path
    outside = tmp_path / "outside.csv"
    outside.write_text("secret")
    (folder / "trials.csv").unlink()
    (folder / "trials.csv").symlink_to(outside)
    assert client.get(f"/data/{folder.name}/trials.csv").status_code == 404
