"""Which source each section of the detail page came from (catalogue.provenance)."""

from __future__ import annotations

import pytest

from catalogue.models import CuratorLock, Trial
from catalogue.provenance import CURATOR, SECTIONS, section_sources

pytestmark = pytest.mark.django_db


def test_sections_name_their_sources_in_field_order_without_repeats():
    trial = Trial.objects.create(
        registry_id="NCT00000001",
        field_sources={
            "overall_status": "ctgov-api:NCT00000001",
            "phases": "ctgov-api:NCT00000001",
            "start_date": "page.txt",
            "design.masking": "page.txt",
            "eligibility.sex": "ctgov-api:NCT00000001",
            "eligibility.criteria": "page.txt",
            "locations": "x.zip#NCT00000001.xml",
            "unknown.field": "ignored.txt",
        },
    )
    sources = section_sources(trial)
    assert (
        tuple(sources)
        == SECTIONS
        == (
            "status",
            "summary",
            "design",
            "arms",
            "outcomes",
            "eligibility",
            "sponsors",
            "locations",
            "references",
        )
    )
    assert sources["status"] == ["ctgov-api:NCT00000001", "page.txt"]
    assert sources["design"] == ["page.txt"]
    assert sources["eligibility"] == ["ctgov-api:NCT00000001", "page.txt"]
    assert sources["locations"] == ["x.zip#NCT00000001.xml"]
    assert sources["summary"] == sources["arms"] == sources["references"] == []


def test_curator_owned_fields_mark_their_section():
    trial = Trial.objects.create(registry_id="NCT00000002", field_sources={"masking": "p.txt"})
    CuratorLock.objects.create(trial=trial, field="masking", value="DOUBLE")
    CuratorLock.objects.create(trial=trial, field="overall_status", value="COMPLETED")
    CuratorLock.objects.create(trial=trial, field="cell_sources", value=["adipose"])
    sources = section_sources(trial)
    assert sources["design"] == [CURATOR]
    assert sources["status"] == [CURATOR]
    assert all(
        CURATOR not in files for name, files in sources.items() if name not in ("design", "status")
    )


@pytest.mark.django_db
def test_the_detail_page_names_the_source_of_each_section(client, seeded):
    trial = Trial.objects.get(registry_id="NCT05308836")
    page = client.get(f"/trials/{trial.registry_id}/").content.decode()
    source = trial.sources.get().filename
    assert page.count(f'<p class="from">From {source}</p>') >= 5
